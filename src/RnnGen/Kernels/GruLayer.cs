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
/// Scratch layout: dGih [B·T, 3H] and dGhh [B·T, 3H], each with row pitch <c>RecurrentKernel.GradientPitch(3H)</c> (input- and hidden-side pre-activation
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
        return checked((2 * batch * steps * RecurrentKernel.GradientPitch(3 * hiddenSize)) + batch * hiddenSize + 3 * hiddenSize);
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
        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* px = x, pwih = weights.InputHidden, pwhh = weights.HiddenHidden, pbih = weights.BiasInputHidden, pbhh = weights.BiasHiddenHidden)
            fixed (float* ph0 = h0, py = y, pcache = cache)
            {
                var a = new ForwardArgs
                {
                    Batch = batch, Steps = steps, InputSize = dims.InputSize, Hidden = h, Reverse = reverse,
                    Lengths = pLengths, X = px, Wih = pwih, BiasIh = pbih, BiasHh = pbhh, Y = py, Ldy = ldy,
                    H0 = h0.IsEmpty ? null : ph0,
                    Gates = pcache, HidN = pcache + (bt * g3), HPrev = pcache + (bt * (g3 + h)),
                    HLast = pcache + (bt * (g3 + 2 * h)), Work = pcache + (bt * (g3 + 2 * h)) + (batch * h),
                };
                if (batch == 1)
                {
                    // One sequence: blocked matrix-vector steps, hidden units split across both cores.
                    RecurrentKernel.LoadState(h0, new Span<float>(a.HPrev, steps * h), RecurrentKernel.TimeAt(0, steps, reverse), dims);
                    var single = new SingleSequenceLayer.Args
                    {
                        Cell = RecurrentCell.Gru, Gates = Gates, Steps = steps, InputSize = dims.InputSize, Hidden = h, Ldy = ldy,
                        Length = lengths[0], Reverse = reverse, HasH0 = !h0.IsEmpty,
                        X = px, Wih = pwih, Whh = pwhh, Bias = pbih, BiasHh = pbhh, Y = py, Pre = a.Gates, HPrev = a.HPrev,
                        HidN = a.HidN, Work = a.Work, HLast = a.HLast,
                    };
                    SingleSequenceLayer.Run(ref single);
                }
                else
                {
                    // W_hhᵀ (the step GEMM's B) and W_ihᵀ (the projection's B) packed once per call into the micro-kernel's
                    // panels where that pays — half by each core when the sequences are split between them.
                    a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g3 * (dims.InputSize + h));
                    int fewestPartBatch = a.Split > 0 ? Math.Min(a.Split, batch - a.Split) : batch;
                    a.Panels = RecurrentKernel.StepPanels.Create(pwhh, pwih, g3, h, dims.InputSize, steps, fewestPartBatch);
                    a.Whh = a.Panels.WhhPanels; // null: the steps multiply the stored W_hh
                    if (a.Split > 0)
                    {
                        RecurrentKernel.RunPackedHalves(ref a.Panels, &ForwardPart, &a);
                    }
                    else
                    {
                        a.Panels.Pack(0, 1);
                        ForwardRange(ref a, 0, batch);
                    }
                }
            }
        }

        if (!hN.IsEmpty) cache.Slice(bt * (g3 + 2 * h), batch * h).CopyTo(hN);
    }

    private unsafe struct ForwardArgs
    {
        public int Batch, Steps, InputSize, Hidden, Ldy, Split;
        public bool Reverse;
        public int* Lengths;
        public float* X, Wih, Whh, BiasIh, BiasHh, H0, Y, Gates, HidN, HPrev, HLast, Work;
        public RecurrentKernel.StepPanels Panels;
    }

    private static unsafe void ForwardPart(void* state, int part)
    {
        ref ForwardArgs a = ref *(ForwardArgs*)state;
        if (part == 0) ForwardRange(ref a, 0, a.Split);
        else ForwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The whole forward pass for sequences [b0, b1) (independent of the other sequences).</summary>
    private static unsafe void ForwardRange(ref ForwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, g3 = 3 * h, inSize = a.InputSize;
        int bt = batch * steps, fullBt = a.Batch * steps;
        var dims = new LayerDims(batch, steps, inSize, h);
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var x = new ReadOnlySpan<float>(a.X + ((nint)b0 * steps * inSize), bt * inSize);
        var gates = new Span<float>(a.Gates + ((nint)b0 * steps * g3), bt * g3);
        var hidN = new Span<float>(a.HidN + ((nint)b0 * steps * h), bt * h);
        var hPrev = new Span<float>(a.HPrev + ((nint)b0 * steps * h), bt * h);
        var hLast = new Span<float>(a.HLast + ((nint)b0 * h), batch * h);
        var work = new Span<float>(a.Work + ((nint)b0 * g3), batch * g3);
        var y = new Span<float>(a.Y + ((nint)b0 * steps * a.Ldy), ((fullBt - (b0 * steps) - 1) * a.Ldy) + h);
        var h0 = a.H0 == null ? default : new ReadOnlySpan<float>(a.H0 + ((nint)b0 * h), batch * h);
        var wih = new ReadOnlySpan<float>(a.Wih, g3 * inSize);
        var biasIh = new ReadOnlySpan<float>(a.BiasIh, g3);
        var biasHh = new ReadOnlySpan<float>(a.BiasHh, g3);
        int ldy = a.Ldy;
        bool reverse = a.Reverse;

        // Only b_ih folds into the hoisted projection: b_hn must stay inside r⊙(W_hn h + b_hn).
        RecurrentKernel.ProjectInput(dims, g3, x, wih, biasIh, gates, a.Panels.WihPanels);
        RecurrentKernel.LoadState(h0, hPrev, RecurrentKernel.TimeAt(0, steps, reverse), dims);

        for (int s = 0; s < steps; s++)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            // work = b_hh + h·W_hhᵀ for the B rows of time t (h rows at stride T·H).
            // The hidden side is kept apart from the projection because of the reset gate.
            if ((s > 0 || !h0.IsEmpty) && a.Whh != null)
            {
                // b_hh added in the tile store: the same bits as filling work with it and accumulating.
                Gemm.MultiplyPrepacked(batch, g3, h, hPrev.Slice(t * h), steps * h, a.Whh, work, g3, biasHh);
            }
            else
            {
                for (int b = 0; b < batch; b++) biasHh.CopyTo(work.Slice(b * g3, g3));
                if (s > 0 || !h0.IsEmpty)
                {
                    Gemm.Multiply(false, true, batch, g3, h, hPrev.Slice(t * h), steps * h, new ReadOnlySpan<float>(a.Panels.Whh, g3 * h), h, work, g3, accumulate: true);
                }
            }

            bool last = s == steps - 1;
            Span<float> hDst = last ? hLast : hPrev.Slice(RecurrentKernel.TimeAt(s + 1, steps, reverse) * h);
            int dstStride = last ? h : steps * h;

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
                // One fused pass: r, z, n = tanh(a_n + r⊙hn), h' = n + z⊙(h − n), output.
                FastCells.Gru(gates.Slice(row * g3, g3), work.Slice(b * g3, g3), hidN.Slice(row * h, h), hp, hOut, yRow, h);
            }
        }
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
        int ldg = RecurrentKernel.GradientPitch(g3);
        Span<float> dGih = scratch.Slice(0, bt * ldg);
        Span<float> dGhh = scratch.Slice(bt * ldg, bt * ldg);
        Span<float> dh = scratch.Slice(2 * bt * ldg, batch * h);
        Span<float> biasSum = scratch.Slice(2 * bt * ldg + batch * h, g3);

        RecurrentKernel.LoadGradient(dhN, dh);

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* pcache = cache, pdy = dy, pwhh = weights.HiddenHidden, pscratch = scratch)
            {
                var a = new BackwardArgs
                {
                    Batch = batch, Steps = steps, Hidden = h, Reverse = reverse, WantInitial = !dh0.IsEmpty,
                    Lengths = pLengths, Gates = pcache, HidN = pcache + (bt * g3), HPrev = pcache + (bt * (g3 + h)),
                    Dy = dy.IsEmpty ? null : pdy, Lddy = lddy, Whh = pwhh,
                    DGih = pscratch, DGhh = pscratch + (bt * ldg), Dh = pscratch + (2 * bt * ldg), Ldg = ldg,
                };
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g3 * h);
                if (a.Split > 0)
                {
                    ParallelWorker.Run(&BackwardPart, &a);
                }
                else
                {
                    BackwardRange(ref a, 0, batch);
                }
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        RecurrentKernel.AccumulateParameterGradients(dims, g3, ldg, x, hPrev, dGih, dGhh, weights.InputHidden,
            gradients, dx, biasSum);
    }

    private unsafe struct BackwardArgs
    {
        public int Batch, Steps, Hidden, Lddy, Split, Ldg;
        public bool Reverse, WantInitial;
        public int* Lengths;
        public float* Gates, HidN, HPrev, Dy, Whh, DGih, DGhh, Dh;
    }

    private static unsafe void BackwardPart(void* state, int part)
    {
        ref BackwardArgs a = ref *(BackwardArgs*)state;
        if (part == 0) BackwardRange(ref a, 0, a.Split);
        else BackwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The BPTT time loop for sequences [b0, b1): per step the gate gradients and dh += dGhh·W_hh.</summary>
    private static unsafe void BackwardRange(ref BackwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, g3 = 3 * h, bt = batch * steps, fullBt = a.Batch * steps;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var gates = new ReadOnlySpan<float>(a.Gates + ((nint)b0 * steps * g3), bt * g3);
        var hidN = new ReadOnlySpan<float>(a.HidN + ((nint)b0 * steps * h), bt * h);
        var hPrev = new ReadOnlySpan<float>(a.HPrev + ((nint)b0 * steps * h), bt * h);
        var dy = a.Dy == null ? default : new ReadOnlySpan<float>(a.Dy + ((nint)b0 * steps * a.Lddy), ((fullBt - (b0 * steps) - 1) * a.Lddy) + h);
        var whh = new ReadOnlySpan<float>(a.Whh, g3 * h);
        int ldg = a.Ldg;
        var dGih = new Span<float>(a.DGih + ((nint)b0 * steps * ldg), bt * ldg);
        var dGhh = new Span<float>(a.DGhh + ((nint)b0 * steps * ldg), bt * ldg);
        var dh = new Span<float>(a.Dh + ((nint)b0 * h), batch * h);
        int lddy = a.Lddy;
        bool reverse = a.Reverse;

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> di = dGih.Slice(row * ldg, g3);
                Span<float> dhh = dGhh.Slice(row * ldg, g3);
                if (t >= lengths[b])
                {
                    // Padded: no gate gradient, dh flows through unchanged, dy ignored.
                    di.Clear();
                    dhh.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                // Adds dy in registers, writes both dgate rows and replaces dh by its direct term
                // (dh + dy)⊙z; the recurrent GEMM below then adds dGhh·W_hh.
                RecurrentGateGradients.Gru(gates.Slice(row * g3, g3), hidN.Slice(row * h, h),
                    hPrev.Slice(row * h, h), dhRow, dy.IsEmpty ? default : dy.Slice(row * lddy, h), di, dhh);
            }
            if (s > 0 || a.WantInitial)
            {
                Gemm.Multiply(false, false, batch, h, g3, dGhh.Slice(t * ldg), steps * ldg,
                    whh, h, dh, h, accumulate: true);
            }
        }
    }
}
