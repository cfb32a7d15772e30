using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// One direction of one GRU layer over a padded batch, PyTorch semantics (gate order r, z, n;
/// reset applied AFTER the recurrent product):
/// <c>r = σ(W_ir x + b_ir + W_hr h + b_hr)</c>, <c>z = σ(W_iz x + b_iz + W_hz h + b_hz)</c>,
/// <c>n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))</c>, <c>h' = (1 − z)⊙n + z⊙h</c>,
/// with <c>pack_padded_sequence</c> masking (see docs/kernels-cells.md).
/// </summary>
/// <remarks>
/// Cache layout (rows are b·T + t, i.e. time order like x):
/// <list type="bullet">
/// <item>Gates [B·T, 3H]: input projections (W_ih x + b_ih), then (valid rows) activated r, z, n.</item>
/// <item>HidN [B·T, H]: the hidden-side pre-activation W_hn h + b_hn (needed for dr and dW_hn).</item>
/// <item>HPrev [B·T, H]: the state entering time t.</item>
/// <item>HLast [B, H]: the state after the last processing step (= hN).</item>
/// <item>Work [B, 3H]: per-step hidden product h·W_hhᵀ + b_hh (forward workspace only).</item>
/// </list>
/// Scratch layout: dGih [B·T, 3H] and dGhh [B·T, 3H] (input- and hidden-side pre-activation
/// gradients; they differ only in the n block, dGhh_n = r⊙dGih_n), dh [B, H], biasSum [3H].
/// </remarks>
public static class GruLayer
{
    public const int Gates = 3;

    public static int CacheLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(5 * batch * steps * hiddenSize + 4 * batch * hiddenSize);
    }

    public static int ScratchLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(6 * batch * steps * hiddenSize + batch * hiddenSize + 3 * hiddenSize);
    }

    /// <summary>Forward pass; see the class remarks for the cache contents that Backward relies on.
    /// h0: [B, H] or empty for zeros; hN: [B, H] or empty when not wanted.</summary>
    public static void Forward(LayerDims dims, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        Span<float> y, int ldy,
        Span<float> hN,
        Span<float> cache)
    {
        RecurrentKernel.CheckForward(dims, Gates, lengths, x, weights, h0, y.Length, ldy, hN.Length,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize));

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps, g3 = 3 * h;
        Span<float> gates = cache.Slice(0, bt * g3);
        Span<float> hidN = cache.Slice(bt * g3, bt * h);
        Span<float> hPrev = cache.Slice(bt * (g3 + h), bt * h);
        Span<float> hLast = cache.Slice(bt * (g3 + 2 * h), batch * h);
        Span<float> work = cache.Slice(bt * (g3 + 2 * h) + batch * h, batch * g3);
        ReadOnlySpan<float> biasHh = weights.BiasHiddenHidden.Slice(0, g3);

        // Only b_ih folds into the hoisted projection: b_hn must stay inside r⊙(W_hn h + b_hn).
        RecurrentKernel.ProjectInput(dims, g3, x, weights.InputHidden, weights.BiasInputHidden, gates);
        RecurrentKernel.LoadState(h0, hPrev, RecurrentKernel.TimeAt(0, steps, reverse), dims);

        for (int s = 0; s < steps; s++)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            // work = b_hh + h·W_hhᵀ for the B rows of time t (h rows at stride T·H).
            // The hidden side is kept apart from the projection because of the reset gate.
            for (int b = 0; b < batch; b++) biasHh.CopyTo(work.Slice(b * g3, g3));
            if (s > 0 || !h0.IsEmpty)
            {
                Gemm.Multiply(false, true, batch, g3, h, hPrev.Slice(t * h), steps * h,
                    weights.HiddenHidden, h, work, g3, accumulate: true);
            }

            bool last = s == steps - 1;
            Span<float> hDst = last ? hLast : hPrev.Slice(RecurrentKernel.TimeAt(s + 1, steps, reverse) * h);
            int dstStride = last ? h : steps * h;

            // Fused elementwise pass (TensorPrimitives for vectorised σ/tanh and the products).
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                ReadOnlySpan<float> hp = hPrev.Slice(row * h, h);
                Span<float> hOut = hDst.Slice(b * dstStride, h);
                Span<float> yRow = y.Slice(row * ldy, h);
                if (t >= lengths[b])
                {
                    // Padded position: state carried unchanged, output 0.
                    hp.CopyTo(hOut);
                    yRow.Clear();
                    continue;
                }
                Span<float> g = gates.Slice(row * g3, g3);
                Span<float> wk = work.Slice(b * g3, g3);
                Span<float> rz = g.Slice(0, 2 * h);
                TensorPrimitives.Add(rz, wk.Slice(0, 2 * h), rz);
                TensorPrimitives.Sigmoid(rz, rz);

                Span<float> hn = hidN.Slice(row * h, h);
                wk.Slice(2 * h, h).CopyTo(hn);
                Span<float> n = g.Slice(2 * h, h);
                TensorPrimitives.MultiplyAdd(g.Slice(0, h), hn, n, n); // W_in x + b_in + r⊙hn
                TensorPrimitives.Tanh(n, n);

                // h' = n + z⊙(h − n)  (== (1 − z)⊙n + z⊙h, the form PyTorch's cell uses)
                TensorPrimitives.Subtract(hp, n, hOut);
                TensorPrimitives.MultiplyAdd(g.Slice(h, h), hOut, n, hOut);
                hOut.CopyTo(yRow);
            }
        }

        if (!hN.IsEmpty) hLast.CopyTo(hN);
    }

    /// <summary>
    /// BPTT through the cache written by <see cref="Forward"/> with the same dims, reverse and lengths.
    /// Gradients and dx are added into; dh0 is overwritten. h0 is not read (the cache holds it).
    /// </summary>
    public static void Backward(LayerDims dims, bool reverse, ReadOnlySpan<int> lengths,
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

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps, g3 = 3 * h;
        ReadOnlySpan<float> gates = cache.Slice(0, bt * g3);
        ReadOnlySpan<float> hidN = cache.Slice(bt * g3, bt * h);
        ReadOnlySpan<float> hPrev = cache.Slice(bt * (g3 + h), bt * h);
        Span<float> dGih = scratch.Slice(0, bt * g3);
        Span<float> dGhh = scratch.Slice(bt * g3, bt * g3);
        Span<float> dh = scratch.Slice(2 * bt * g3, batch * h);
        Span<float> biasSum = scratch.Slice(2 * bt * g3 + batch * h, g3);

        RecurrentKernel.LoadGradient(dhN, dh);

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> di = dGih.Slice(row * g3, g3);
                Span<float> dhh = dGhh.Slice(row * g3, g3);
                if (t >= lengths[b])
                {
                    // Padded: no gate gradient, dh flows through unchanged, dy ignored.
                    di.Clear();
                    dhh.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                if (!dy.IsEmpty) TensorPrimitives.Add(dhRow, dy.Slice(row * lddy, h), dhRow);
                // Writes both dgate rows and replaces dh by its direct term dh⊙z; the
                // recurrent GEMM below then adds dGhh·W_hh.
                RecurrentGateGradients.Gru(gates.Slice(row * g3, g3), hidN.Slice(row * h, h),
                    hPrev.Slice(row * h, h), dhRow, di, dhh);
            }
            if (s > 0 || !dh0.IsEmpty)
            {
                Gemm.Multiply(false, false, batch, h, g3, dGhh.Slice(t * g3), steps * g3,
                    weights.HiddenHidden, h, dh, h, accumulate: true);
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        RecurrentKernel.AccumulateParameterGradients(dims, g3, x, hPrev, dGih, dGhh, weights.InputHidden,
            gradients, dx, biasSum);
    }
}
