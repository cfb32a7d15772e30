using System;

namespace RnnGen.Training;

// Stubs until the loss kernels land (same signatures).
public static class MeanSquaredError
{
    public static float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> gradient)
    {
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            float d = prediction[i] - target[i];
            sum += d * d;
            gradient[i] = 2 * d / prediction.Length;
        }
        return (float)(sum / prediction.Length);
    }
}

public static class BinaryCrossEntropy
{
    public static float ComputeWithLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double z = logits[i], t = targets[i];
            sum += Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            gradient[i] = (float)((1 / (1 + Math.Exp(-z)) - t) / logits.Length);
        }
        return (float)(sum / logits.Length);
    }
}

public static class SoftmaxCrossEntropy
{
    public static float Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient)
    {
        int n = targets.Length, c = logits.Length / n;
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * c, c);
            double max = double.NegativeInfinity;
            foreach (float v in z) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in z) sum += Math.Exp(v - max);
            double lse = max + Math.Log(sum);
            total += lse - z[targets[r]];
            for (int j = 0; j < c; j++)
            {
                gradient[r * c + j] = (float)((Math.Exp(z[j] - lse) - (j == targets[r] ? 1 : 0)) / n);
            }
        }
        return (float)(total / n);
    }
}
