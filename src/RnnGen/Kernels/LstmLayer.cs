using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// One direction of one LSTM layer over a padded batch, PyTorch semantics (gate order i, f, g, o):
/// <c>[i f g o] = [σ σ tanh σ](W_ih x + b_ih + W_hh h + b_hh)</c>, <c>c' = f⊙c + i⊙g</c>,
/// <c>h' = o⊙tanh(c')</c>, with <c>pack_padded_sequence</c> masking (see docs/kernels-cells.md).
/// </summary>
/// <remarks>
/// Cache layout (rows are b·T + t, i.e. time order like x):
/// <list type="bullet">
/// <item>Gates [B·T, 4H]: pre-activations, then (valid rows) activated i, f, g, o.</item>
/// <item>HPrev [B·T, H], CPrev [B·T, H]: the state entering time t.</item>
/// <item>TanhC [B·T, H]: tanh(c') of the step at time t (valid rows).</item>
/// <item>HLast [B, H], CLast [B, H]: the state after the last processing step (= hN, cN).</item>
/// <item>Bias [4H]: b_ih + b_hh.</item>
/// </list>
/// Scratch layout: dG [B·T, 4H] (pre-activation gradients, 0 on padded rows), dh [B, H], dc [B, H], biasSum [4H].
/// </remarks>
public static class LstmLayer
{
    public const int Gates = 4;

    public static int CacheLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(7 * batch * steps * hiddenSize + 2 * batch * hiddenSize + 4 * hiddenSize);
    }

    public static int ScratchLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(4 * batch * steps * hiddenSize + 2 * batch * hiddenSize + 4 * hiddenSize);
    }

    /// <summary>Forward pass; see the class remarks for the cache contents that Backward relies on.
    /// h0/c0: [B, H] or empty for zeros; hN/cN: [B, H] or empty when not wanted.</summary>
    public static void Forward(LayerDims dims, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> y, int ldy,
        Span<float> hN, Span<float> cN,
        Span<float> cache)
    {
        RecurrentKernel.CheckForward(dims, Gates, lengths, x, weights, h0, y.Length, ldy, hN.Length,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize));
        RecurrentKernel.CheckOptional(c0.Length, (long)dims.Batch * dims.HiddenSize, "c0", "[B, H] or empty", dims);
        RecurrentKernel.CheckOptional(cN.Length, (long)dims.Batch * dims.HiddenSize, "cN", "[B, H] or empty", dims);

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps, g4 = 4 * h;
        Span<float> gates = cache.Slice(0, bt * g4);
        Span<float> hPrev = cache.Slice(bt * g4, bt * h);
        Span<float> cPrev = cache.Slice(bt * (g4 + h), bt * h);
        Span<float> tanhC = cache.Slice(bt * (g4 + 2 * h), bt * h);
        Span<float> hLast = cache.Slice(bt * (g4 + 3 * h), batch * h);
        Span<float> cLast = cache.Slice(bt * (g4 + 3 * h) + batch * h, batch * h);
        Span<float> bias = cache.Slice(bt * (g4 + 3 * h) + 2 * batch * h, g4);

        // Both biases fold into the hoisted input projection: one GEMM over all B·T rows.
        TensorPrimitives.Add(weights.BiasInputHidden.Slice(0, g4), weights.BiasHiddenHidden.Slice(0, g4), bias);
        RecurrentKernel.ProjectInput(dims, g4, x, weights.InputHidden, bias, gates);
        int tFirst = RecurrentKernel.TimeAt(0, steps, reverse);
        RecurrentKernel.LoadState(h0, hPrev, tFirst, dims);
        RecurrentKernel.LoadState(c0, cPrev, tFirst, dims);

        for (int s = 0; s < steps; s++)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            // [B, H]·W_hhᵀ for the B rows of time t (stride T·H), added onto the projection rows
            // (stride T·4H). Skipped when the state is known to be zero (first step, empty h0).
            if (s > 0 || !h0.IsEmpty)
            {
                Gemm.Multiply(false, true, batch, g4, h, hPrev.Slice(t * h), steps * h,
                    weights.HiddenHidden, h, gates.Slice(t * g4), steps * g4, accumulate: true);
            }

            bool last = s == steps - 1;
            int tNext = last ? 0 : RecurrentKernel.TimeAt(s + 1, steps, reverse);
            Span<float> hDst = last ? hLast : hPrev.Slice(tNext * h);
            Span<float> cDst = last ? cLast : cPrev.Slice(tNext * h);
            int dstStride = last ? h : steps * h;

            // Fused elementwise pass: gates + state update + output, one contiguous row per sequence.
            // TensorPrimitives gives vectorised σ/tanh (the dominant cost) and the products.
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                ReadOnlySpan<float> hp = hPrev.Slice(row * h, h);
                ReadOnlySpan<float> cp = cPrev.Slice(row * h, h);
                Span<float> hOut = hDst.Slice(b * dstStride, h);
                Span<float> cOut = cDst.Slice(b * dstStride, h);
                Span<float> yRow = y.Slice(row * ldy, h);
                if (t >= lengths[b])
                {
                    // Padded position: state carried unchanged, output 0.
                    hp.CopyTo(hOut);
                    cp.CopyTo(cOut);
                    yRow.Clear();
                    continue;
                }
                Span<float> g = gates.Slice(row * g4, g4);
                Span<float> ifGates = g.Slice(0, 2 * h);
                Span<float> gGate = g.Slice(2 * h, h);
                Span<float> oGate = g.Slice(3 * h, h);
                TensorPrimitives.Sigmoid(ifGates, ifGates);
                TensorPrimitives.Tanh(gGate, gGate);
                TensorPrimitives.Sigmoid(oGate, oGate);

                // c' = f⊙c + i⊙g (unfused multiply-add, like PyTorch's CPU cell).
                TensorPrimitives.Multiply(g.Slice(0, h), gGate, cOut);
                TensorPrimitives.MultiplyAdd(g.Slice(h, h), cp, cOut, cOut);
                Span<float> tc = tanhC.Slice(row * h, h);
                TensorPrimitives.Tanh(cOut, tc);
                TensorPrimitives.Multiply(oGate, tc, hOut);
                hOut.CopyTo(yRow);
            }
        }

        if (!hN.IsEmpty) hLast.CopyTo(hN);
        if (!cN.IsEmpty) cLast.CopyTo(cN);
    }

    /// <summary>
    /// BPTT through the cache written by <see cref="Forward"/> with the same dims, reverse and lengths.
    /// Gradients and dx are added into; dh0 and dc0 are overwritten. h0 and c0 are not read (the cache holds them).
    /// </summary>
    public static void Backward(LayerDims dims, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy,
        ReadOnlySpan<float> dhN, ReadOnlySpan<float> dcN,
        RecurrentGradients gradients,
        Span<float> dx,
        Span<float> dh0, Span<float> dc0,
        Span<float> scratch)
    {
        RecurrentKernel.CheckBackward(dims, Gates, lengths, x, weights, h0,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize),
            dy.Length, lddy, dhN.Length, gradients, dx.Length, dh0.Length,
            scratch.Length, ScratchLength(dims.Batch, dims.Steps, dims.HiddenSize));
        long bh = (long)dims.Batch * dims.HiddenSize;
        RecurrentKernel.CheckOptional(c0.Length, bh, "c0", "[B, H] or empty", dims);
        RecurrentKernel.CheckOptional(dcN.Length, bh, "dcN", "[B, H] or empty", dims);
        RecurrentKernel.CheckOptional(dc0.Length, bh, "dc0", "[B, H] or empty", dims);

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps, g4 = 4 * h;
        ReadOnlySpan<float> gates = cache.Slice(0, bt * g4);
        ReadOnlySpan<float> hPrev = cache.Slice(bt * g4, bt * h);
        ReadOnlySpan<float> cPrev = cache.Slice(bt * (g4 + h), bt * h);
        ReadOnlySpan<float> tanhC = cache.Slice(bt * (g4 + 2 * h), bt * h);
        Span<float> dG = scratch.Slice(0, bt * g4);
        Span<float> dh = scratch.Slice(bt * g4, batch * h);
        Span<float> dc = scratch.Slice(bt * g4 + batch * h, batch * h);
        Span<float> biasSum = scratch.Slice(bt * g4 + 2 * batch * h, g4);

        RecurrentKernel.LoadGradient(dhN, dh);
        RecurrentKernel.LoadGradient(dcN, dc);
        bool wantInitial = !dh0.IsEmpty || !dc0.IsEmpty;

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> dg = dG.Slice(row * g4, g4);
                if (t >= lengths[b])
                {
                    // Padded: no gate gradient, dh and dc flow through unchanged, dy ignored.
                    dg.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                Span<float> dcRow = dc.Slice(b * h, h);
                if (!dy.IsEmpty) TensorPrimitives.Add(dhRow, dy.Slice(row * lddy, h), dhRow);
                RecurrentGateGradients.Lstm(gates.Slice(row * g4, g4), tanhC.Slice(row * h, h),
                    cPrev.Slice(row * h, h), dhRow, dcRow, dg);
                // The recurrent GEMM below accumulates dG·W_hh onto dh: valid rows start from 0,
                // padded rows keep their carried dh (their dG row is 0).
                dhRow.Clear();
            }
            if (s > 0 || wantInitial)
            {
                Gemm.Multiply(false, false, batch, h, g4, dG.Slice(t * g4), steps * g4,
                    weights.HiddenHidden, h, dh, h, accumulate: true);
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        if (!dc0.IsEmpty) dc.CopyTo(dc0);
        RecurrentKernel.AccumulateParameterGradients(dims, g4, x, hPrev, dG, dG, weights.InputHidden,
            gradients, dx, biasSum);
    }
}
