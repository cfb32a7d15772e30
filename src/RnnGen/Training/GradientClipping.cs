using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RnnGen.Training;

/// <summary>Gradient clipping over the flat gradient buffer (PyTorch <c>clip_grad_norm_</c> / <c>clip_grad_value_</c>)
/// and the non-finite check used by the divergence guard. Allocation-free.</summary>
public static class GradientClipping
{
    /// <summary>
    /// PyTorch <c>torch.nn.utils.clip_grad_norm_(params, maxNorm)</c> (L2, error_if_nonfinite = False):
    /// norm = √Σ g²; coef = maxNorm / (norm + 1e-6); when coef &lt; 1 every gradient is multiplied by coef.
    /// Returns the norm before clipping. A NaN norm (a NaN gradient) makes every gradient NaN, as in PyTorch.
    /// </summary>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm >= 0f))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"maxNorm must be ≥ 0 but is {maxNorm}.");
        float norm = GlobalNorm(gradients);
        float coef = maxNorm / (norm + 1e-6f);
        if (!(coef >= 1f)) TensorPrimitives.Multiply(gradients, coef, gradients); // NaN coef propagates, like torch.clamp
        return norm;
    }

    /// <summary>L2 norm √Σ g² of the whole buffer, accumulated in double (no overflow for float inputs).</summary>
    public static float GlobalNorm(ReadOnlySpan<float> gradients)
    {
        int body = gradients.Length - gradients.Length % Vector<float>.Count;
        ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(gradients.Slice(0, body));
        Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
        foreach (Vector<float> v in vectors)
        {
            Vector.Widen(v, out Vector<double> lo, out Vector<double> hi);
            acc0 += lo * lo;
            acc1 += hi * hi;
        }
        double sum = Vector.Sum(acc0 + acc1);
        for (int i = body; i < gradients.Length; i++) sum += (double)gradients[i] * gradients[i];
        return (float)Math.Sqrt(sum);
    }

    /// <summary>PyTorch <c>clip_grad_value_(params, clipValue)</c>: g = clamp(g, −clipValue, clipValue); NaN stays NaN.</summary>
    public static void ClipByValue(Span<float> gradients, float clipValue)
    {
        if (!(clipValue >= 0f))
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, $"clipValue must be ≥ 0 but is {clipValue}.");
        TensorPrimitives.Min(gradients, clipValue, gradients);
        TensorPrimitives.Max(gradients, -clipValue, gradients);
    }

    /// <summary>True when any element is NaN or ±∞.</summary>
    public static bool ContainsNonFinite(ReadOnlySpan<float> values) => IndexOfNonFinite(values) >= 0;

    /// <summary>Index of the first NaN or ±∞ element, or −1 when all are finite.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int body = values.Length - values.Length % Vector<float>.Count;
        ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values.Slice(0, body));
        for (int i = 0; i < vectors.Length; i++)
        {
            Vector<float> v = vectors[i];
            // x − x is 0 for finite x and NaN for NaN/±∞; NaN ≠ 0.
            if (!Vector.EqualsAll(v - v, Vector<float>.Zero))
            {
                for (int j = i * Vector<float>.Count; ; j++)
                    if (!float.IsFinite(values[j])) return j;
            }
        }
        for (int i = body; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
