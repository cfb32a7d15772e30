using System;
using System.Numerics.Tensors;
using RnnGen.Initialization;
using RnnGen.Training;

namespace RnnGen.Kernels;

/// <summary>
/// Inverted dropout, PyTorch <c>nn.Dropout(p)</c> in training mode: each element is kept with probability
/// 1 − p and kept values are scaled by 1/(1 − p), so the expectation is unchanged and inference is the identity.
/// </summary>
/// <remarks>
/// <para>The mask is stored as the <b>scale</b> applied to each element: 0 (dropped) or 1/(1 − p) (kept), so
/// forward and backward are one multiply: <c>y = x ⊙ mask</c>, <c>dx = dy ⊙ mask</c>. The same mask type serves
/// recurrent (variational, Keras <c>recurrent_dropout</c>) dropout: draw one [B, H] mask per sequence with
/// <see cref="DrawMask"/> and apply it to h(t−1) at every step with <see cref="Apply"/> / <see cref="Backward"/>.</para>
/// <para>Reproducible: the mask comes from a caller-owned <see cref="SeededRandom"/> passed by <c>ref</c>
/// (its state advances), one <see cref="SeededRandom.NextSingle"/> per element in index order; element i is
/// kept when that draw is ≥ p. With p = 0 nothing is drawn and the mask is all ones (identity).
/// The draw stream is RnnGen's own, so masks are not PyTorch's bit for bit (only the distribution matches).</para>
/// <para>Off at inference: the caller skips dropout entirely. Allocation-free; outputs may alias inputs.</para>
/// </remarks>
public static class Dropout
{
    /// <summary>Throws unless p is in [0, 1).</summary>
    public static void ValidateProbability(float p, string name = "p")
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(name, p,
                $"Expected a dropout probability {name} in [0, 1), but got {p.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>The scale 1/(1 − p) given to kept elements.</summary>
    public static float KeepScale(float p)
    {
        ValidateProbability(p);
        return 1f / (1f - p);
    }

    /// <summary>Fills <paramref name="mask"/> with 0 (probability p) or 1/(1 − p), drawing from <paramref name="random"/>.</summary>
    public static void DrawMask(float p, ref SeededRandom random, Span<float> mask)
    {
        ValidateProbability(p);
        if (p == 0f)
        {
            mask.Fill(1f);
            return;
        }
        float scale = 1f / (1f - p);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextSingle() >= p ? scale : 0f;
        }
    }

    /// <summary>Training forward: draws <paramref name="mask"/> (same length as x) and writes y = x ⊙ mask.
    /// With p = 0, y is an exact copy of x.</summary>
    public static void Forward(ReadOnlySpan<float> x, float p, ref SeededRandom random, Span<float> mask, Span<float> y)
    {
        ValidateProbability(p);
        ArgumentChecks.Length(mask.Length, x.Length, nameof(mask), "x.Length");
        ArgumentChecks.Length(y.Length, x.Length, nameof(y), "x.Length");
        DrawMask(p, ref random, mask);
        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary>y = x ⊙ mask with an existing mask (e.g. a variational mask reused at every step).</summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y)
    {
        ArgumentChecks.Length(mask.Length, x.Length, nameof(mask), "x.Length");
        ArgumentChecks.Length(y.Length, x.Length, nameof(y), "x.Length");
        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary>dx = dy ⊙ mask (written), or dx += dy ⊙ mask when <paramref name="accumulate"/> is set.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx, bool accumulate = false)
    {
        ArgumentChecks.Length(mask.Length, dy.Length, nameof(mask), "dy.Length");
        ArgumentChecks.Length(dx.Length, dy.Length, nameof(dx), "dy.Length");
        if (accumulate) TensorPrimitives.MultiplyAdd(dy, mask, dx, dx);
        else TensorPrimitives.Multiply(dy, mask, dx);
    }
}
