using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// One direction of one LSTM layer with optional peepholes, projection, layer normalisation and
/// recurrent (variational) dropout, over a padded batch with PyTorch <c>pack_padded_sequence</c>
/// masking — the same contract as <see cref="LstmLayer"/> (see docs/kernels-variants.md).
/// </summary>
/// <remarks>
/// Per valid position (S = state width: P with a projection, else H; m = recurrent mask row or 1):
/// <code>
/// a      = W_ih x + b_ih + W_hh (m⊙h) + b_hh            (blocks i, f, g, o)
/// â_k    = LN_k(a_k) = γ_k⊙(a_k − μ)/√(σ² + ε) + β_k     (layer norm; else â = a)
/// i = σ(â_i + p_i⊙c),  f = σ(â_f + p_f⊙c),  g = tanh(â_g)  (peepholes; else p = 0)
/// c'     = f⊙c + i⊙g
/// o      = σ(â_o + p_o⊙c')
/// h'     = W_hr (o⊙tanh(LN_c(c')))                      (projection / cell layer norm optional)
/// </code>
/// Cache (rows b·T + t, time order like x), in this order, absent parts have length 0:
/// Gates [B·T, 4H] (pre-activations, then activated i, f, g, o on valid rows) · HPrev [B·T, S] ·
/// CPrev [B·T, H] · CNew [B·T, H] (c') · TanhC [B·T, H] (tanh of LN(c') or c') ·
/// R [B·T, H] (o⊙TanhC; projection only) · GHat [B·T, 4H] and GRstd [B·T, 4] (layer norm) ·
/// CHat [B·T, H] and CRstd [B·T] (layer norm) · HLast [B, S] · CLast [B, H] · Bias [4H] · Work [B, S].
/// Scratch: dG [B·T, 4H] · DHt [B·T, P] (projection only) · dh [B, S] · dc [B, H] · DRec [B, S] ·
/// DR [B, H] (projection only) · HRec [B·T, S] · Tmp [H] · ParamSum [13H] · BiasSum [4H].
/// </remarks>
public static class LstmVariantLayer
{
    public const int Gates = 4;

    private const int ParamSumPerH = 13; // peephole 3H, gate LN γ 4H, β 4H, cell LN γ H, β H

    private readonly struct CacheLayout
    {
        public readonly int Gates, HPrev, CPrev, CNew, TanhC, R, GHat, GRstd, CHat, CRstd, HLast, CLast, Bias, Work, Total;

        public CacheLayout(int batch, int steps, int h, in LstmVariantOptions o)
        {
            int bt = checked(batch * steps), s = o.StateSize(h);
            bool proj = o.ProjectionSize > 0, ln = o.LayerNorm;
            int p = 0;
            Gates = p; p = checked(p + bt * 4 * h);
            HPrev = p; p = checked(p + bt * s);
            CPrev = p; p = checked(p + bt * h);
            CNew = p; p = checked(p + bt * h);
            TanhC = p; p = checked(p + bt * h);
            R = p; p = checked(p + (proj ? bt * h : 0));
            GHat = p; p = checked(p + (ln ? bt * 4 * h : 0));
            GRstd = p; p = checked(p + (ln ? bt * 4 : 0));
            CHat = p; p = checked(p + (ln ? bt * h : 0));
            CRstd = p; p = checked(p + (ln ? bt : 0));
            HLast = p; p = checked(p + batch * s);
            CLast = p; p = checked(p + batch * h);
            Bias = p; p = checked(p + 4 * h);
            Work = p; p = checked(p + batch * s);
            Total = p;
        }
    }

    private readonly struct ScratchLayout
    {
        public readonly int DG, DHt, Dh, Dc, DRec, DR, HRec, Tmp, ParamSum, BiasSum, Total;

        public ScratchLayout(int batch, int steps, int h, in LstmVariantOptions o)
        {
            int bt = checked(batch * steps), s = o.StateSize(h);
            bool proj = o.ProjectionSize > 0;
            int p = 0;
            DG = p; p = checked(p + bt * 4 * h);
            DHt = p; p = checked(p + (proj ? bt * s : 0));
            Dh = p; p = checked(p + batch * s);
            Dc = p; p = checked(p + batch * h);
            DRec = p; p = checked(p + batch * s);
            DR = p; p = checked(p + (proj ? batch * h : 0));
            HRec = p; p = checked(p + bt * s);
            Tmp = p; p = checked(p + h);
            ParamSum = p; p = checked(p + ParamSumPerH * h);
            BiasSum = p; p = checked(p + 4 * h);
            Total = p;
        }
    }

    /// <summary>Floats of cache one Forward call needs (and Backward reads).</summary>
    public static int CacheLength(int batch, int steps, int hiddenSize, LstmVariantOptions options)
    {
        VariantChecks.Sizes(batch, steps, hiddenSize);
        VariantChecks.Projection(options, hiddenSize);
        return new CacheLayout(batch, steps, hiddenSize, options).Total;
    }

    /// <summary>Floats of scratch one Backward call needs (contents need not survive between calls).</summary>
    public static int ScratchLength(int batch, int steps, int hiddenSize, LstmVariantOptions options)
    {
        VariantChecks.Sizes(batch, steps, hiddenSize);
        VariantChecks.Projection(options, hiddenSize);
        return new ScratchLayout(batch, steps, hiddenSize, options).Total;
    }

    /// <summary>
    /// Forward pass. Shapes (S = <see cref="LstmVariantOptions.StateSize"/>): x [B, T, I];
    /// recurrentMask [B, S] or empty (no recurrent dropout); h0 [B, S] / c0 [B, H] or empty for zeros;
    /// y row b·T + t at <c>y[(b·T+t)·ldy + j]</c>, j &lt; S (0 on padded positions); hN [B, S] / cN [B, H]
    /// or empty when not wanted; cache ≥ <see cref="CacheLength"/>. hN may alias h0, cN may alias c0.
    /// </summary>
    public static void Forward(LayerDims dims, LstmVariantOptions options, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, LstmVariantWeights weights, ReadOnlySpan<float> recurrentMask,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> y, int ldy,
        Span<float> hN, Span<float> cN,
        Span<float> cache)
    {
        CheckCommon(dims, options, lengths, x, weights, recurrentMask, h0, c0);
        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, inSize = dims.InputSize;
        int sw = options.StateSize(h), bt = batch * steps, g4 = 4 * h;
        VariantChecks.Strided(y.Length, ldy, sw, optional: false, "y", "ldy", dims);
        VariantChecks.Optional(hN.Length, (long)batch * sw, "hN", "[B, S] or empty", dims);
        VariantChecks.Optional(cN.Length, (long)batch * h, "cN", "[B, H] or empty", dims);
        var L = new CacheLayout(batch, steps, h, options);
        VariantChecks.Length(cache.Length, L.Total, "cache", "CacheLength(B, T, H, options)", dims);

        bool proj = options.ProjectionSize > 0, ln = options.LayerNorm;
        RecurrentWeights core = weights.Core;
        // Both biases fold into the hoisted input projection (added in the GEMM's tile store).
        TensorPrimitives.Add(core.BiasInputHidden.Slice(0, g4), core.BiasHiddenHidden.Slice(0, g4), cache.Slice(L.Bias, g4));

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* px = x, pwih = core.InputHidden, pwhh = core.HiddenHidden, pmask = recurrentMask, ph0 = h0, pc0 = c0)
            fixed (float* ppeep = weights.Peephole, pproj = weights.Projection, pgw = weights.LayerNormGatesWeight, pgb = weights.LayerNormGatesBias)
            fixed (float* pcw = weights.LayerNormCellWeight, pcb = weights.LayerNormCellBias, py = y, pcache = cache)
            {
                var a = new ForwardArgs
                {
                    Batch = batch, Steps = steps, InputSize = inSize, Hidden = h, State = sw, Ldy = ldy, Reverse = reverse, Options = options,
                    Layout = L, Lengths = pLengths, X = px, Wih = pwih, Whh = pwhh, Mask = recurrentMask.IsEmpty ? null : pmask,
                    H0 = h0.IsEmpty ? null : ph0, C0 = c0.IsEmpty ? null : pc0, Peephole = ppeep, Projection = pproj,
                    GatesWeight = pgw, GatesBias = pgb, CellWeight = pcw, CellBias = pcb, Y = py, Cache = pcache,
                };
                // Sequences of ≥ PackedWeights.MinPanelSteps steps with B ≥ 2: W_hhᵀ (and W_hrᵀ) packed once per call into the
                // micro-kernel's panels instead of being packed (or read strided) by every step's GEMM.
                if (batch >= 2 && steps >= PackedWeights.MinPanelSteps)
                {
                    a.WhhPanels = PackedWeights.Panels(core.HiddenHidden, sw, g4, transpose: true);
                    if (proj) a.ProjectionPanels = PackedWeights.SecondPanels(weights.Projection, h, sw, transpose: true);
                }
                // Both cores, one half of the sequences each (rows b·T + t of every buffer are contiguous per sequence).
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g4 * (inSize + sw));
                if (a.Split > 0)
                {
                    ParallelWorker.Run(&ForwardPart, &a);
                }
                else
                {
                    ForwardRange(ref a, 0, batch);
                }
            }
        }

        Span<float> hLast = cache.Slice(L.HLast, batch * sw);
        Span<float> cLast = cache.Slice(L.CLast, batch * h);
        if (!hN.IsEmpty) hLast.CopyTo(hN);
        if (!cN.IsEmpty) cLast.CopyTo(cN);
    }

    /// <summary>Pointers to everything <see cref="ForwardRange"/> reads and writes (pinned by <see cref="Forward"/>).</summary>
    private unsafe struct ForwardArgs
    {
        public int Batch, Steps, InputSize, Hidden, State, Ldy, Split;
        public bool Reverse;
        public LstmVariantOptions Options;
        public CacheLayout Layout;
        public int* Lengths;
        public float* X, Wih, Whh, Mask, H0, C0, Peephole, Projection, GatesWeight, GatesBias, CellWeight, CellBias, Y, Cache;
        /// <summary>W_hhᵀ and W_hrᵀ in the micro-kernel's panels, or null (per-step GEMMs on the stored weights).</summary>
        public float* WhhPanels, ProjectionPanels;
    }

    private static unsafe void ForwardPart(void* state, int part)
    {
        ref ForwardArgs a = ref *(ForwardArgs*)state;
        if (part == 0) ForwardRange(ref a, 0, a.Split);
        else ForwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The whole forward pass for sequences [b0, b1) (the cache contract of the class remarks).</summary>
    private static unsafe void ForwardRange(ref ForwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, sw = a.State, inSize = a.InputSize, ldy = a.Ldy;
        int bt = batch * steps, g4 = 4 * h;
        bool reverse = a.Reverse;
        LstmVariantOptions options = a.Options;
        CacheLayout L = a.Layout;
        bool peep = options.Peepholes, proj = options.ProjectionSize > 0, ln = options.LayerNorm, masked = a.Mask != null;
        nint rows0 = (nint)b0 * steps; // the range's first row b0·T
        float* c = a.Cache;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var x = new ReadOnlySpan<float>(a.X + (rows0 * inSize), bt * inSize);
        var recurrentMask = masked ? new ReadOnlySpan<float>(a.Mask + ((nint)b0 * sw), batch * sw) : default;
        var h0 = a.H0 == null ? default : new ReadOnlySpan<float>(a.H0 + ((nint)b0 * sw), batch * sw);
        var c0 = a.C0 == null ? default : new ReadOnlySpan<float>(a.C0 + ((nint)b0 * h), batch * h);
        var y = new Span<float>(a.Y + (rows0 * ldy), ((bt - 1) * ldy) + sw);
        var gates = new Span<float>(c + L.Gates + (rows0 * g4), bt * g4);
        var hPrev = new Span<float>(c + L.HPrev + (rows0 * sw), bt * sw);
        var cPrev = new Span<float>(c + L.CPrev + (rows0 * h), bt * h);
        var cNew = new Span<float>(c + L.CNew + (rows0 * h), bt * h);
        var tanhC = new Span<float>(c + L.TanhC + (rows0 * h), bt * h);
        var rBuf = proj ? new Span<float>(c + L.R + (rows0 * h), bt * h) : default;
        var gHat = ln ? new Span<float>(c + L.GHat + (rows0 * g4), bt * g4) : default;
        var gRstd = ln ? new Span<float>(c + L.GRstd + (rows0 * 4), bt * 4) : default;
        var cHat = ln ? new Span<float>(c + L.CHat + (rows0 * h), bt * h) : default;
        var cRstd = ln ? new Span<float>(c + L.CRstd + rows0, bt) : default;
        var hLast = new Span<float>(c + L.HLast + ((nint)b0 * sw), batch * sw);
        var cLast = new Span<float>(c + L.CLast + ((nint)b0 * h), batch * h);
        var bias = new ReadOnlySpan<float>(c + L.Bias, g4);
        var work = new Span<float>(c + L.Work + ((nint)b0 * sw), batch * sw);
        var whh = new ReadOnlySpan<float>(a.Whh, g4 * sw);
        var peephole = peep ? new ReadOnlySpan<float>(a.Peephole, 3 * h) : default;
        var projection = proj ? new ReadOnlySpan<float>(a.Projection, sw * h) : default;
        var gatesWeight = ln ? new ReadOnlySpan<float>(a.GatesWeight, g4) : default;
        var gatesBias = ln ? new ReadOnlySpan<float>(a.GatesBias, g4) : default;
        var cellWeight = ln ? new ReadOnlySpan<float>(a.CellWeight, h) : default;
        var cellBias = ln ? new ReadOnlySpan<float>(a.CellBias, h) : default;

        // Hoisted input projection for the range's rows: one GEMM, b_ih + b_hh added in its tile store.
        RecurrentKernel.ProjectInput(new LayerDims(batch, steps, inSize, h), g4, x, new ReadOnlySpan<float>(a.Wih, g4 * inSize), bias, gates);
        int tFirst = VariantChecks.TimeAt(0, steps, reverse);
        VariantChecks.LoadState(h0, hPrev, tFirst, batch, steps, sw);
        VariantChecks.LoadState(c0, cPrev, tFirst, batch, steps, h);

        for (int s = 0; s < steps; s++)
        {
            int t = VariantChecks.TimeAt(s, steps, reverse);
            if (s > 0 || !h0.IsEmpty)
            {
                // a(t) += (m⊙h)·W_hhᵀ for the B rows of time t.
                if (masked)
                {
                    for (int b = 0; b < batch; b++)
                    {
                        TensorPrimitives.Multiply(recurrentMask.Slice(b * sw, sw), hPrev.Slice((b * steps + t) * sw, sw), work.Slice(b * sw, sw));
                    }
                    if (a.WhhPanels != null) Gemm.MultiplyPrepacked(batch, g4, sw, work, sw, a.WhhPanels, gates.Slice(t * g4), steps * g4, accumulate: true);
                    else Gemm.Multiply(false, true, batch, g4, sw, work, sw, whh, sw, gates.Slice(t * g4), steps * g4, accumulate: true);
                }
                else
                {
                    if (a.WhhPanels != null) Gemm.MultiplyPrepacked(batch, g4, sw, hPrev.Slice(t * sw), steps * sw, a.WhhPanels, gates.Slice(t * g4), steps * g4, accumulate: true);
                    else Gemm.Multiply(false, true, batch, g4, sw, hPrev.Slice(t * sw), steps * sw, whh, sw, gates.Slice(t * g4), steps * g4, accumulate: true);
                }
            }

            bool last = s == steps - 1;
            int tNext = last ? 0 : VariantChecks.TimeAt(s + 1, steps, reverse);
            Span<float> hDst = last ? hLast : hPrev.Slice(tNext * sw);
            Span<float> cDst = last ? cLast : cPrev.Slice(tNext * h);
            int hStride = last ? sw : steps * sw;
            int cStride = last ? h : steps * h;

            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                ReadOnlySpan<float> cp = cPrev.Slice(row * h, h);
                Span<float> cOut = cDst.Slice(b * cStride, h);
                if (t >= lengths[b])
                {
                    cp.CopyTo(cOut);
                    if (proj) rBuf.Slice(row * h, h).Clear();
                    continue;
                }
                Span<float> g = gates.Slice(row * g4, g4);
                if (ln)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        gRstd[row * 4 + k] = LayerNormRow.Forward(g.Slice(k * h, h),
                            gatesWeight.Slice(k * h, h), gatesBias.Slice(k * h, h),
                            gHat.Slice(row * g4 + k * h, h));
                    }
                }
                if (!ln)
                {
                    // One fused pass per row (the cell layer norm would need c' whole before tanh).
                    Span<float> cNewRow = cNew.Slice(row * h, h), tanhRow = tanhC.Slice(row * h, h);
                    Span<float> hRow = proj ? rBuf.Slice(row * h, h) : hDst.Slice(b * hStride, h);
                    if (peep) FastCells.LstmPeephole(g, cp, peephole, cNewRow, tanhRow, hRow, h);
                    else FastCells.Lstm(g, cp, cNewRow, tanhRow, hRow, hRow, h);
                    cNewRow.CopyTo(cOut);
                    continue;
                }
                Span<float> gi = g.Slice(0, h), gf = g.Slice(h, h), gg = g.Slice(2 * h, h), go = g.Slice(3 * h, h);
                if (peep)
                {
                    TensorPrimitives.MultiplyAdd(peephole.Slice(0, h), cp, gi, gi);
                    TensorPrimitives.MultiplyAdd(peephole.Slice(h, h), cp, gf, gf);
                }
                Span<float> ifGates = g.Slice(0, 2 * h);
                ActivationMath.Sigmoid(ifGates, ifGates);
                ActivationMath.Tanh(gg, gg);

                // c' = f⊙c + i⊙g (same operation order as LstmLayer).
                Span<float> cn = cNew.Slice(row * h, h);
                TensorPrimitives.Multiply(gi, gg, cn);
                TensorPrimitives.MultiplyAdd(gf, cp, cn, cn);
                cn.CopyTo(cOut);
                if (peep) TensorPrimitives.MultiplyAdd(peephole.Slice(2 * h, h), cn, go, go);
                ActivationMath.Sigmoid(go, go);

                Span<float> tc = tanhC.Slice(row * h, h);
                if (ln)
                {
                    cn.CopyTo(tc);
                    cRstd[row] = LayerNormRow.Forward(tc, cellWeight, cellBias, cHat.Slice(row * h, h));
                    ActivationMath.Tanh(tc, tc);
                }
                else
                {
                    ActivationMath.Tanh(cn, tc);
                }
                TensorPrimitives.Multiply(go, tc, proj ? rBuf.Slice(row * h, h) : hDst.Slice(b * hStride, h));
            }

            if (proj)
            {
                // h' = R·W_hrᵀ for the B rows (padded rows are fixed up below).
                if (a.ProjectionPanels != null) Gemm.MultiplyPrepacked(batch, sw, h, rBuf.Slice(t * h), steps * h, a.ProjectionPanels, hDst, hStride, accumulate: false);
                else Gemm.Multiply(false, true, batch, sw, h, rBuf.Slice(t * h), steps * h, projection, h, hDst, hStride, accumulate: false);
            }

            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> hOut = hDst.Slice(b * hStride, sw);
                Span<float> yRow = y.Slice(row * ldy, sw);
                if (t >= lengths[b])
                {
                    hPrev.Slice(row * sw, sw).CopyTo(hOut);
                    yRow.Clear();
                }
                else
                {
                    hOut.CopyTo(yRow);
                }
            }
        }

    }

    /// <summary>
    /// BPTT through the cache written by <see cref="Forward"/> with the same dims, options, reverse, lengths,
    /// weights, mask and x. dy like y (lddy ≥ S) or empty; dhN [B, S] / dcN [B, H] or empty for zeros.
    /// Every gradient in <paramref name="gradients"/> whose option is on, and dx [B, T, I], are ADDED into;
    /// dh0 [B, S] / dc0 [B, H] are overwritten; empty dx/dh0/dc0 are not computed. h0/c0 are not read.
    /// </summary>
    public static void Backward(LayerDims dims, LstmVariantOptions options, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, LstmVariantWeights weights, ReadOnlySpan<float> recurrentMask,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy,
        ReadOnlySpan<float> dhN, ReadOnlySpan<float> dcN,
        LstmVariantGradients gradients,
        Span<float> dx,
        Span<float> dh0, Span<float> dc0,
        Span<float> scratch)
    {
        CheckCommon(dims, options, lengths, x, weights, recurrentMask, h0, c0);
        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, inSize = dims.InputSize;
        int sw = options.StateSize(h), bt = batch * steps, g4 = 4 * h;
        var L = new CacheLayout(batch, steps, h, options);
        var SL = new ScratchLayout(batch, steps, h, options);
        VariantChecks.Length(cache.Length, L.Total, "cache", "CacheLength(B, T, H, options)", dims);
        VariantChecks.Strided(dy.Length, lddy, sw, optional: true, "dy", "lddy", dims);
        VariantChecks.Optional(dhN.Length, (long)batch * sw, "dhN", "[B, S] or empty", dims);
        VariantChecks.Optional(dcN.Length, (long)batch * h, "dcN", "[B, H] or empty", dims);
        VariantChecks.Optional(dx.Length, (long)bt * inSize, "dx", "[B, T, I] or empty", dims);
        VariantChecks.Optional(dh0.Length, (long)batch * sw, "dh0", "[B, S] or empty", dims);
        VariantChecks.Optional(dc0.Length, (long)batch * h, "dc0", "[B, H] or empty", dims);
        VariantChecks.Length(scratch.Length, SL.Total, "scratch", "ScratchLength(B, T, H, options)", dims);
        CheckGradients(gradients, dims, options);

        bool peep = options.Peepholes, proj = options.ProjectionSize > 0, ln = options.LayerNorm, masked = !recurrentMask.IsEmpty;
        ReadOnlySpan<float> hPrev = cache.Slice(L.HPrev, bt * sw);
        ReadOnlySpan<float> rBuf = cache.Slice(L.R, proj ? bt * h : 0);
        Span<float> dG = scratch.Slice(SL.DG, bt * g4);
        Span<float> dHt = scratch.Slice(SL.DHt, proj ? bt * sw : 0);
        Span<float> dh = scratch.Slice(SL.Dh, batch * sw);
        Span<float> dc = scratch.Slice(SL.Dc, batch * h);
        Span<float> hRec = scratch.Slice(SL.HRec, bt * sw);
        Span<float> paramSum = scratch.Slice(SL.ParamSum, ParamSumPerH * h);
        Span<float> biasSum = scratch.Slice(SL.BiasSum, g4);
        RecurrentWeights core = weights.Core;

        VariantChecks.LoadGradient(dhN, dh);
        VariantChecks.LoadGradient(dcN, dc);
        paramSum.Clear();
        bool wantInitial = !dh0.IsEmpty || !dc0.IsEmpty;

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* pwhh = core.HiddenHidden, pmask = recurrentMask, ppeep = weights.Peephole, pproj = weights.Projection)
            fixed (float* pgw = weights.LayerNormGatesWeight, pgb = weights.LayerNormGatesBias, pcw = weights.LayerNormCellWeight, pcb = weights.LayerNormCellBias)
            fixed (float* pcache = cache, pdy = dy, pscratch = scratch)
            {
                var a = new BackwardArgs
                {
                    Batch = batch, Steps = steps, Hidden = h, State = sw, Lddy = lddy, Reverse = reverse, WantInitial = wantInitial,
                    Options = options, Layout = L, Scratch = SL, Lengths = pLengths, Whh = pwhh, Mask = masked ? pmask : null,
                    Peephole = ppeep, Projection = pproj, GatesWeight = pgw, GatesBias = pgb, CellWeight = pcw, CellBias = pcb,
                    Cache = pcache, Dy = dy.IsEmpty ? null : pdy, ScratchBase = pscratch,
                };
                // Both cores, one half of the sequences each; the second half sums its peephole / layer-norm parameter
                // gradients into a buffer of its own, added to the first half's after both (in that order).
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g4 * sw);
                if (a.Split > 0)
                {
                    a.SecondParamSum = ThreadScratch.Get(ref t_secondParamSum, (ParamSumPerH + 1) * h);
                    ParallelWorker.Run(&BackwardPart, &a);
                    var second = new ReadOnlySpan<float>(a.SecondParamSum, ParamSumPerH * h);
                    if (peep || ln) TensorPrimitives.Add(paramSum, second, paramSum);
                }
                else
                {
                    BackwardRange(ref a, 0, batch, pscratch + SL.ParamSum, pscratch + SL.Tmp);
                }
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        if (!dc0.IsEmpty) dc.CopyTo(dc0);

        // Parameter gradients, one GEMM / reduction each over all B·T rows (padded rows hold zero dgates).
        ReadOnlySpan<float> hIn = hPrev;
        if (masked)
        {
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> m = recurrentMask.Slice(b * sw, sw);
                for (int t = 0; t < steps; t++)
                {
                    int row = b * steps + t;
                    TensorPrimitives.Multiply(m, hPrev.Slice(row * sw, sw), hRec.Slice(row * sw, sw));
                }
            }
            hIn = hRec;
        }
        // dW_ih += dGᵀ·x, dW_hh += dGᵀ·(m⊙h), both biases += Σ dG, dx += dG·W_ih: the plain layers' kernel, with the
        // gate rows of the weight gradients (and dx's rows) split across both cores.
        RecurrentKernel.AccumulateParameterGradients(new LayerDims(batch, steps, inSize, sw), g4, g4, x, hIn, dG, dG,
            core.InputHidden, gradients.Core, dx, biasSum);
        if (proj)
        {
            Gemm.Multiply(true, false, sw, h, bt, dHt, sw, rBuf, h, gradients.Projection, h, accumulate: true);
        }
        if (peep)
        {
            TensorPrimitives.Add(gradients.Peephole.Slice(0, 3 * h), paramSum.Slice(0, 3 * h), gradients.Peephole.Slice(0, 3 * h));
        }
        if (ln)
        {
            TensorPrimitives.Add(gradients.LayerNormGatesWeight.Slice(0, g4), paramSum.Slice(3 * h, g4), gradients.LayerNormGatesWeight.Slice(0, g4));
            TensorPrimitives.Add(gradients.LayerNormGatesBias.Slice(0, g4), paramSum.Slice(7 * h, g4), gradients.LayerNormGatesBias.Slice(0, g4));
            TensorPrimitives.Add(gradients.LayerNormCellWeight.Slice(0, h), paramSum.Slice(11 * h, h), gradients.LayerNormCellWeight.Slice(0, h));
            TensorPrimitives.Add(gradients.LayerNormCellBias.Slice(0, h), paramSum.Slice(12 * h, h), gradients.LayerNormCellBias.Slice(0, h));
        }
    }

    /// <summary>Pointers to everything <see cref="BackwardRange"/> reads and writes (pinned by <see cref="Backward"/>).</summary>
    private unsafe struct BackwardArgs
    {
        public int Batch, Steps, Hidden, State, Lddy, Split;
        public bool Reverse, WantInitial;
        public LstmVariantOptions Options;
        public CacheLayout Layout;
        public ScratchLayout Scratch;
        public int* Lengths;
        public float* Whh, Mask, Peephole, Projection, GatesWeight, GatesBias, CellWeight, CellBias, Cache, Dy, ScratchBase;
        /// <summary>The second half's parameter sums [13H] and its Tmp [H] (a per-thread buffer of the caller).</summary>
        public float* SecondParamSum;
    }

    [ThreadStatic]
    private static float[]? t_secondParamSum;

    private static unsafe void BackwardPart(void* state, int part)
    {
        ref BackwardArgs a = ref *(BackwardArgs*)state;
        if (part == 0)
        {
            BackwardRange(ref a, 0, a.Split, a.ScratchBase + a.Scratch.ParamSum, a.ScratchBase + a.Scratch.Tmp);
        }
        else
        {
            new Span<float>(a.SecondParamSum, ParamSumPerH * a.Hidden).Clear();
            BackwardRange(ref a, a.Split, a.Batch, a.SecondParamSum, a.SecondParamSum + (ParamSumPerH * a.Hidden));
        }
    }

    /// <summary>The BPTT time loop for sequences [b0, b1): dG, dHt and the carried dh/dc of the range; parameter sums into <paramref name="paramSumBuffer"/>.</summary>
    private static unsafe void BackwardRange(ref BackwardArgs a, int b0, int b1, float* paramSumBuffer, float* tmpBuffer)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, sw = a.State, lddy = a.Lddy;
        int bt = batch * steps, g4 = 4 * h;
        bool reverse = a.Reverse, wantInitial = a.WantInitial;
        LstmVariantOptions options = a.Options;
        CacheLayout L = a.Layout;
        ScratchLayout SL = a.Scratch;
        bool peep = options.Peepholes, proj = options.ProjectionSize > 0, ln = options.LayerNorm, masked = a.Mask != null;
        nint rows0 = (nint)b0 * steps; // the range's first row b0·T
        float* c = a.Cache, sc = a.ScratchBase;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var recurrentMask = masked ? new ReadOnlySpan<float>(a.Mask + ((nint)b0 * sw), batch * sw) : default;
        var dy = a.Dy == null ? default : new ReadOnlySpan<float>(a.Dy + (rows0 * lddy), ((bt - 1) * lddy) + sw);
        var gates = new ReadOnlySpan<float>(c + L.Gates + (rows0 * g4), bt * g4);
        var cPrev = new ReadOnlySpan<float>(c + L.CPrev + (rows0 * h), bt * h);
        var cNew = new ReadOnlySpan<float>(c + L.CNew + (rows0 * h), bt * h);
        var tanhC = new ReadOnlySpan<float>(c + L.TanhC + (rows0 * h), bt * h);
        var gHat = ln ? new ReadOnlySpan<float>(c + L.GHat + (rows0 * g4), bt * g4) : default;
        var gRstd = ln ? new ReadOnlySpan<float>(c + L.GRstd + (rows0 * 4), bt * 4) : default;
        var cHat = ln ? new ReadOnlySpan<float>(c + L.CHat + (rows0 * h), bt * h) : default;
        var cRstd = ln ? new ReadOnlySpan<float>(c + L.CRstd + rows0, bt) : default;
        var dG = new Span<float>(sc + SL.DG + (rows0 * g4), bt * g4);
        var dHt = proj ? new Span<float>(sc + SL.DHt + (rows0 * sw), bt * sw) : default;
        var dh = new Span<float>(sc + SL.Dh + ((nint)b0 * sw), batch * sw);
        var dc = new Span<float>(sc + SL.Dc + ((nint)b0 * h), batch * h);
        var dRec = new Span<float>(sc + SL.DRec + ((nint)b0 * sw), batch * sw);
        var dR = proj ? new Span<float>(sc + SL.DR + ((nint)b0 * h), batch * h) : default;
        var tmp = new Span<float>(tmpBuffer, h);
        var paramSum = new Span<float>(paramSumBuffer, ParamSumPerH * h);
        var whh = new ReadOnlySpan<float>(a.Whh, g4 * sw);
        var projection = proj ? new ReadOnlySpan<float>(a.Projection, sw * h) : default;
        var weights = new LstmVariantWeights(default, peep ? new ReadOnlySpan<float>(a.Peephole, 3 * h) : default, projection,
            ln ? new ReadOnlySpan<float>(a.GatesWeight, g4) : default, ln ? new ReadOnlySpan<float>(a.GatesBias, g4) : default,
            ln ? new ReadOnlySpan<float>(a.CellWeight, h) : default, ln ? new ReadOnlySpan<float>(a.CellBias, h) : default);

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = VariantChecks.TimeAt(s, steps, reverse);

            // Pass A: total gradient on h(t) = carried dh + dy (valid rows); padded rows get zero dgates.
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                if (t >= lengths[b])
                {
                    dG.Slice(row * g4, g4).Clear();
                    if (proj) dHt.Slice(row * sw, sw).Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * sw, sw);
                if (!dy.IsEmpty) TensorPrimitives.Add(dhRow, dy.Slice(row * lddy, sw), dhRow);
                if (proj) dhRow.CopyTo(dHt.Slice(row * sw, sw));
            }
            if (proj)
            {
                // dR = dh'·W_hr: gradient on o⊙tanh(c') for the B rows.
                Gemm.Multiply(false, false, batch, h, sw, dHt.Slice(t * sw), steps * sw, projection, h, dR, h, accumulate: false);
            }

            // Pass B: the cell backward per valid row.
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                if (t >= lengths[b]) continue;
                ReadOnlySpan<float> dr = proj ? dR.Slice(b * h, h) : dh.Slice(b * sw, h);
                CellBackward(weights, peep, ln, h, row,
                    gates.Slice(row * g4, g4), cPrev.Slice(row * h, h), cNew.Slice(row * h, h), tanhC.Slice(row * h, h),
                    gHat, gRstd, cHat, cRstd, dr, dc.Slice(b * h, h), dG.Slice(row * g4, g4), tmp, paramSum);
            }

            // dh(t−1) = m⊙(dG·W_hh) on valid rows; padded rows keep their carried dh.
            if (s > 0 || wantInitial)
            {
                Gemm.Multiply(false, false, batch, sw, g4, dG.Slice(t * g4), steps * g4, whh, sw, dRec, sw, accumulate: false);
                for (int b = 0; b < batch; b++)
                {
                    if (t >= lengths[b]) continue;
                    Span<float> dhRow = dh.Slice(b * sw, sw);
                    if (masked) TensorPrimitives.Multiply(recurrentMask.Slice(b * sw, sw), dRec.Slice(b * sw, sw), dhRow);
                    else dRec.Slice(b * sw, sw).CopyTo(dhRow);
                }
            }
        }

    }

    /// <summary>
    /// One valid row: from dr (gradient on o⊙tanh(·)) and the carried dc(t), writes the pre-activation
    /// gradients dG [4H] (i, f, g, o; before layer norm when it is on), replaces dc by dc(t−1), and adds the
    /// peephole / layer-norm parameter gradients into paramSum.
    /// </summary>
    private static void CellBackward(in LstmVariantWeights w, bool peep, bool ln, int h, int row,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cp, ReadOnlySpan<float> cn, ReadOnlySpan<float> tc,
        ReadOnlySpan<float> gHat, ReadOnlySpan<float> gRstd, ReadOnlySpan<float> cHat, ReadOnlySpan<float> cRstd,
        ReadOnlySpan<float> dr, Span<float> dc, Span<float> dG, Span<float> tmp, Span<float> paramSum)
    {
        ReadOnlySpan<float> gi = gates.Slice(0, h), gf = gates.Slice(h, h), gg = gates.Slice(2 * h, h), go = gates.Slice(3 * h, h);
        Span<float> di = dG.Slice(0, h), df = dG.Slice(h, h), dgg = dG.Slice(2 * h, h), dO = dG.Slice(3 * h, h);
        dr = dr.Slice(0, h);
        tc = tc.Slice(0, h);
        tmp = tmp.Slice(0, h);
        for (int j = 0; j < h; j++)
        {
            float o = go[j], tcj = tc[j], d = dr[j];
            dO[j] = d * tcj * o * (1f - o);
            tmp[j] = d * o * (1f - tcj * tcj); // gradient on LN(c') (or c')
        }
        if (ln)
        {
            LayerNormRow.Backward(tmp, cHat.Slice(row * h, h), cRstd[row], w.LayerNormCellWeight,
                paramSum.Slice(11 * h, h), paramSum.Slice(12 * h, h), tmp);
        }

        ReadOnlySpan<float> pi = peep ? w.Peephole.Slice(0, h) : default;
        ReadOnlySpan<float> pf = peep ? w.Peephole.Slice(h, h) : default;
        ReadOnlySpan<float> po = peep ? w.Peephole.Slice(2 * h, h) : default;
        Span<float> dpi = paramSum.Slice(0, h), dpf = paramSum.Slice(h, h), dpo = paramSum.Slice(2 * h, h);
        for (int j = 0; j < h; j++)
        {
            float i = gi[j], f = gf[j], g = gg[j], cpj = cp[j];
            float dct = dc[j] + tmp[j];
            if (peep) dct += po[j] * dO[j];
            float dai = dct * g * i * (1f - i);
            float daf = dct * cpj * f * (1f - f);
            di[j] = dai;
            df[j] = daf;
            dgg[j] = dct * i * (1f - g * g);
            float dcp = dct * f;
            if (peep)
            {
                dcp += pi[j] * dai + pf[j] * daf;
                dpi[j] += dai * cpj;
                dpf[j] += daf * cpj;
                dpo[j] += dO[j] * cn[j];
            }
            dc[j] = dcp;
        }

        if (ln)
        {
            int g4 = 4 * h;
            for (int k = 0; k < 4; k++)
            {
                Span<float> block = dG.Slice(k * h, h);
                LayerNormRow.Backward(block, gHat.Slice(row * g4 + k * h, h), gRstd[row * 4 + k],
                    w.LayerNormGatesWeight.Slice(k * h, h), paramSum.Slice(3 * h + k * h, h), paramSum.Slice(7 * h + k * h, h), block);
            }
        }
    }

    private static void CheckCommon(in LayerDims dims, in LstmVariantOptions options, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, in LstmVariantWeights w, ReadOnlySpan<float> mask, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0)
    {
        int h = dims.HiddenSize;
        VariantChecks.Dims(dims, Gates, h > 0 ? options.StateSize(h) : 1);
        VariantChecks.Projection(options, h);
        int sw = options.StateSize(h);
        VariantChecks.Lengths(lengths, dims);
        VariantChecks.Length(x.Length, (long)dims.Batch * dims.Steps * dims.InputSize, "x", "[B, T, I]", dims);
        VariantChecks.Core(w.Core, dims, Gates, sw);
        if (options.Peepholes) VariantChecks.Length(w.Peephole.Length, 3L * h, "weights.Peephole", "[3, H]", dims);
        if (options.ProjectionSize > 0) VariantChecks.Length(w.Projection.Length, (long)sw * h, "weights.Projection", "[P, H]", dims);
        if (options.LayerNorm)
        {
            VariantChecks.Length(w.LayerNormGatesWeight.Length, 4L * h, "weights.LayerNormGatesWeight", "[4, H]", dims);
            VariantChecks.Length(w.LayerNormGatesBias.Length, 4L * h, "weights.LayerNormGatesBias", "[4, H]", dims);
            VariantChecks.Length(w.LayerNormCellWeight.Length, h, "weights.LayerNormCellWeight", "[H]", dims);
            VariantChecks.Length(w.LayerNormCellBias.Length, h, "weights.LayerNormCellBias", "[H]", dims);
        }
        VariantChecks.Mask(mask, dims, sw);
        VariantChecks.Optional(h0.Length, (long)dims.Batch * sw, "h0", "[B, S] or empty", dims);
        VariantChecks.Optional(c0.Length, (long)dims.Batch * h, "c0", "[B, H] or empty", dims);
    }

    private static void CheckGradients(in LstmVariantGradients g, in LayerDims dims, in LstmVariantOptions options)
    {
        int h = dims.HiddenSize, sw = options.StateSize(h);
        VariantChecks.Core(g.Core, dims, Gates, sw);
        if (options.Peepholes) VariantChecks.Length(g.Peephole.Length, 3L * h, "gradients.Peephole", "[3, H]", dims);
        if (options.ProjectionSize > 0) VariantChecks.Length(g.Projection.Length, (long)sw * h, "gradients.Projection", "[P, H]", dims);
        if (options.LayerNorm)
        {
            VariantChecks.Length(g.LayerNormGatesWeight.Length, 4L * h, "gradients.LayerNormGatesWeight", "[4, H]", dims);
            VariantChecks.Length(g.LayerNormGatesBias.Length, 4L * h, "gradients.LayerNormGatesBias", "[4, H]", dims);
            VariantChecks.Length(g.LayerNormCellWeight.Length, h, "gradients.LayerNormCellWeight", "[H]", dims);
            VariantChecks.Length(g.LayerNormCellBias.Length, h, "gradients.LayerNormCellBias", "[H]", dims);
        }
    }
}
