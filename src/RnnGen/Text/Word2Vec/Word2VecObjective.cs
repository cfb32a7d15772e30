using System;
using System.Numerics.Tensors;

namespace RnnGen.Text.Word2Vec;

/// <summary>
/// The per-example negative-sampling objective of word2vec, with its exact gradient, exposed so it can be
/// checked (finite differences) and reused. Matrices are row-major [V, D]: <c>input</c> holds the word
/// vectors w (C code: <c>syn0</c>, the vectors that are saved), <c>output</c> the context vectors u
/// (<c>syn1neg</c>).
/// </summary>
/// <remarks>
/// For a hidden vector h, a positive (centre) word o and negatives k₁…k_K:
/// <c>L = −log σ(u_o·h) − Σⱼ log σ(−u_kⱼ·h)</c>, so
/// <c>∂L/∂u_o = (σ(u_o·h) − 1)·h</c>, <c>∂L/∂u_k = σ(u_k·h)·h</c>,
/// <c>∂L/∂h = (σ(u_o·h) − 1)·u_o + Σⱼ σ(u_kⱼ·h)·u_kⱼ</c>.
/// Skip-gram: h = w_c for one context word c. CBOW: h = (1/|C|)·Σ_{c∈C} w_c (mean) or Σ w_c (sum), and each
/// context word gets ∂L/∂h·(1/|C|) (mean) or ∂L/∂h (sum).
/// Gradients are <b>added</b> into the gradient arrays; a repeated negative counts once per occurrence.
/// </remarks>
public static class Word2VecObjective
{
    /// <summary>Skip-gram loss of predicting <paramref name="centerWord"/> from <paramref name="contextWord"/>; adds the gradient.</summary>
    public static double SkipGram(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int dimension,
        int contextWord, int centerWord, ReadOnlySpan<int> negatives, Span<float> inputGradient, Span<float> outputGradient)
    {
        Check(input, output, dimension, inputGradient, outputGradient);
        Span<float> dh = new float[dimension];
        double loss = Core(input.Slice(contextWord * dimension, dimension), output, dimension, centerWord, negatives, dh, outputGradient);
        TensorPrimitives.Add(inputGradient.Slice(contextWord * dimension, dimension), dh, inputGradient.Slice(contextWord * dimension, dimension));
        return loss;
    }

    /// <summary>CBOW loss of predicting <paramref name="centerWord"/> from <paramref name="contextWords"/>; adds the gradient.</summary>
    public static double Cbow(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int dimension,
        ReadOnlySpan<int> contextWords, bool mean, int centerWord, ReadOnlySpan<int> negatives,
        Span<float> inputGradient, Span<float> outputGradient)
    {
        Check(input, output, dimension, inputGradient, outputGradient);
        if (contextWords.IsEmpty) throw new ArgumentException("Expected at least one context word.", nameof(contextWords));
        var h = new float[dimension];
        foreach (int c in contextWords) TensorPrimitives.Add(h, input.Slice(c * dimension, dimension), h);
        float scale = mean ? 1f / contextWords.Length : 1f;
        if (mean) TensorPrimitives.Multiply(h, scale, h);
        var dh = new float[dimension];
        double loss = Core(h, output, dimension, centerWord, negatives, dh, outputGradient);
        foreach (int c in contextWords)
        {
            Span<float> row = inputGradient.Slice(c * dimension, dimension);
            TensorPrimitives.MultiplyAdd(dh, scale, row, row);
        }
        return loss;
    }

    private static double Core(ReadOnlySpan<float> h, ReadOnlySpan<float> output, int d, int center,
        ReadOnlySpan<int> negatives, Span<float> dh, Span<float> outputGradient)
    {
        double loss = 0;
        for (int j = -1; j < negatives.Length; j++)
        {
            int t = j < 0 ? center : negatives[j];
            float label = j < 0 ? 1f : 0f;
            ReadOnlySpan<float> u = output.Slice(t * d, d);
            double f = TensorPrimitives.Dot(h, u);
            // −log σ(f) for the positive, −log σ(−f) = −log(1 − σ(f)) for a negative, computed stably.
            double z = j < 0 ? f : -f;
            loss += z >= 0 ? Math.Log(1 + Math.Exp(-z)) : -z + Math.Log(1 + Math.Exp(z));
            float g = (float)(1.0 / (1.0 + Math.Exp(-f))) - label; // ∂L/∂f
            TensorPrimitives.MultiplyAdd(u, g, dh, dh);
            Span<float> du = outputGradient.Slice(t * d, d);
            TensorPrimitives.MultiplyAdd(h, g, du, du);
        }
        return loss;
    }

    /// <summary>
    /// One in-place SGD step on the objective at learning rate α (what training does):
    /// for the positive then each negative t in order, g = α·(label − σ(u_t·h)); e += g·u_t; u_t += g·h.
    /// The caller then adds e (scaled for CBOW) to the input vectors. For distinct targets this is exactly
    /// θ ← θ − α·∇L (each u_t is read before it is changed, h is constant during the loop).
    /// </summary>
    internal static void Step(ReadOnlySpan<float> h, float[] output, int d, int center, ReadOnlySpan<int> negatives, float alpha, Span<float> e)
    {
        e.Clear();
        for (int j = -1; j < negatives.Length; j++)
        {
            int t = j < 0 ? center : negatives[j];
            float label = j < 0 ? 1f : 0f;
            Span<float> u = output.AsSpan(t * d, d);
            float f = TensorPrimitives.Dot(h, u);
            float g = alpha * (label - Sigmoid(f));
            TensorPrimitives.MultiplyAdd(u, g, e, e);
            TensorPrimitives.MultiplyAdd(h, g, u, u);
        }
    }

    internal static float Sigmoid(float f) => f >= 0 ? 1f / (1f + MathF.Exp(-f)) : MathF.Exp(f) / (1f + MathF.Exp(f));

    private static void Check(ReadOnlySpan<float> input, ReadOnlySpan<float> output, int dimension, Span<float> inputGradient, Span<float> outputGradient)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Expected dimension ≥ 1.");
        if (input.Length % dimension != 0 || input.Length != output.Length)
            throw new ArgumentException($"Expected input and output to be [V, {dimension}] of the same size, but they hold {input.Length} and {output.Length} values.", nameof(output));
        if (inputGradient.Length != input.Length || outputGradient.Length != output.Length)
            throw new ArgumentException($"Expected gradients of {input.Length} values, but got {inputGradient.Length} and {outputGradient.Length}.", nameof(inputGradient));
    }
}
