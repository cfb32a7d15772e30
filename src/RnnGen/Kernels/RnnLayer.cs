using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// One direction of one vanilla (Elman) RNN layer over a padded batch, PyTorch semantics:
/// <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c> with act = tanh or relu, and
/// <c>pack_padded_sequence</c> masking (see docs/kernels-cells.md).
/// </summary>
/// <remarks>
/// Cache layout (rows are b·T + t, i.e. time order like x):
/// <list type="bullet">
/// <item>A [B·T, H]: pre-activation, then (valid rows) the activated output h'.</item>
/// <item>HPrev [B·T, H]: the state entering time t (h0 at each sequence's first processed step).</item>
/// <item>HLast [B, H]: the state after the last processing step (= hN).</item>
/// <item>Bias [H]: b_ih + b_hh.</item>
/// </list>
/// Scratch layout: dG [B·T, H] (pre-activation gradients, 0 on padded rows), dh [B, H], biasSum [H].
/// </remarks>
public static class RnnLayer
{
    public const int Gates = 1;

    public static int CacheLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(2 * batch * steps * hiddenSize + batch * hiddenSize + hiddenSize);
    }

    public static int ScratchLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(batch * steps * hiddenSize + batch * hiddenSize + hiddenSize);
    }

    /// <summary>Forward pass; see the class remarks for the cache contents that Backward relies on.
    /// h0: [B, H] or empty for zeros; hN: [B, H] or empty when not wanted.</summary>
    public static void Forward(LayerDims dims, bool relu, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        Span<float> y, int ldy,
        Span<float> hN,
        Span<float> cache)
    {
        RecurrentKernel.CheckForward(dims, Gates, lengths, x, weights, h0, y.Length, ldy, hN.Length,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize));

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps;
        Span<float> act = cache.Slice(0, bt * h);
        Span<float> hPrev = cache.Slice(bt * h, bt * h);
        Span<float> hLast = cache.Slice(2 * bt * h, batch * h);
        Span<float> bias = cache.Slice(2 * bt * h + batch * h, h);

        // Both biases fold into the hoisted input projection: one GEMM over all B·T rows.
        TensorPrimitives.Add(weights.BiasInputHidden.Slice(0, h), weights.BiasHiddenHidden.Slice(0, h), bias);
        RecurrentKernel.ProjectInput(dims, h, x, weights.InputHidden, bias, act);
        RecurrentKernel.LoadState(h0, hPrev, RecurrentKernel.TimeAt(0, steps, reverse), dims);

        for (int s = 0; s < steps; s++)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            // Recurrent product for the B rows of time t (stride T·H), added onto the projection.
            // Skipped when the state is known to be zero (first step with empty h0).
            if (s > 0 || !h0.IsEmpty)
            {
                Gemm.Multiply(false, true, batch, h, h, hPrev.Slice(t * h), steps * h,
                    weights.HiddenHidden, h, act.Slice(t * h), steps * h, accumulate: true);
            }

            // Destination of the new state: the next step's HPrev rows, or HLast after the final step.
            bool last = s == steps - 1;
            Span<float> dst = last ? hLast : hPrev.Slice(RecurrentKernel.TimeAt(s + 1, steps, reverse) * h);
            int dstStride = last ? h : steps * h;

            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> hOut = dst.Slice(b * dstStride, h);
                Span<float> yRow = y.Slice(row * ldy, h);
                if (t >= lengths[b])
                {
                    // Padded position: state carried unchanged, output 0.
                    hPrev.Slice(row * h, h).CopyTo(hOut);
                    yRow.Clear();
                    continue;
                }
                Span<float> a = act.Slice(row * h, h);
                // TensorPrimitives: vectorised tanh / max over the contiguous H-row.
                if (relu) TensorPrimitives.Max(a, 0f, a);
                else TensorPrimitives.Tanh(a, a);
                a.CopyTo(hOut);
                a.CopyTo(yRow);
            }
        }

        if (!hN.IsEmpty) hLast.CopyTo(hN);
    }

    /// <summary>
    /// BPTT through the cache written by <see cref="Forward"/> with the same dims, relu, reverse and lengths.
    /// Gradients and dx are added into; dh0 is overwritten. h0 is not read (the cache holds it).
    /// </summary>
    public static void Backward(LayerDims dims, bool relu, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy,
        ReadOnlySpan<float> dhN,
        RecurrentGradients gradients,
        Span<float> dx,
        Span<float> dh0,
        Span<float> scratch)
    {
        RecurrentKernel.CheckBackward(dims, Gates, lengths, x, weights, h0,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize),
            dy.Length, lddy, dhN.Length, gradients, dx.Length, dh0.Length,
            scratch.Length, ScratchLength(dims.Batch, dims.Steps, dims.HiddenSize));

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps;
        ReadOnlySpan<float> act = cache.Slice(0, bt * h);
        ReadOnlySpan<float> hPrev = cache.Slice(bt * h, bt * h);
        Span<float> dG = scratch.Slice(0, bt * h);
        Span<float> dh = scratch.Slice(bt * h, batch * h);
        Span<float> biasSum = scratch.Slice(bt * h + batch * h, h);

        RecurrentKernel.LoadGradient(dhN, dh);

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> g = dG.Slice(row * h, h);
                if (t >= lengths[b])
                {
                    // Padded: no gate gradient, dh flows through unchanged, dy ignored.
                    g.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                if (!dy.IsEmpty) TensorPrimitives.Add(dhRow, dy.Slice(row * lddy, h), dhRow);
                if (relu) RecurrentGateGradients.Relu(act.Slice(row * h, h), dhRow, g);
                else RecurrentGateGradients.Tanh(act.Slice(row * h, h), dhRow, g);
                // The recurrent GEMM below accumulates dG·W_hh onto dh: valid rows start from 0,
                // padded rows keep their carried dh (their dG row is 0).
                dhRow.Clear();
            }
            if (s > 0 || !dh0.IsEmpty)
            {
                Gemm.Multiply(false, false, batch, h, h, dG.Slice(t * h), steps * h,
                    weights.HiddenHidden, h, dh, h, accumulate: true);
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        RecurrentKernel.AccumulateParameterGradients(dims, h, x, hPrev, dG, dG, weights.InputHidden,
            gradients, dx, biasSum);
    }
}
