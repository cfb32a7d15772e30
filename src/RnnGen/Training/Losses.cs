using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using RnnGen.Kernels;

namespace RnnGen.Training;

/// <summary>
/// PyTorch <c>nn.MSELoss()</c> (reduction = mean): L = (1/n)·Σ (p − t)², ∂L/∂p = 2(p − t)/n, n = number of elements.
/// </summary>
public static class MeanSquaredError
{
    /// <summary>Returns the mean squared error and writes ∂L/∂prediction into <paramref name="gradient"/>
    /// (skipped when it is empty; it may be the same span as <paramref name="prediction"/>).</summary>
    public static float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> gradient)
    {
        int n = prediction.Length;
        LossChecks.NotEmpty(n, nameof(prediction));
        ArgumentChecks.Length(target.Length, n, nameof(target), "prediction.Length");
        if (gradient.IsEmpty)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                double d = (double)prediction[i] - target[i];
                sum += d * d;
            }
            return (float)(sum / n);
        }

        ArgumentChecks.Length(gradient.Length, n, nameof(gradient), "prediction.Length, or empty to skip");
        TensorPrimitives.Subtract(prediction, target, gradient);
        float loss = TensorPrimitives.SumOfSquares((ReadOnlySpan<float>)gradient) / n;
        TensorPrimitives.Multiply(gradient, 2f / n, gradient);
        return loss;
    }
}

/// <summary>
/// PyTorch <c>nn.BCEWithLogitsLoss()</c> (reduction = mean, no weights): per element
/// ℓ = max(z, 0) − z·t + log(1 + exp(−|z|)), L = mean ℓ, ∂L/∂z = (σ(z) − t)/n.
/// </summary>
public static class BinaryCrossEntropy
{
    /// <summary>Returns the mean loss over all elements and writes ∂L/∂logits into <paramref name="gradient"/>
    /// (skipped when empty; it may be the same span as <paramref name="logits"/>).
    /// Targets must lie in [0, 1] (soft labels allowed).</summary>
    public static float ComputeWithLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        int n = logits.Length;
        LossChecks.NotEmpty(n, nameof(logits));
        ArgumentChecks.Length(targets.Length, n, nameof(targets), "logits.Length");
        if (!gradient.IsEmpty) ArgumentChecks.Length(gradient.Length, n, nameof(gradient), "logits.Length, or empty to skip");
        for (int i = 0; i < n; i++)
        {
            float t = targets[i];
            if (!(t >= 0f && t <= 1f)) ThrowTarget(i, t);
        }

        double sum = 0;
        float invN = 1f / n;
        bool writeGradient = !gradient.IsEmpty;
        for (int i = 0; i < n; i++)
        {
            float z = logits[i];
            float t = targets[i];
            float e = MathF.Exp(-MathF.Abs(z)); // in (0, 1]: never overflows
            sum += Math.Max(z, 0f) - (double)z * t + Log1P(e);
            if (writeGradient)
            {
                float sigmoid = z >= 0f ? 1f / (1f + e) : e / (1f + e);
                gradient[i] = (sigmoid - t) * invN;
            }
        }
        return (float)(sum / n);
    }

    /// <summary>Inference probabilities: p = σ(z) = 1/(1 + exp(−z)) element-wise (0 and 1 at ∓∞, never NaN for finite z).
    /// <paramref name="probabilities"/> may be the same span as <paramref name="logits"/>.</summary>
    public static void Sigmoid(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        ArgumentChecks.Length(probabilities.Length, logits.Length, nameof(probabilities), "logits.Length");
        TensorPrimitives.Sigmoid(logits, probabilities);
    }

    /// <summary>log(1 + e) for e in [0, 1], accurate for tiny e.</summary>
    private static double Log1P(double e) => e < 1e-4 ? e * (1 - e * (0.5 - e / 3)) : Math.Log(1 + e);

    [DoesNotReturn]
    private static void ThrowTarget(int index, float value) =>
        throw new ArgumentOutOfRangeException("targets", value,
            $"targets[{index}] must be in [0, 1] but is {value}.");
}

/// <summary>
/// PyTorch <c>nn.CrossEntropyLoss()</c> with class-index targets (reduction = mean, no weights, no ignore_index,
/// no label smoothing): L = (1/N)·Σ_n [log Σ_c exp(z[n, c]) − z[n, target_n]], ∂L/∂z = (softmax(z) − onehot(target))/N.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Same as <see cref="Compute(int, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, Span{float})"/> with
    /// classes = logits.Length / targets.Length (which must divide evenly).
    /// </summary>
    public static float Compute(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient, Span<float> probabilities = default)
    {
        LossChecks.NotEmpty(targets.Length, nameof(targets));
        if (logits.Length == 0 || logits.Length % targets.Length != 0)
            throw new ArgumentException(
                $"logits must have length rows × classes with rows = targets.Length ({targets.Length}) and classes ≥ 1, but has length {logits.Length}.",
                nameof(logits));
        return Compute(logits.Length / targets.Length, logits, targets, gradient, probabilities);
    }

    /// <summary>
    /// Returns the mean cross-entropy over the N = targets.Length rows of <paramref name="logits"/> [N, classes] and writes
    /// ∂L/∂logits [N, classes] into <paramref name="gradient"/> (skipped when empty) and softmax(logits) [N, classes] into
    /// <paramref name="probabilities"/> (skipped when empty). Either output may be the same span as
    /// <paramref name="logits"/> (in place); they must not overlap each other.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A target is outside [0, classes).</exception>
    public static float Compute(
        int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient,
        Span<float> probabilities = default)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"classes must be ≥ 1 but is {classes}.");
        int rows = targets.Length;
        LossChecks.NotEmpty(rows, nameof(targets));
        ArgumentChecks.Shape(logits.Length, nameof(logits), rows, "rows (targets.Length)", classes, nameof(classes));
        ArgumentChecks.OptionalShape(gradient.Length, nameof(gradient), rows, "rows (targets.Length)", classes, nameof(classes));
        ArgumentChecks.OptionalShape(probabilities.Length, nameof(probabilities), rows, "rows (targets.Length)", classes, nameof(classes));
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if ((uint)t >= (uint)classes) ThrowTarget(r, t, classes);
        }

        double total = 0;
        float invN = 1f / rows;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
            int t = targets[r];
            float zt = z[t]; // read before gradient/probabilities (which may alias logits) are written
            Span<float> g = gradient.IsEmpty ? default : gradient.Slice(r * classes, classes);
            Span<float> p = probabilities.IsEmpty ? default : probabilities.Slice(r * classes, classes);
            Span<float> work = !g.IsEmpty ? g : p;

            float max, sum;
            if (work.IsEmpty)
            {
                max = TensorPrimitives.Max(z);
                sum = 0f;
                for (int c = 0; c < z.Length; c++) sum += MathF.Exp(z[c] - max);
            }
            else
            {
                sum = Softmax.ShiftedExp(z, work, out max); // work = exp(z − max)
            }

            // −log softmax(z)[t] = (max − z[t]) + log Σ exp(z − max)
            total += (double)(max - zt) + Math.Log(sum);

            if (!work.IsEmpty)
            {
                float pt = work[t] / sum;
                if (!p.IsEmpty) TensorPrimitives.Divide(work, sum, p);
                if (!g.IsEmpty)
                {
                    if (!p.IsEmpty) TensorPrimitives.Multiply(p, invN, g);
                    else
                    {
                        TensorPrimitives.Divide(g, sum, g);
                        TensorPrimitives.Multiply(g, invN, g);
                    }
                    g[t] = (pt - 1f) * invN;
                }
            }
        }
        return (float)(total / rows);
    }

    [DoesNotReturn]
    private static void ThrowTarget(int row, int value, int classes) =>
        throw new ArgumentOutOfRangeException("targets", value,
            $"targets[{row}] (row {row}) must be a class index in [0, {classes}) but is {value}.");
}

internal static class LossChecks
{
    public static void NotEmpty(int length, string name)
    {
        if (length == 0) Throw(name);
    }

    [DoesNotReturn]
    private static void Throw(string name) =>
        throw new ArgumentException($"{name} must not be empty (the mean over zero elements is undefined).", name);
}
