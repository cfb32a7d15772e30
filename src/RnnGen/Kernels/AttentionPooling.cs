using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// Attention pooling of a padded sequence of outputs y [B, T, D] into one context vector per
/// sequence, c_b = Σ_t α_bt y_bt, with α = softmax over each sequence's valid steps of a score:
/// <list type="bullet">
/// <item>additive (Bahdanau): s_t = vᵀ tanh(W y_t + b), W [A, D], b [A], v [A];</item>
/// <item>dot (Luong, with a learned query): s_t = qᵀ y_t, q [D].</item>
/// </list>
/// Steps past a length get α = 0. The projection tanh(W y + b) is one GEMM over all B·T rows, and
/// so are its weight and input gradients in backward. Allocation-free; buffers come from the caller.
/// </summary>
public static class AttentionPooling
{
    /// <summary>Additive forward. <paramref name="hidden"/> [B·T, A] keeps tanh(W y + b) for backward;
    /// <paramref name="weights"/> [B, T] receives α; <paramref name="context"/> [B, D] the pooled vectors.</summary>
    public static void ForwardAdditive(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps, int features, int attentionSize,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> vector,
        Span<float> hidden, Span<float> weights, Span<float> context)
    {
        int rows = batch * steps;
        // hidden [B·T, A] = y · Wᵀ, then + b and tanh per row
        Gemm.Multiply(false, true, rows, attentionSize, features, y, features, weight, features, hidden, attentionSize, accumulate: false);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = hidden.Slice(r * attentionSize, attentionSize);
            TensorPrimitives.Add(row, bias, row);
            ActivationMath.Tanh(row, row);
        }
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                weights[b * steps + t] = TensorPrimitives.Dot(hidden.Slice((b * steps + t) * attentionSize, attentionSize), vector);
            }
        }
        Normalize(lengths, batch, steps, weights);
        Pool(y, lengths, batch, steps, features, weights, context);
    }

    /// <summary>Dot forward with a learned query q [D].</summary>
    public static void ForwardDot(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps, int features,
        ReadOnlySpan<float> query, Span<float> weights, Span<float> context)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                weights[b * steps + t] = TensorPrimitives.Dot(y.Slice((b * steps + t) * features, features), query);
            }
        }
        Normalize(lengths, batch, steps, weights);
        Pool(y, lengths, batch, steps, features, weights, context);
    }

    /// <summary>
    /// Additive backward from dContext [B, D]: adds into dy [B, T, D] and the parameter gradients.
    /// <paramref name="scratch"/> holds [B·T, A] for d(pre-activation); <paramref name="scoreGradient"/> [B, T].
    /// </summary>
    public static void BackwardAdditive(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps, int features, int attentionSize,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> vector, ReadOnlySpan<float> hidden, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> dContext, Span<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dVector,
        Span<float> scoreGradient, Span<float> scratch)
    {
        int rows = batch * steps;
        ScoreGradients(y, lengths, batch, steps, features, weights, dContext, dy, scoreGradient);
        // d pre-activation [B·T, A] = ds_t · v ⊙ (1 − u²); padded rows have ds = 0
        for (int r = 0; r < rows; r++)
        {
            Span<float> d = scratch.Slice(r * attentionSize, attentionSize);
            float ds = scoreGradient[r];
            if (ds == 0f)
            {
                d.Clear();
                continue;
            }
            ReadOnlySpan<float> u = hidden.Slice(r * attentionSize, attentionSize);
            TensorPrimitives.MultiplyAdd(u, ds, dVector, dVector); // dv += ds_t · u_t
            for (int a = 0; a < attentionSize; a++)
            {
                d[a] = ds * vector[a] * (1f - u[a] * u[a]);
            }
            TensorPrimitives.Add(dBias, d, dBias);
        }
        ReadOnlySpan<float> dPre = scratch.Slice(0, rows * attentionSize);
        Gemm.Multiply(true, false, attentionSize, features, rows, dPre, attentionSize, y, features, dWeight, features, accumulate: true);
        Gemm.Multiply(false, false, rows, features, attentionSize, dPre, attentionSize, weight, features, dy, features, accumulate: true);
    }

    /// <summary>Dot backward: adds into dy and dQuery.</summary>
    public static void BackwardDot(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps, int features,
        ReadOnlySpan<float> query, ReadOnlySpan<float> weights, ReadOnlySpan<float> dContext, Span<float> dy, Span<float> dQuery,
        Span<float> scoreGradient)
    {
        ScoreGradients(y, lengths, batch, steps, features, weights, dContext, dy, scoreGradient);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                int r = b * steps + t;
                float ds = scoreGradient[r];
                TensorPrimitives.MultiplyAdd(y.Slice(r * features, features), ds, dQuery, dQuery); // dq += ds_t y_t
                Span<float> row = dy.Slice(r * features, features);
                TensorPrimitives.MultiplyAdd(query, ds, row, row); // dy_t += ds_t q
            }
        }
    }

    /// <summary>Stable softmax of each sequence's scores over its valid steps; padded steps get 0.</summary>
    private static void Normalize(ReadOnlySpan<int> lengths, int batch, int steps, Span<float> weights)
    {
        for (int b = 0; b < batch; b++)
        {
            Span<float> row = weights.Slice(b * steps, steps);
            int length = lengths[b];
            TensorPrimitives.SoftMax(row.Slice(0, length), row.Slice(0, length));
            row.Slice(length).Clear();
        }
    }

    private static void Pool(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps, int features,
        ReadOnlySpan<float> weights, Span<float> context)
    {
        for (int b = 0; b < batch; b++)
        {
            Span<float> c = context.Slice(b * features, features);
            c.Clear();
            for (int t = 0; t < lengths[b]; t++)
            {
                TensorPrimitives.MultiplyAdd(y.Slice((b * steps + t) * features, features), weights[b * steps + t], c, c); // c += α_t y_t
            }
        }
    }

    /// <summary>dy_t += α_t dc; ds_t = α_t (dα_t − Σ_k α_k dα_k) with dα_t = dc · y_t.</summary>
    private static void ScoreGradients(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps, int features,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> dContext, Span<float> dy, Span<float> scoreGradient)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> dc = dContext.Slice(b * features, features);
            int length = lengths[b];
            float expected = 0f;
            for (int t = 0; t < length; t++)
            {
                int r = b * steps + t;
                float da = TensorPrimitives.Dot(dc, y.Slice(r * features, features));
                scoreGradient[r] = da;
                expected += weights[r] * da;
                Span<float> row = dy.Slice(r * features, features);
                TensorPrimitives.MultiplyAdd(dc, weights[r], row, row); // dy_t += α_t dc
            }
            for (int t = 0; t < steps; t++)
            {
                int r = b * steps + t;
                scoreGradient[r] = t < length ? weights[r] * (scoreGradient[r] - expected) : 0f;
            }
        }
    }
}
