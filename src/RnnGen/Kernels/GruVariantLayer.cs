using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// One direction of one GRU layer with optional reset-before form, layer normalisation and recurrent
/// (variational) dropout, over a padded batch with PyTorch <c>pack_padded_sequence</c> masking — the
/// same contract as <see cref="GruLayer"/> (see docs/kernels-variants.md).
/// </summary>
/// <remarks>
/// Per valid position (gate blocks r, z, n; m = recurrent mask row or 1; LN_k = identity without layer norm):
/// <code>
/// r  = σ(LN_r(W_ir x + b_ir + W_hr (m⊙h) + b_hr))
/// z  = σ(LN_z(W_iz x + b_iz + W_hz (m⊙h) + b_hz))
/// n  = tanh(LN_n(W_in x + b_in + r⊙(W_hn (m⊙h) + b_hn)))     reset after (PyTorch, default)
/// n  = tanh(LN_n(W_in x + b_in + W_hn (r⊙(m⊙h)) + b_hn))     reset before (Cho et al. 2014)
/// h' = n + z⊙(h − n)                                       (h itself, not m⊙h)
/// </code>
/// Layer norm always normalises the complete argument of the nonlinearity (for reset-after n that is the
/// sum of the input part and the reset-scaled hidden part).
/// Cache (rows b·T + t), absent parts length 0: Gates [B·T, 3H] (W_ih x + b_ih, then activated r, z, n) ·
/// HidN [B·T, H] (reset-after: W_hn(m⊙h) + b_hn; reset-before: r⊙(m⊙h)) · HPrev [B·T, H] ·
/// GHat [B·T, 3H] and GRstd [B·T, 3] (layer norm) · HLast [B, H] · Work [B, 3H] · WorkRec [B, H].
/// Scratch: dGih [B·T, 3H] · dGhh [B·T, 3H] · dh [B, H] · DRec [B, H] · DRH [B, H] · HRec [B·T, H] ·
/// ParamSum [6H] · BiasSum [3H].
/// </remarks>
public static class GruVariantLayer
{
    public const int Gates = 3;

    private readonly struct CacheLayout
    {
        public readonly int Gates, HidN, HPrev, GHat, GRstd, HLast, Work, WorkRec, Total;

        public CacheLayout(int batch, int steps, int h, in GruVariantOptions o)
        {
            int bt = checked(batch * steps);
            int p = 0;
            Gates = p; p = checked(p + bt * 3 * h);
            HidN = p; p = checked(p + bt * h);
            HPrev = p; p = checked(p + bt * h);
            GHat = p; p = checked(p + (o.LayerNorm ? bt * 3 * h : 0));
            GRstd = p; p = checked(p + (o.LayerNorm ? bt * 3 : 0));
            HLast = p; p = checked(p + batch * h);
            Work = p; p = checked(p + batch * 3 * h);
            WorkRec = p; p = checked(p + batch * h);
            Total = p;
        }
    }

    private readonly struct ScratchLayout
    {
        public readonly int DGih, DGhh, Dh, DRec, DRH, HRec, ParamSum, BiasSum, Total;

        public ScratchLayout(int batch, int steps, int h)
        {
            int bt = checked(batch * steps);
            int p = 0;
            DGih = p; p = checked(p + bt * 3 * h);
            DGhh = p; p = checked(p + bt * 3 * h);
            Dh = p; p = checked(p + batch * h);
            DRec = p; p = checked(p + batch * h);
            DRH = p; p = checked(p + batch * h);
            HRec = p; p = checked(p + bt * h);
            ParamSum = p; p = checked(p + 6 * h);
            BiasSum = p; p = checked(p + 3 * h);
            Total = p;
        }
    }

    /// <summary>Floats of cache one Forward call needs (and Backward reads).</summary>
    public static int CacheLength(int batch, int steps, int hiddenSize, GruVariantOptions options)
    {
        VariantChecks.Sizes(batch, steps, hiddenSize);
        return new CacheLayout(batch, steps, hiddenSize, options).Total;
    }

    /// <summary>Floats of scratch one Backward call needs.</summary>
    public static int ScratchLength(int batch, int steps, int hiddenSize, GruVariantOptions options)
    {
        VariantChecks.Sizes(batch, steps, hiddenSize);
        return new ScratchLayout(batch, steps, hiddenSize).Total;
    }

    /// <summary>
    /// Forward pass. x [B, T, I]; recurrentMask [B, H] or empty; h0 [B, H] or empty for zeros;
    /// y row b·T + t at <c>y[(b·T+t)·ldy + j]</c>, j &lt; H (0 on padded positions); hN [B, H] or empty;
    /// cache ≥ <see cref="CacheLength"/>. hN may alias h0.
    /// </summary>
    public static void Forward(LayerDims dims, GruVariantOptions options, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, GruVariantWeights weights, ReadOnlySpan<float> recurrentMask,
        ReadOnlySpan<float> h0,
        Span<float> y, int ldy,
        Span<float> hN,
        Span<float> cache)
    {
        CheckCommon(dims, options, lengths, x, weights, recurrentMask, h0);
        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, inSize = dims.InputSize;
        int bt = batch * steps, g3 = 3 * h;
        VariantChecks.Strided(y.Length, ldy, h, optional: false, "y", "ldy", dims);
        VariantChecks.Optional(hN.Length, (long)batch * h, "hN", "[B, H] or empty", dims);
        var L = new CacheLayout(batch, steps, h, options);
        VariantChecks.Length(cache.Length, L.Total, "cache", "CacheLength(B, T, H, options)", dims);

        RecurrentWeights core = weights.Core;
        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* px = x, pwih = core.InputHidden, pwhh = core.HiddenHidden, pbih = core.BiasInputHidden, pbhh = core.BiasHiddenHidden)
            fixed (float* pmask = recurrentMask, ph0 = h0, pgw = weights.LayerNormGatesWeight, pgb = weights.LayerNormGatesBias, py = y, pcache = cache)
            {
                var a = new ForwardArgs
                {
                    Batch = batch, Steps = steps, InputSize = inSize, Hidden = h, Ldy = ldy, Reverse = reverse, Options = options,
                    Layout = L, Lengths = pLengths, X = px, Wih = pwih, Whh = pwhh, BiasIh = pbih, BiasHh = pbhh,
                    Mask = recurrentMask.IsEmpty ? null : pmask, H0 = h0.IsEmpty ? null : ph0,
                    GatesWeight = pgw, GatesBias = pgb, Y = py, Cache = pcache,
                };
                // Sequences of ≥ PackedWeights.MinPanelSteps steps with B ≥ 2: W_hhᵀ (and, reset-before, W_hnᵀ) packed once per
                // call into the micro-kernel's panels instead of being packed (or read strided) by every step's GEMM.
                if (batch >= 2 && steps >= PackedWeights.MinPanelSteps)
                {
                    a.WhhPanels = PackedWeights.Panels(core.HiddenHidden, h, g3, transpose: true);
                    if (options.ResetBefore) a.WhnPanels = PackedWeights.SecondPanels(core.HiddenHidden.Slice(2 * h * h, h * h), h, h, transpose: true);
                }
                // Both cores, one half of the sequences each (rows b·T + t of every buffer are contiguous per sequence).
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g3 * (inSize + h));
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

        Span<float> hLast = cache.Slice(L.HLast, batch * h);
        if (!hN.IsEmpty) hLast.CopyTo(hN);
    }

    /// <summary>Pointers to everything <see cref="ForwardRange"/> reads and writes (pinned by <see cref="Forward"/>).</summary>
    private unsafe struct ForwardArgs
    {
        public int Batch, Steps, InputSize, Hidden, Ldy, Split;
        public bool Reverse;
        public GruVariantOptions Options;
        public CacheLayout Layout;
        public int* Lengths;
        public float* X, Wih, Whh, BiasIh, BiasHh, Mask, H0, GatesWeight, GatesBias, Y, Cache;
        /// <summary>W_hhᵀ and (reset-before) W_hnᵀ in the micro-kernel's panels, or null (per-step GEMMs on the stored weights).</summary>
        public float* WhhPanels, WhnPanels;
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
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, inSize = a.InputSize, ldy = a.Ldy;
        int bt = batch * steps, g3 = 3 * h;
        bool reverse = a.Reverse;
        GruVariantOptions options = a.Options;
        CacheLayout L = a.Layout;
        bool before = options.ResetBefore, ln = options.LayerNorm, masked = a.Mask != null;
        nint rows0 = (nint)b0 * steps; // the range's first row b0·T
        float* c = a.Cache;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var x = new ReadOnlySpan<float>(a.X + (rows0 * inSize), bt * inSize);
        var recurrentMask = masked ? new ReadOnlySpan<float>(a.Mask + ((nint)b0 * h), batch * h) : default;
        var h0 = a.H0 == null ? default : new ReadOnlySpan<float>(a.H0 + ((nint)b0 * h), batch * h);
        var y = new Span<float>(a.Y + (rows0 * ldy), ((bt - 1) * ldy) + h);
        var gates = new Span<float>(c + L.Gates + (rows0 * g3), bt * g3);
        var hidN = new Span<float>(c + L.HidN + (rows0 * h), bt * h);
        var hPrev = new Span<float>(c + L.HPrev + (rows0 * h), bt * h);
        var gHat = ln ? new Span<float>(c + L.GHat + (rows0 * g3), bt * g3) : default;
        var gRstd = ln ? new Span<float>(c + L.GRstd + (rows0 * 3), bt * 3) : default;
        var hLast = new Span<float>(c + L.HLast + ((nint)b0 * h), batch * h);
        var work = new Span<float>(c + L.Work + ((nint)b0 * g3), batch * g3);
        var workRec = new Span<float>(c + L.WorkRec + ((nint)b0 * h), batch * h);
        var whh = new ReadOnlySpan<float>(a.Whh, g3 * h);
        var biasHh = new ReadOnlySpan<float>(a.BiasHh, g3);
        ReadOnlySpan<float> whn = whh.Slice(2 * h * h, h * h);
        var weights = new GruVariantWeights(new RecurrentWeights(new ReadOnlySpan<float>(a.Wih, g3 * inSize), whh, new ReadOnlySpan<float>(a.BiasIh, g3), biasHh),
            ln ? new ReadOnlySpan<float>(a.GatesWeight, g3) : default, ln ? new ReadOnlySpan<float>(a.GatesBias, g3) : default);

        // Hoisted input projection for the range's rows: one GEMM, b_ih added in its tile store (b_hh sits inside
        // the reset product).
        RecurrentKernel.ProjectInput(new LayerDims(batch, steps, inSize, h), g3, x, weights.Core.InputHidden, weights.Core.BiasInputHidden, gates);
        VariantChecks.LoadState(h0, hPrev, VariantChecks.TimeAt(0, steps, reverse), batch, steps, h);

        for (int s = 0; s < steps; s++)
        {
            int t = VariantChecks.TimeAt(s, steps, reverse);
            bool stateNonZero = s > 0 || !h0.IsEmpty;
            // hrec = m⊙h for the B rows of time t: either WorkRec [B, H] or the HPrev rows directly.
            ReadOnlySpan<float> hRecRows = hPrev.Slice(t * h);
            int ldRec = steps * h;
            if (masked)
            {
                for (int b = 0; b < batch; b++)
                {
                    TensorPrimitives.Multiply(recurrentMask.Slice(b * h, h), hPrev.Slice((b * steps + t) * h, h), workRec.Slice(b * h, h));
                }
                hRecRows = workRec;
                ldRec = h;
            }

            // work = b_hh + hrec·W_hhᵀ (reset-before: the r and z blocks only).
            int hiddenCols = before ? 2 * h : g3;
            if (stateNonZero && a.WhhPanels != null)
            {
                // b_hh added in the tile store (the same bits as filling work and accumulating); reset-before keeps
                // the n block's b_hn for later, so it is copied into the columns the product does not write.
                Gemm.MultiplyPrepacked(batch, hiddenCols, h, hRecRows, ldRec, a.WhhPanels, work, g3, biasHh.Slice(0, hiddenCols));
                if (hiddenCols < g3)
                {
                    for (int b = 0; b < batch; b++) biasHh.Slice(hiddenCols).CopyTo(work.Slice((b * g3) + hiddenCols, g3 - hiddenCols));
                }
            }
            else
            {
                for (int b = 0; b < batch; b++) biasHh.CopyTo(work.Slice(b * g3, g3));
                if (stateNonZero) Gemm.Multiply(false, true, batch, hiddenCols, h, hRecRows, ldRec, whh, h, work, g3, accumulate: true);
            }

            bool last = s == steps - 1;
            Span<float> hDst = last ? hLast : hPrev.Slice(VariantChecks.TimeAt(s + 1, steps, reverse) * h);
            int dstStride = last ? h : steps * h;

            // r and z for every valid row (and, reset-after, n and the new state right away).
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                if (t >= lengths[b])
                {
                    if (before) hidN.Slice(row * h, h).Clear();
                    continue;
                }
                Span<float> g = gates.Slice(row * g3, g3);
                Span<float> wk = work.Slice(b * g3, g3);
                if (!before && !ln)
                {
                    // One fused pass per row: r, z, n = tanh(a_n + r⊙hn), h' = n + z⊙(h − n) (HidN = hn).
                    Span<float> hOutRow = hDst.Slice(b * dstStride, h);
                    FastCells.Gru(g, wk, hidN.Slice(row * h, h), hPrev.Slice(row * h, h), hOutRow, hOutRow, h);
                    continue;
                }
                Span<float> rz = g.Slice(0, 2 * h);
                TensorPrimitives.Add(rz, wk.Slice(0, 2 * h), rz);
                if (ln)
                {
                    for (int k = 0; k < 2; k++)
                    {
                        gRstd[row * 3 + k] = LayerNormRow.Forward(g.Slice(k * h, h),
                            weights.LayerNormGatesWeight.Slice(k * h, h), weights.LayerNormGatesBias.Slice(k * h, h),
                            gHat.Slice(row * g3 + k * h, h));
                    }
                }
                ActivationMath.Sigmoid(rz, rz);
                Span<float> hn = hidN.Slice(row * h, h);
                if (before)
                {
                    // r⊙(m⊙h): the left operand of the hidden n-product below.
                    TensorPrimitives.Multiply(g.Slice(0, h), hRecRows.Slice(b * ldRec, h), hn);
                }
                else
                {
                    wk.Slice(2 * h, h).CopyTo(hn);
                    Span<float> n = g.Slice(2 * h, h);
                    TensorPrimitives.MultiplyAdd(g.Slice(0, h), hn, n, n); // W_in x + b_in + r⊙hn
                    FinishRow(weights, ln, h, row, g, gHat, gRstd, hPrev.Slice(row * h, h), hDst.Slice(b * dstStride, h));
                }
            }

            if (before)
            {
                // work_n = b_hn + (r⊙m⊙h)·W_hnᵀ; padded rows have zero HidN rows.
                if (stateNonZero)
                {
                    if (a.WhnPanels != null) Gemm.MultiplyPrepacked(batch, h, h, hidN.Slice(t * h), steps * h, a.WhnPanels, work.Slice(2 * h), g3, accumulate: true);
                    else Gemm.Multiply(false, true, batch, h, h, hidN.Slice(t * h), steps * h, whn, h, work.Slice(2 * h), g3, accumulate: true);
                }
                for (int b = 0; b < batch; b++)
                {
                    int row = b * steps + t;
                    if (t >= lengths[b]) continue;
                    Span<float> g = gates.Slice(row * g3, g3);
                    Span<float> n = g.Slice(2 * h, h);
                    TensorPrimitives.Add(n, work.Slice(b * g3 + 2 * h, h), n);
                    FinishRow(weights, ln, h, row, g, gHat, gRstd, hPrev.Slice(row * h, h), hDst.Slice(b * dstStride, h));
                }
            }

            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> hOut = hDst.Slice(b * dstStride, h);
                Span<float> yRow = y.Slice(row * ldy, h);
                if (t >= lengths[b])
                {
                    hPrev.Slice(row * h, h).CopyTo(hOut);
                    yRow.Clear();
                }
                else
                {
                    hOut.CopyTo(yRow);
                }
            }
        }

    }

    /// <summary>Pointers to everything <see cref="BackwardRange"/> reads and writes (pinned by <see cref="Backward"/>).</summary>
    private unsafe struct BackwardArgs
    {
        public int Batch, Steps, Hidden, Lddy, Split;
        public bool Reverse, WantInitial;
        public GruVariantOptions Options;
        public CacheLayout Layout;
        public ScratchLayout Scratch;
        public int* Lengths;
        public float* Whh, Mask, GatesWeight, GatesBias, Cache, Dy, ScratchBase, HIn;
        /// <summary>The second half's layer-norm parameter sums [6H] (a per-thread buffer of the caller).</summary>
        public float* SecondParamSum;
    }

    [ThreadStatic]
    private static float[]? t_secondParamSum;

    private static unsafe void BackwardPart(void* state, int part)
    {
        ref BackwardArgs a = ref *(BackwardArgs*)state;
        if (part == 0)
        {
            BackwardRange(ref a, 0, a.Split, a.ScratchBase + a.Scratch.ParamSum);
        }
        else
        {
            new Span<float>(a.SecondParamSum, 6 * a.Hidden).Clear();
            BackwardRange(ref a, a.Split, a.Batch, a.SecondParamSum);
        }
    }

    /// <summary>The BPTT time loop for sequences [b0, b1): the range's dgates and carried dh; layer-norm sums into <paramref name="paramSumBuffer"/>.</summary>
    private static unsafe void BackwardRange(ref BackwardArgs a, int b0, int b1, float* paramSumBuffer)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, lddy = a.Lddy;
        int bt = batch * steps, g3 = 3 * h;
        bool reverse = a.Reverse;
        GruVariantOptions options = a.Options;
        CacheLayout L = a.Layout;
        ScratchLayout SL = a.Scratch;
        bool before = options.ResetBefore, ln = options.LayerNorm, masked = a.Mask != null;
        nint rows0 = (nint)b0 * steps; // the range's first row b0·T
        float* c = a.Cache, sc = a.ScratchBase;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var recurrentMask = masked ? new ReadOnlySpan<float>(a.Mask + ((nint)b0 * h), batch * h) : default;
        var dy = a.Dy == null ? default : new ReadOnlySpan<float>(a.Dy + (rows0 * lddy), ((bt - 1) * lddy) + h);
        var gates = new ReadOnlySpan<float>(c + L.Gates + (rows0 * g3), bt * g3);
        var hidN = new ReadOnlySpan<float>(c + L.HidN + (rows0 * h), bt * h);
        var hPrev = new ReadOnlySpan<float>(c + L.HPrev + (rows0 * h), bt * h);
        var hIn = new ReadOnlySpan<float>(a.HIn + (rows0 * h), bt * h);
        var gHat = ln ? new ReadOnlySpan<float>(c + L.GHat + (rows0 * g3), bt * g3) : default;
        var gRstd = ln ? new ReadOnlySpan<float>(c + L.GRstd + (rows0 * 3), bt * 3) : default;
        var dGih = new Span<float>(sc + SL.DGih + (rows0 * g3), bt * g3);
        // Reset-before: the hidden-side dgates equal the input-side ones (one buffer serves both).
        Span<float> dGhh = before ? dGih : new Span<float>(sc + SL.DGhh + (rows0 * g3), bt * g3);
        var dh = new Span<float>(sc + SL.Dh + ((nint)b0 * h), batch * h);
        var dRec = new Span<float>(sc + SL.DRec + ((nint)b0 * h), batch * h);
        var dRH = new Span<float>(sc + SL.DRH + ((nint)b0 * h), batch * h);
        var paramSum = new Span<float>(paramSumBuffer, 6 * h);
        Span<float> dGammaSum = paramSum.Slice(0, g3), dBetaSum = paramSum.Slice(g3, g3);
        var whh = new ReadOnlySpan<float>(a.Whh, g3 * h);
        ReadOnlySpan<float> whn = whh.Slice(2 * h * h, h * h);
        var weights = new GruVariantWeights(default, ln ? new ReadOnlySpan<float>(a.GatesWeight, g3) : default,
            ln ? new ReadOnlySpan<float>(a.GatesBias, g3) : default);
        bool wantInitial = a.WantInitial;

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = VariantChecks.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> di = dGih.Slice(row * g3, g3);
                if (t >= lengths[b])
                {
                    di.Clear();
                    if (!before) dGhh.Slice(row * g3, g3).Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                if (!dy.IsEmpty) TensorPrimitives.Add(dhRow, dy.Slice(row * lddy, h), dhRow);
                ReadOnlySpan<float> g = gates.Slice(row * g3, g3);
                ReadOnlySpan<float> hp = hPrev.Slice(row * h, h);
                Span<float> dz = di.Slice(h, h), dn = di.Slice(2 * h, h);
                for (int j = 0; j < h; j++)
                {
                    float z = g[h + j], n = g[2 * h + j], gh = dhRow[j];
                    dn[j] = gh * (1f - z) * (1f - n * n);
                    dz[j] = gh * (hp[j] - n) * z * (1f - z);
                    dhRow[j] = gh * z; // direct term; the hidden products are added below
                }
                if (ln)
                {
                    for (int k = 1; k < 3; k++)
                    {
                        Span<float> block = di.Slice(k * h, h);
                        LayerNormRow.Backward(block, gHat.Slice(row * g3 + k * h, h), gRstd[row * 3 + k],
                            weights.LayerNormGatesWeight.Slice(k * h, h), dGammaSum.Slice(k * h, h), dBetaSum.Slice(k * h, h), block);
                    }
                }
                if (!before)
                {
                    // a_n = W_in x + b_in + r⊙hn: dr = da_n⊙hn; hidden-side n gradient r⊙da_n.
                    ReadOnlySpan<float> hn = hidN.Slice(row * h, h);
                    Span<float> dr = di.Slice(0, h);
                    Span<float> dhh = dGhh.Slice(row * g3, g3);
                    for (int j = 0; j < h; j++)
                    {
                        float r = g[j];
                        dr[j] = dn[j] * hn[j] * r * (1f - r);
                        dhh[2 * h + j] = r * dn[j];
                    }
                    FinishResetGate(weights, ln, h, row, di, gHat, gRstd, dGammaSum, dBetaSum);
                    di.Slice(0, 2 * h).CopyTo(dhh.Slice(0, 2 * h));
                }
            }

            if (before)
            {
                // dRH = da_n·W_hn: gradient on r⊙(m⊙h); then dr = dRH⊙(m⊙h), d(m⊙h) gets dRH⊙r.
                Gemm.Multiply(false, false, batch, h, h, dGih.Slice(t * g3 + 2 * h), steps * g3, whn, h, dRH, h, accumulate: false);
                for (int b = 0; b < batch; b++)
                {
                    int row = b * steps + t;
                    if (t >= lengths[b]) continue;
                    ReadOnlySpan<float> g = gates.Slice(row * g3, g3);
                    ReadOnlySpan<float> hr = hIn.Slice(row * h, h);
                    Span<float> di = dGih.Slice(row * g3, g3);
                    Span<float> drh = dRH.Slice(b * h, h);
                    Span<float> dRecRow = dRec.Slice(b * h, h);
                    for (int j = 0; j < h; j++)
                    {
                        float r = g[j];
                        di[j] = drh[j] * hr[j] * r * (1f - r);
                        dRecRow[j] = drh[j] * r;
                    }
                    FinishResetGate(weights, ln, h, row, di, gHat, gRstd, dGammaSum, dBetaSum);
                }
            }

            // d(m⊙h) from the r/z (and, reset-after, n) hidden products; dh(t−1) = direct + m⊙that.
            if (s > 0 || wantInitial)
            {
                if (before)
                {
                    Gemm.Multiply(false, false, batch, h, 2 * h, dGih.Slice(t * g3), steps * g3, whh, h, dRec, h, accumulate: true);
                }
                else
                {
                    Gemm.Multiply(false, false, batch, h, g3, dGhh.Slice(t * g3), steps * g3, whh, h, dRec, h, accumulate: false);
                }
                for (int b = 0; b < batch; b++)
                {
                    if (t >= lengths[b]) continue;
                    Span<float> dhRow = dh.Slice(b * h, h);
                    if (masked) TensorPrimitives.MultiplyAdd(recurrentMask.Slice(b * h, h), dRec.Slice(b * h, h), dhRow, dhRow);
                    else TensorPrimitives.Add(dhRow, dRec.Slice(b * h, h), dhRow);
                }
            }
        }

    }

    /// <summary>n = tanh(LN_n(a_n)) in place, then h' = n + z⊙(h − n).</summary>
    private static void FinishRow(in GruVariantWeights w, bool ln, int h, int row, Span<float> g,
        Span<float> gHat, Span<float> gRstd, ReadOnlySpan<float> hp, Span<float> hOut)
    {
        Span<float> n = g.Slice(2 * h, h);
        if (ln)
        {
            gRstd[row * 3 + 2] = LayerNormRow.Forward(n, w.LayerNormGatesWeight.Slice(2 * h, h),
                w.LayerNormGatesBias.Slice(2 * h, h), gHat.Slice(row * 3 * h + 2 * h, h));
        }
        ActivationMath.Tanh(n, n);
        TensorPrimitives.Subtract(hp, n, hOut);
        TensorPrimitives.MultiplyAdd(g.Slice(h, h), hOut, n, hOut);
    }

    /// <summary>
    /// BPTT through the cache written by <see cref="Forward"/> with the same dims, options, reverse, lengths,
    /// weights, mask and x. dy like y (lddy ≥ H) or empty; dhN [B, H] or empty. Gradients (core and, with
    /// layer norm, gain/bias) and dx are ADDED into; dh0 [B, H] is overwritten; empty dx/dh0 are not computed.
    /// </summary>
    public static void Backward(LayerDims dims, GruVariantOptions options, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, GruVariantWeights weights, ReadOnlySpan<float> recurrentMask,
        ReadOnlySpan<float> h0,
        ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy,
        ReadOnlySpan<float> dhN,
        GruVariantGradients gradients,
        Span<float> dx,
        Span<float> dh0,
        Span<float> scratch)
    {
        CheckCommon(dims, options, lengths, x, weights, recurrentMask, h0);
        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, inSize = dims.InputSize;
        int bt = batch * steps, g3 = 3 * h;
        var L = new CacheLayout(batch, steps, h, options);
        var SL = new ScratchLayout(batch, steps, h);
        VariantChecks.Length(cache.Length, L.Total, "cache", "CacheLength(B, T, H, options)", dims);
        VariantChecks.Strided(dy.Length, lddy, h, optional: true, "dy", "lddy", dims);
        VariantChecks.Optional(dhN.Length, (long)batch * h, "dhN", "[B, H] or empty", dims);
        VariantChecks.Optional(dx.Length, (long)bt * inSize, "dx", "[B, T, I] or empty", dims);
        VariantChecks.Optional(dh0.Length, (long)batch * h, "dh0", "[B, H] or empty", dims);
        VariantChecks.Length(scratch.Length, SL.Total, "scratch", "ScratchLength(B, T, H, options)", dims);
        VariantChecks.Core(gradients.Core, dims, Gates, h);
        if (options.LayerNorm)
        {
            VariantChecks.Length(gradients.LayerNormGatesWeight.Length, 3L * h, "gradients.LayerNormGatesWeight", "[3, H]", dims);
            VariantChecks.Length(gradients.LayerNormGatesBias.Length, 3L * h, "gradients.LayerNormGatesBias", "[3, H]", dims);
        }

        bool before = options.ResetBefore, ln = options.LayerNorm, masked = !recurrentMask.IsEmpty;
        ReadOnlySpan<float> hidN = cache.Slice(L.HidN, bt * h);
        ReadOnlySpan<float> hPrev = cache.Slice(L.HPrev, bt * h);
        Span<float> dGih = scratch.Slice(SL.DGih, bt * g3);
        // Reset-before: the hidden-side dgates equal the input-side ones (one buffer serves both).
        Span<float> dGhh = before ? dGih : scratch.Slice(SL.DGhh, bt * g3);
        Span<float> dh = scratch.Slice(SL.Dh, batch * h);
        Span<float> hRec = scratch.Slice(SL.HRec, bt * h);
        Span<float> paramSum = scratch.Slice(SL.ParamSum, 6 * h);
        Span<float> biasSum = scratch.Slice(SL.BiasSum, g3);
        RecurrentWeights core = weights.Core;

        // HRec = m⊙HPrev for all rows (the left operand of every hidden product).
        ReadOnlySpan<float> hIn = hPrev;
        if (masked)
        {
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> m = recurrentMask.Slice(b * h, h);
                for (int t = 0; t < steps; t++)
                {
                    int row = b * steps + t;
                    TensorPrimitives.Multiply(m, hPrev.Slice(row * h, h), hRec.Slice(row * h, h));
                }
            }
            hIn = hRec;
        }

        VariantChecks.LoadGradient(dhN, dh);
        paramSum.Clear();
        Span<float> dGammaSum = paramSum.Slice(0, g3), dBetaSum = paramSum.Slice(g3, g3);

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* pwhh = core.HiddenHidden, pmask = recurrentMask, pgw = weights.LayerNormGatesWeight, pgb = weights.LayerNormGatesBias)
            fixed (float* pcache = cache, pdy = dy, pscratch = scratch, phin = hIn)
            {
                var a = new BackwardArgs
                {
                    Batch = batch, Steps = steps, Hidden = h, Lddy = lddy, Reverse = reverse, WantInitial = !dh0.IsEmpty,
                    Options = options, Layout = L, Scratch = SL, Lengths = pLengths, Whh = pwhh, Mask = masked ? pmask : null,
                    GatesWeight = pgw, GatesBias = pgb, Cache = pcache, Dy = dy.IsEmpty ? null : pdy, ScratchBase = pscratch, HIn = phin,
                };
                // Both cores, one half of the sequences each; the second half sums its layer-norm parameter gradients
                // into a buffer of its own, added to the first half's after both (in that order).
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * g3 * h);
                if (a.Split > 0)
                {
                    a.SecondParamSum = ThreadScratch.Get(ref t_secondParamSum, 6 * h);
                    ParallelWorker.Run(&BackwardPart, &a);
                    if (ln) TensorPrimitives.Add(paramSum, new ReadOnlySpan<float>(a.SecondParamSum, 6 * h), paramSum);
                }
                else
                {
                    BackwardRange(ref a, 0, batch, pscratch + SL.ParamSum);
                }
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);

        RecurrentGradients gc = gradients.Core;
        if (!before)
        {
            // dW_ih += dG_ihᵀ·x, dW_hh += dG_hhᵀ·(m⊙h), the bias sums and dx += dG_ih·W_ih: the plain layers' kernel,
            // with the gate rows of the weight gradients (and dx's rows) split across both cores.
            RecurrentKernel.AccumulateParameterGradients(new LayerDims(batch, steps, inSize, h), g3, g3, x, hIn, dGih, dGhh,
                core.InputHidden, gc, dx, biasSum);
        }
        else
        {
            Gemm.Multiply(true, false, g3, inSize, bt, dGih, g3, x, inSize, gc.InputHidden, inSize, accumulate: true);
            // W_hr, W_hz see m⊙h; W_hn sees r⊙(m⊙h) (cached in HidN).
            Gemm.Multiply(true, false, 2 * h, h, bt, dGih, g3, hIn, h, gc.HiddenHidden, h, accumulate: true);
            Gemm.Multiply(true, false, h, h, bt, dGih.Slice(2 * h), g3, hidN, h, gc.HiddenHidden.Slice(2 * h * h), h, accumulate: true);
            VariantChecks.SumRows(dGih, bt, g3, g3, biasSum);
            TensorPrimitives.Add(gc.BiasInputHidden.Slice(0, g3), biasSum, gc.BiasInputHidden.Slice(0, g3));
            TensorPrimitives.Add(gc.BiasHiddenHidden.Slice(0, g3), biasSum, gc.BiasHiddenHidden.Slice(0, g3));
            if (!dx.IsEmpty)
            {
                Gemm.Multiply(false, false, bt, inSize, g3, dGih, g3, core.InputHidden, inSize, dx, inSize, accumulate: true);
            }
        }
        if (ln)
        {
            TensorPrimitives.Add(gradients.LayerNormGatesWeight.Slice(0, g3), dGammaSum, gradients.LayerNormGatesWeight.Slice(0, g3));
            TensorPrimitives.Add(gradients.LayerNormGatesBias.Slice(0, g3), dBetaSum, gradients.LayerNormGatesBias.Slice(0, g3));
        }
    }

    /// <summary>Layer-norm backward of the r block (in place) when layer norm is on.</summary>
    private static void FinishResetGate(in GruVariantWeights w, bool ln, int h, int row, Span<float> di,
        ReadOnlySpan<float> gHat, ReadOnlySpan<float> gRstd, Span<float> dGammaSum, Span<float> dBetaSum)
    {
        if (!ln) return;
        Span<float> block = di.Slice(0, h);
        LayerNormRow.Backward(block, gHat.Slice(row * 3 * h, h), gRstd[row * 3],
            w.LayerNormGatesWeight.Slice(0, h), dGammaSum.Slice(0, h), dBetaSum.Slice(0, h), block);
    }

    private static void CheckCommon(in LayerDims dims, in GruVariantOptions options, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, in GruVariantWeights w, ReadOnlySpan<float> mask, ReadOnlySpan<float> h0)
    {
        int h = dims.HiddenSize;
        VariantChecks.Dims(dims, Gates, h);
        VariantChecks.Lengths(lengths, dims);
        VariantChecks.Length(x.Length, (long)dims.Batch * dims.Steps * dims.InputSize, "x", "[B, T, I]", dims);
        VariantChecks.Core(w.Core, dims, Gates, h);
        if (options.LayerNorm)
        {
            VariantChecks.Length(w.LayerNormGatesWeight.Length, 3L * h, "weights.LayerNormGatesWeight", "[3, H]", dims);
            VariantChecks.Length(w.LayerNormGatesBias.Length, 3L * h, "weights.LayerNormGatesBias", "[3, H]", dims);
        }
        VariantChecks.Mask(mask, dims, h);
        VariantChecks.Optional(h0.Length, (long)dims.Batch * h, "h0", "[B, H] or empty", dims);
    }
}
