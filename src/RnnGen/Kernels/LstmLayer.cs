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
/// Scratch layout: dG [B·T, 4H] with row pitch <c>RecurrentKernel.GradientPitch(4H)</c> (pre-activation gradients,
/// 0 on padded rows), dh [B, H], dc [B, H], biasSum [4H].
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
        return checked((batch * steps * RecurrentKernel.GradientPitch(4 * hiddenSize)) + 2 * batch * hiddenSize + 4 * hiddenSize);
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
        Span<float> bias = cache.Slice(bt * (g4 + 3 * h) + 2 * batch * h, g4);
        // Both biases fold into the hoisted input projection: one GEMM over all B·T rows.
        TensorPrimitives.Add(weights.BiasInputHidden.Slice(0, g4), weights.BiasHiddenHidden.Slice(0, g4), bias);

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* px = x, pwih = weights.InputHidden, pwhh = weights.HiddenHidden, ph0 = h0, pc0 = c0)
            fixed (float* py = y, pcache = cache)
            {
                var a = new ForwardArgs
                {
                    Batch = batch, Steps = steps, InputSize = dims.InputSize, Hidden = h, Reverse = reverse,
                    Lengths = pLengths, X = px, Wih = pwih, Y = py, Ldy = ldy,
                    H0 = h0.IsEmpty ? null : ph0, C0 = c0.IsEmpty ? null : pc0,
                    Gates = pcache, HPrev = pcache + (bt * g4), CPrev = pcache + (bt * (g4 + h)),
                    TanhC = pcache + (bt * (g4 + 2 * h)), HLast = pcache + (bt * (g4 + 3 * h)),
                    CLast = pcache + (bt * (g4 + 3 * h)) + (batch * h), Bias = pcache + (bt * (g4 + 3 * h)) + (2 * batch * h),
                };
                if (batch == 1)
                {
                    // One sequence: blocked matrix-vector steps, hidden units split across both cores.
                    RecurrentKernel.LoadState(h0, new Span<float>(a.HPrev, steps * h), RecurrentKernel.TimeAt(0, steps, reverse), dims);
                    RecurrentKernel.LoadState(c0, new Span<float>(a.CPrev, steps * h), RecurrentKernel.TimeAt(0, steps, reverse), dims);
                    var single = new SingleSequenceLayer.Args
                    {
                        Cell = RecurrentCell.Lstm, Gates = Gates, Steps = steps, InputSize = dims.InputSize, Hidden = h, Ldy = ldy,
                        Length = lengths[0], Reverse = reverse, HasH0 = !h0.IsEmpty,
                        X = px, Wih = pwih, Whh = pwhh, Bias = a.Bias, Y = py, Pre = a.Gates, HPrev = a.HPrev, CPrev = a.CPrev,
                        TanhC = a.TanhC, HLast = a.HLast, CLast = a.CLast,
                    };
                    SingleSequenceLayer.Run(ref single);
                }
                else
                {
                    // W_hhᵀ (the step GEMM's B) and W_ihᵀ (the projection's B) packed once per call into the micro-kernel's
                    // panels where that pays — half by each core when the sequences are split between them.
                    a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g4 * (dims.InputSize + h));
                    int fewestPartBatch = a.Split > 0 ? Math.Min(a.Split, batch - a.Split) : batch;
                    a.Panels = RecurrentKernel.StepPanels.Create(pwhh, pwih, g4, h, dims.InputSize, steps, fewestPartBatch);
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

        Span<float> hLast = cache.Slice(bt * (g4 + 3 * h), batch * h);
        Span<float> cLast = cache.Slice(bt * (g4 + 3 * h) + batch * h, batch * h);
        if (!hN.IsEmpty) hLast.CopyTo(hN);
        if (!cN.IsEmpty) cLast.CopyTo(cN);
    }

    private unsafe struct ForwardArgs
    {
        public int Batch, Steps, InputSize, Hidden, Ldy, Split;
        public bool Reverse;
        public int* Lengths;
        public float* X, Wih, Whh, H0, C0, Y, Gates, HPrev, CPrev, TanhC, HLast, CLast, Bias;
        public RecurrentKernel.StepPanels Panels;
    }

    private static unsafe void ForwardPart(void* state, int part)
    {
        ref ForwardArgs a = ref *(ForwardArgs*)state;
        if (part == 0) ForwardRange(ref a, 0, a.Split);
        else ForwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The whole forward pass for sequences [b0, b1): rows b·T + t of every buffer are contiguous per sequence.</summary>
    private static unsafe void ForwardRange(ref ForwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, g4 = 4 * h, inSize = a.InputSize;
        int bt = batch * steps, fullBt = a.Batch * steps;
        var dims = new LayerDims(batch, steps, inSize, h);
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var x = new ReadOnlySpan<float>(a.X + ((nint)b0 * steps * inSize), bt * inSize);
        var gates = new Span<float>(a.Gates + ((nint)b0 * steps * g4), bt * g4);
        var hPrev = new Span<float>(a.HPrev + ((nint)b0 * steps * h), bt * h);
        var cPrev = new Span<float>(a.CPrev + ((nint)b0 * steps * h), bt * h);
        var tanhC = new Span<float>(a.TanhC + ((nint)b0 * steps * h), bt * h);
        var hLast = new Span<float>(a.HLast + ((nint)b0 * h), batch * h);
        var cLast = new Span<float>(a.CLast + ((nint)b0 * h), batch * h);
        var y = new Span<float>(a.Y + ((nint)b0 * steps * a.Ldy), ((fullBt - (b0 * steps) - 1) * a.Ldy) + h);
        var h0 = a.H0 == null ? default : new ReadOnlySpan<float>(a.H0 + ((nint)b0 * h), batch * h);
        var c0 = a.C0 == null ? default : new ReadOnlySpan<float>(a.C0 + ((nint)b0 * h), batch * h);
        var wih = new ReadOnlySpan<float>(a.Wih, g4 * inSize);
        var bias = new ReadOnlySpan<float>(a.Bias, g4);
        int ldy = a.Ldy;
        bool reverse = a.Reverse;

        RecurrentKernel.ProjectInput(dims, g4, x, wih, bias, gates, a.Panels.WihPanels);
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
                if (a.Whh != null) Gemm.MultiplyPrepacked(batch, g4, h, hPrev.Slice(t * h), steps * h, a.Whh, gates.Slice(t * g4), steps * g4, accumulate: true);
                else Gemm.Multiply(false, true, batch, g4, h, hPrev.Slice(t * h), steps * h, new ReadOnlySpan<float>(a.Panels.Whh, g4 * h), h, gates.Slice(t * g4), steps * g4, accumulate: true);
            }

            bool last = s == steps - 1;
            int tNext = last ? 0 : RecurrentKernel.TimeAt(s + 1, steps, reverse);
            Span<float> hDst = last ? hLast : hPrev.Slice(tNext * h);
            Span<float> cDst = last ? cLast : cPrev.Slice(tNext * h);
            int dstStride = last ? h : steps * h;

            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                ReadOnlySpan<float> cp = cPrev.Slice(row * h, h);
                Span<float> hOut = hDst.Slice(b * dstStride, h);
                Span<float> cOut = cDst.Slice(b * dstStride, h);
                Span<float> yRow = y.Slice(row * ldy, h);
                if (t >= lengths[b])
                {
                    // Padded position: state carried unchanged, output 0.
                    hPrev.Slice(row * h, h).CopyTo(hOut);
                    cp.CopyTo(cOut);
                    yRow.Clear();
                    continue;
                }
                // One fused pass: σ/tanh of the gates, c' = f⊙c + i⊙g, tanh(c'), h' = o⊙tanh(c'), output.
                FastCells.Lstm(gates.Slice(row * g4, g4), cp, cOut, tanhC.Slice(row * h, h), hOut, yRow, h);
            }
        }
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
        int ldg = RecurrentKernel.GradientPitch(g4);
        Span<float> dG = scratch.Slice(0, bt * ldg);
        Span<float> dh = scratch.Slice(bt * ldg, batch * h);
        Span<float> dc = scratch.Slice(bt * ldg + batch * h, batch * h);
        Span<float> biasSum = scratch.Slice(bt * ldg + 2 * batch * h, g4);

        RecurrentKernel.LoadGradient(dhN, dh);
        RecurrentKernel.LoadGradient(dcN, dc);
        bool wantInitial = !dh0.IsEmpty || !dc0.IsEmpty;

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* pcache = cache, pdy = dy, pwhh = weights.HiddenHidden, pscratch = scratch)
            {
                var a = new BackwardArgs
                {
                    Batch = batch, Steps = steps, Hidden = h, Reverse = reverse, WantInitial = wantInitial,
                    Lengths = pLengths, Gates = pcache, CPrev = pcache + (bt * (g4 + h)), TanhC = pcache + (bt * (g4 + 2 * h)),
                    Dy = dy.IsEmpty ? null : pdy, Lddy = lddy, Whh = pwhh,
                    DG = pscratch, Ldg = ldg, Dh = pscratch + (bt * ldg), Dc = pscratch + (bt * ldg) + (batch * h),
                };
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g4 * h);
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
        if (!dc0.IsEmpty) dc.CopyTo(dc0);
        RecurrentKernel.AccumulateParameterGradients(dims, g4, ldg, x, hPrev, dG, dG, weights.InputHidden,
            gradients, dx, biasSum);
    }

    private unsafe struct BackwardArgs
    {
        public int Batch, Steps, Hidden, Lddy, Split, Ldg;
        public bool Reverse, WantInitial;
        public int* Lengths;
        public float* Gates, CPrev, TanhC, Dy, Whh, DG, Dh, Dc;
    }

    private static unsafe void BackwardPart(void* state, int part)
    {
        ref BackwardArgs a = ref *(BackwardArgs*)state;
        if (part == 0) BackwardRange(ref a, 0, a.Split);
        else BackwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The BPTT time loop for sequences [b0, b1): per step the gate gradients and dh = dG·W_hh.</summary>
    private static unsafe void BackwardRange(ref BackwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, g4 = 4 * h, bt = batch * steps, fullBt = a.Batch * steps;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var gates = new ReadOnlySpan<float>(a.Gates + ((nint)b0 * steps * g4), bt * g4);
        var cPrev = new ReadOnlySpan<float>(a.CPrev + ((nint)b0 * steps * h), bt * h);
        var tanhC = new ReadOnlySpan<float>(a.TanhC + ((nint)b0 * steps * h), bt * h);
        var dy = a.Dy == null ? default : new ReadOnlySpan<float>(a.Dy + ((nint)b0 * steps * a.Lddy), ((fullBt - (b0 * steps) - 1) * a.Lddy) + h);
        var whh = new ReadOnlySpan<float>(a.Whh, g4 * h);
        int ldg = a.Ldg;
        var dG = new Span<float>(a.DG + ((nint)b0 * steps * ldg), bt * ldg);
        var dh = new Span<float>(a.Dh + ((nint)b0 * h), batch * h);
        var dc = new Span<float>(a.Dc + ((nint)b0 * h), batch * h);
        int lddy = a.Lddy;
        bool reverse = a.Reverse, wantInitial = a.WantInitial;

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> dg = dG.Slice(row * ldg, g4);
                if (t >= lengths[b])
                {
                    // Padded: no gate gradient, dh and dc flow through unchanged, dy ignored.
                    dg.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                Span<float> dcRow = dc.Slice(b * h, h);
                // Adds dy in registers and leaves dh 0: the recurrent GEMM below accumulates dG·W_hh onto
                // it (valid rows start from 0, padded rows keep their carried dh; their dG row is 0).
                RecurrentGateGradients.Lstm(gates.Slice(row * g4, g4), tanhC.Slice(row * h, h),
                    cPrev.Slice(row * h, h), dhRow, dy.IsEmpty ? default : dy.Slice(row * lddy, h), dcRow, dg);
            }
            if (s > 0 || wantInitial)
            {
                Gemm.Multiply(false, false, batch, h, g4, dG.Slice(t * ldg), steps * ldg,
                    whh, h, dh, h, accumulate: true);
            }
        }
    }
}
