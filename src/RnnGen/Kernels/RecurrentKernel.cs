using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Plumbing shared by <see cref="LstmLayer"/>, <see cref="GruLayer"/> and <see cref="RnnLayer"/>:
/// argument validation, the hoisted input projection, state loading and the post-loop
/// parameter-gradient GEMMs. Nothing here allocates on the success path (exception messages
/// are only formatted inside the failing branch).
/// </summary>
/// <remarks>
/// Row convention used by every buffer with B·T rows (pre-activations, cached states, dgates):
/// row <c>b·T + t</c> for sequence b at TIME t — the same order as the batch-first input x.
/// One processing step therefore addresses B rows with stride T·width, which the GEMM's
/// leading-dimension arguments express without copies, and all post-loop reductions over
/// the whole batch line up with x and dx row for row.
/// </remarks>
internal static class RecurrentKernel
{
    /// <summary>
    /// Row pitch (floats) of a gate-gradient buffer dG [B·T, width]: width rounded up to whole 64-byte lines,
    /// plus one line when that makes an even number of lines. The weight-gradient GEMMs read dG transposed —
    /// 8 columns of kc consecutive rows per A panel — and with a pitch of an even number of lines (4H = 1024
    /// floats is 4 KiB) those rows fall into a few L1 sets, so each line is evicted before the next panel reads
    /// its other half: dW = dGᵀ·h measured −3 % (1 KiB pitch) to −11 % (8 KiB) against an odd pitch (bench/NOTES.md).
    /// </summary>
    public static int GradientPitch(int width)
    {
        int pitch = checked(width + 15) & ~15;
        return (pitch / 16) % 2 == 0 ? checked(pitch + 16) : pitch;
    }

    /// <summary>Time index visited at processing step <paramref name="step"/>.</summary>
    public static int TimeAt(int step, int steps, bool reverse) => reverse ? steps - 1 - step : step;

    // ---------------------------------------------------------------- validation

    [DoesNotReturn]
    private static void Throw(string paramName, string message) => throw new ArgumentException(message, paramName);

    public static void CheckSizes(int batch, int steps, int hiddenSize)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "Batch must be at least 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Steps must be at least 1.");
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "HiddenSize must be at least 1.");
    }

    public static void CheckDims(in LayerDims d, int gates)
    {
        if (d.Batch < 1 || d.Steps < 1 || d.InputSize < 1 || d.HiddenSize < 1)
        {
            Throw("dims", $"All layer dimensions must be at least 1, got {d}.");
        }
        long gateRows = (long)gates * d.HiddenSize;
        long largest = Math.Max((long)d.Batch * d.Steps * Math.Max(gateRows, d.InputSize), gateRows * Math.Max(d.InputSize, d.HiddenSize));
        if (largest > int.MaxValue)
        {
            Throw("dims", $"Layer dimensions {d} need buffers of {largest} floats, more than a span can address.");
        }
    }

    public static void CheckLengths(ReadOnlySpan<int> lengths, in LayerDims d)
    {
        if (lengths.Length < d.Batch)
        {
            Throw("lengths", $"'lengths' must hold one entry per sequence: expected at least {d.Batch} (B), got {lengths.Length}.");
        }
        for (int b = 0; b < d.Batch; b++)
        {
            int len = lengths[b];
            if (len < 1 || len > d.Steps)
            {
                Throw("lengths", $"'lengths[{b}]' must be in 1..{d.Steps} (T), got {len}.");
            }
        }
    }

    /// <summary>Span must hold at least <paramref name="required"/> floats.</summary>
    public static void CheckLength(int actual, long required, string name, string shape, in LayerDims d, int gates = 0)
    {
        if (actual < required)
        {
            string g = gates > 0 ? $", G={gates}" : "";
            Throw(name, $"'{name}' is too short: expected at least {required} floats ({shape} with B={d.Batch}, T={d.Steps}, I={d.InputSize}, H={d.HiddenSize}{g}), got {actual}.");
        }
    }

    /// <summary>Span may be empty (meaning zeros / not wanted) or must hold at least <paramref name="required"/> floats.</summary>
    public static void CheckOptional(int actual, long required, string name, string shape, in LayerDims d)
    {
        if (actual != 0) CheckLength(actual, required, name, shape, d);
    }

    /// <summary>Row-strided [B·T, H] view: ld ≥ H and length ≥ (B·T − 1)·ld + H.</summary>
    public static void CheckStrided(int actual, int ld, bool optional, string name, string ldName, in LayerDims d)
    {
        if (optional && actual == 0) return;
        if (ld < d.HiddenSize)
        {
            Throw(ldName, $"'{ldName}' must be at least H = {d.HiddenSize}, got {ld}.");
        }
        long required = ((long)d.Batch * d.Steps - 1) * ld + d.HiddenSize;
        if (actual < required)
        {
            Throw(name, $"'{name}' is too short: expected at least {required} floats ((B·T − 1)·{ldName} + H with B={d.Batch}, T={d.Steps}, H={d.HiddenSize}, {ldName}={ld}), got {actual}.");
        }
    }

    public static void CheckWeights(in RecurrentWeights w, in LayerDims d, int gates)
    {
        long gh = (long)gates * d.HiddenSize;
        CheckLength(w.InputHidden.Length, gh * d.InputSize, "weights.InputHidden", "[G·H, I]", d, gates);
        CheckLength(w.HiddenHidden.Length, gh * d.HiddenSize, "weights.HiddenHidden", "[G·H, H]", d, gates);
        CheckLength(w.BiasInputHidden.Length, gh, "weights.BiasInputHidden", "[G·H]", d, gates);
        CheckLength(w.BiasHiddenHidden.Length, gh, "weights.BiasHiddenHidden", "[G·H]", d, gates);
    }

    public static void CheckGradients(in RecurrentGradients g, in LayerDims d, int gates)
    {
        long gh = (long)gates * d.HiddenSize;
        CheckLength(g.InputHidden.Length, gh * d.InputSize, "gradients.InputHidden", "[G·H, I]", d, gates);
        CheckLength(g.HiddenHidden.Length, gh * d.HiddenSize, "gradients.HiddenHidden", "[G·H, H]", d, gates);
        CheckLength(g.BiasInputHidden.Length, gh, "gradients.BiasInputHidden", "[G·H]", d, gates);
        CheckLength(g.BiasHiddenHidden.Length, gh, "gradients.BiasHiddenHidden", "[G·H]", d, gates);
    }

    /// <summary>Checks shared by the three Forward methods (h0/hN only; LSTM checks c0/cN itself).</summary>
    public static void CheckForward(in LayerDims d, int gates, ReadOnlySpan<int> lengths, ReadOnlySpan<float> x,
        in RecurrentWeights w, ReadOnlySpan<float> h0, int yLength, int ldy, int hNLength, int cacheLength, int cacheRequired)
    {
        CheckDims(d, gates);
        CheckLengths(lengths, d);
        CheckLength(x.Length, (long)d.Batch * d.Steps * d.InputSize, "x", "[B, T, I]", d);
        CheckWeights(w, d, gates);
        CheckOptional(h0.Length, (long)d.Batch * d.HiddenSize, "h0", "[B, H] or empty", d);
        CheckStrided(yLength, ldy, optional: false, "y", "ldy", d);
        CheckOptional(hNLength, (long)d.Batch * d.HiddenSize, "hN", "[B, H] or empty", d);
        CheckLength(cacheLength, cacheRequired, "cache", "CacheLength(B, T, H)", d);
    }

    /// <summary>Checks shared by the three Backward methods (h0/dhN/dh0 only; LSTM checks the cell spans itself).</summary>
    public static void CheckBackward(in LayerDims d, int gates, ReadOnlySpan<int> lengths, ReadOnlySpan<float> x,
        in RecurrentWeights w, ReadOnlySpan<float> h0, int cacheLength, int cacheRequired,
        int dyLength, int lddy, int dhNLength, in RecurrentGradients g, int dxLength, int dh0Length,
        int scratchLength, int scratchRequired)
    {
        CheckDims(d, gates);
        CheckLengths(lengths, d);
        CheckLength(x.Length, (long)d.Batch * d.Steps * d.InputSize, "x", "[B, T, I]", d);
        CheckWeights(w, d, gates);
        CheckOptional(h0.Length, (long)d.Batch * d.HiddenSize, "h0", "[B, H] or empty", d);
        CheckLength(cacheLength, cacheRequired, "cache", "CacheLength(B, T, H)", d);
        CheckStrided(dyLength, lddy, optional: true, "dy", "lddy", d);
        CheckOptional(dhNLength, (long)d.Batch * d.HiddenSize, "dhN", "[B, H] or empty", d);
        CheckGradients(g, d, gates);
        CheckOptional(dxLength, (long)d.Batch * d.Steps * d.InputSize, "dx", "[B, T, I] or empty", d);
        CheckOptional(dh0Length, (long)d.Batch * d.HiddenSize, "dh0", "[B, H] or empty", d);
        CheckLength(scratchLength, scratchRequired, "scratch", "ScratchLength(B, T, H)", d);
    }

    // ---------------------------------------------------------------- forward pieces

    /// <summary>
    /// pre[r, :] = rowBias + x[r, :] · W_ihᵀ for all B·T rows: the input projection hoisted out of
    /// the time loop as ONE GEMM (the bias is added in the GEMM's tile store: C is written once).
    /// </summary>
    public static void ProjectInput(in LayerDims d, int gh, ReadOnlySpan<float> x, ReadOnlySpan<float> wih,
        ReadOnlySpan<float> rowBias, Span<float> pre)
    {
        int rows = d.Batch * d.Steps;
        Gemm.Multiply(false, true, rows, gh, d.InputSize, x, d.InputSize, wih, d.InputSize, pre, gh, accumulate: false, rowBias.Slice(0, gh));
    }

    /// <summary>
    /// pre = rowBias + x · W_ihᵀ like <see cref="ProjectInput(in LayerDims, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>,
    /// reading W_ihᵀ from panels packed once per call when the product takes the packed path anyway (more than
    /// <see cref="Gemm.DotMaxM"/> rows): the same bits, without each core packing W_ihᵀ again for its rows.
    /// </summary>
    public static unsafe void ProjectInput(in LayerDims d, int gh, ReadOnlySpan<float> x, ReadOnlySpan<float> wih,
        ReadOnlySpan<float> rowBias, Span<float> pre, float* wihPanels)
    {
        int rows = d.Batch * d.Steps;
        if (wihPanels == null || rows <= Gemm.DotMaxM)
        {
            ProjectInput(d, gh, x, wih, rowBias, pre);
            return;
        }
        Gemm.MultiplyPrepacked(rows, gh, d.InputSize, x, d.InputSize, wihPanels, pre, gh, rowBias.Slice(0, gh));
    }

    /// <summary>
    /// W_hhᵀ (the step GEMM's B) and W_ihᵀ (the input projection's B) packed once per batched Forward into the
    /// micro-kernel's panels, in the calling thread's buffers. Packing is ~5 % of a batched layer: done by the caller
    /// before the job, W_hhᵀ left the other core idle and W_ihᵀ was packed again by each core for its rows; split by
    /// panels between the two parts of the job (a barrier, then the time loops), each core packs half of each.
    /// </summary>
    internal unsafe struct StepPanels
    {
        public float* Whh, Wih, WhhPanels, WihPanels;
        public int Hidden, Input, Rows;

        /// <summary>
        /// Buffers for W_hh [G·H, H] and W_ih [G·H, I] (pinned by the caller for the call), not yet packed — each only
        /// where packing pays. A product with more than <see cref="Gemm.DotMaxM"/> rows packs its B anyway (packed
        /// once here and split between the cores instead, with the same bits); one with fewer is multiplied without
        /// packing, so W_hhᵀ is packed for it only when the call has at least <see cref="PackedWeights.MinPanelSteps"/>
        /// steps to reuse it (a one-step decoder or streaming call of a few sequences multiplies it once).
        /// <paramref name="fewestPartBatch"/> is the smaller part's number of sequences. A null buffer means the product
        /// runs on the stored weights.
        /// </summary>
        public static StepPanels Create(float* whh, float* wih, int gateRows, int hidden, int input, int steps, int fewestPartBatch) => new()
        {
            Whh = whh, Wih = wih, Rows = gateRows, Hidden = hidden, Input = input,
            WhhPanels = steps >= PackedWeights.MinPanelSteps || fewestPartBatch > Gemm.DotMaxM ? PackedWeights.PanelBuffer(hidden, gateRows) : null,
            WihPanels = (long)fewestPartBatch * steps > Gemm.DotMaxM ? PackedWeights.SecondPanelBuffer(input, gateRows) : null,
        };

        /// <summary>Packs part <paramref name="part"/> of <paramref name="parts"/> (1 or 2) of the panels of both matrices.</summary>
        public readonly void Pack(int part, int parts)
        {
            int panels = Gemm.PanelCount(Rows), half = (panels + 1) / 2;
            int p0 = parts == 1 ? 0 : part == 0 ? 0 : half, p1 = parts == 1 ? panels : part == 0 ? half : panels;
            if (WhhPanels != null) Gemm.PackPanelRange(true, new ReadOnlySpan<float>(Whh, Rows * Hidden), Hidden, Hidden, Rows, p0, p1, WhhPanels);
            if (WihPanels != null) Gemm.PackPanelRange(true, new ReadOnlySpan<float>(Wih, Rows * Input), Input, Input, Rows, p0, p1, WihPanels);
        }
    }

    /// <summary>
    /// Runs a batched layer's two halves on both cores, each first packing half of the step panels, then — after a
    /// barrier — its sequences; or, when the worker is not free, packs everything and runs the halves on this thread.
    /// <paramref name="part"/> runs part p of the sequences (p = 0, 1); the panels are packed before it either way.
    /// </summary>
    public static unsafe void RunPackedHalves(ref StepPanels panels, delegate*<void*, int, void> part, void* state)
    {
        var job = new PackedHalvesJob { Panels = (StepPanels*)Unsafe.AsPointer(ref panels), Part = part, State = state };
        if (!ParallelWorker.TryRun(&PackedHalf, &job))
        {
            panels.Pack(0, 1);
            part(state, 0);
            part(state, 1);
        }
    }

    private unsafe struct PackedHalvesJob
    {
        public StepPanels* Panels;
        public delegate*<void*, int, void> Part;
        public void* State;
    }

    private static unsafe void PackedHalf(void* state, int part)
    {
        ref PackedHalvesJob job = ref *(PackedHalvesJob*)state;
        job.Panels->Pack(part, 2);
        int arrivals = 0;
        ParallelWorker.Barrier(ref arrivals, part); // every panel is packed before either part's first step
        job.Part(job.State, part);
    }

    /// <summary>Writes the initial state (or zeros for an empty span) into rows (b, t) of a [B, T, H] buffer.</summary>
    public static void LoadState(ReadOnlySpan<float> s0, Span<float> states, int t, in LayerDims d)
    {
        int h = d.HiddenSize;
        for (int b = 0; b < d.Batch; b++)
        {
            Span<float> row = states.Slice((b * d.Steps + t) * h, h);
            if (s0.IsEmpty) row.Clear();
            else s0.Slice(b * h, h).CopyTo(row);
        }
    }

    // ---------------------------------------------------------------- backward pieces

    /// <summary>dst = g, or zeros for an empty g.</summary>
    public static void LoadGradient(ReadOnlySpan<float> g, Span<float> dst)
    {
        if (g.IsEmpty) dst.Clear();
        else g.Slice(0, dst.Length).CopyTo(dst);
    }

    /// <summary>
    /// After the time loop: every parameter gradient and dx as one GEMM / reduction over all B·T rows.
    /// Masked (padded) rows hold zero dgates and contribute nothing.
    /// dW_ih += dG_ihᵀ·x, dW_hh += dG_hhᵀ·h_prev, db_ih += Σ_rows dG_ih, db_hh += Σ_rows dG_hh,
    /// dx += dG_ih·W_ih (skipped when dx is empty). For LSTM and RNN dG_hh is dG_ih (same span).
    /// Both dG buffers have row pitch <paramref name="ldg"/> (<see cref="GradientPitch"/>).
    /// </summary>
    public static unsafe void AccumulateParameterGradients(in LayerDims d, int gh, int ldg, ReadOnlySpan<float> x,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dGih, ReadOnlySpan<float> dGhh,
        ReadOnlySpan<float> wih, in RecurrentGradients g, Span<float> dx, Span<float> biasSum)
    {
        int rows = d.Batch * d.Steps;
        fixed (float* px = x, ph = hPrev, pgi = dGih, pgh = dGhh, pw = wih, pdx = dx, pbs = biasSum)
        fixed (float* pdwi = g.InputHidden, pdwh = g.HiddenHidden, pdbi = g.BiasInputHidden, pdbh = g.BiasHiddenHidden)
        {
            var a = new GradientArgs
            {
                Rows = rows, Gh = gh, Ldg = ldg, InputSize = d.InputSize, Hidden = d.HiddenSize, SameDg = dGhh == dGih,
                X = px, HPrev = ph, DGih = pgi, DGhh = pgh, Wih = pw, Dx = dx.IsEmpty ? null : pdx, BiasSum = pbs,
                DWih = pdwi, DWhh = pdwh, DBih = pdbi, DBhh = pdbh,
            };
            // Two threads take disjoint halves of the gate rows of every weight gradient (and of the
            // bias columns) and of the B·T rows of dx; each output element is computed by one thread.
            // With enough gate rows per core, the cores also share the packing of x's and h's panels (each packs half,
            // then a barrier): both multiply all of them. The same bits as packing per product.
            bool parallel = KernelOptions.MaxThreads >= 2 && 2L * rows * gh * (2L * d.InputSize + d.HiddenSize) >= ParallelPlan.MinParallelFlops;
            if (parallel && gh >= MinSharedPanelGateRows)
            {
                a.Parts = 2;
                (nint xPanels, nint hPanels) = PackedWeights.GradientPanelBuffers(rows, d.InputSize, d.HiddenSize);
                a.XPanels = (float*)xPanels;
                a.HPanels = (float*)hPanels;
                if (ParallelWorker.TryRun(&GradientPart, &a)) return;
                a.XPanels = a.HPanels = null; // the worker is busy: both halves on this thread, packing per product
                ParallelWorker.Run(&GradientPart, &a);
            }
            else if (parallel)
            {
                a.Parts = 2;
                ParallelWorker.Run(&GradientPart, &a);
            }
            else
            {
                a.Parts = 1;
                GradientPart(&a, 0);
            }
        }
    }

    /// <summary>Fewest gate rows (both cores' together) for which the cores share the weight-gradient B panels.</summary>
    private const int MinSharedPanelGateRows = 64;

    private unsafe struct GradientArgs
    {
        public int Rows, Gh, Ldg, InputSize, Hidden, Parts;
        public bool SameDg;
        public float* X, HPrev, DGih, DGhh, Wih, Dx, BiasSum, DWih, DWhh, DBih, DBhh;
        public float* XPanels, HPanels; // non-null: panels of x and h over all rows, half packed by each part
    }

    private static unsafe void GradientPart(void* state, int part)
    {
        ref GradientArgs a = ref *(GradientArgs*)state;
        if (part >= a.Parts) return;
        int rows = a.Rows, gh = a.Gh, ldg = a.Ldg, inSize = a.InputSize, h = a.Hidden;
        // Gate rows [c0, c1): a multiple of 16 so each half starts on a cache line.
        int split = a.Parts == 1 ? gh : Math.Min(gh, ((gh / 2) + 15) & ~15);
        int c0 = part == 0 ? 0 : split, c1 = part == 0 ? split : gh, cn = c1 - c0;
        var x = new ReadOnlySpan<float>(a.X, rows * inSize);
        var hPrev = new ReadOnlySpan<float>(a.HPrev, rows * h);
        var dGih = new ReadOnlySpan<float>(a.DGih, rows * ldg);
        var dGhh = new ReadOnlySpan<float>(a.DGhh, rows * ldg);
        bool prepacked = a.XPanels != null;
        if (prepacked)
        {
            // Half of the panels of x and of h each (the layout of PackPanelRange), then wait for the other half.
            int px = Gemm.PanelCount(inSize), ph = Gemm.PanelCount(h);
            Gemm.PackPanelRange(false, x, inSize, rows, inSize, part == 0 ? 0 : px / 2, part == 0 ? px / 2 : px, a.XPanels);
            Gemm.PackPanelRange(false, hPrev, h, rows, h, part == 0 ? 0 : ph / 2, part == 0 ? ph / 2 : ph, a.HPanels);
            int arrivals = 0;
            ParallelWorker.Barrier(ref arrivals, part);
        }
        if (cn > 0)
        {
            var dWih = new Span<float>(a.DWih + ((nint)c0 * inSize), cn * inSize);
            var dWhh = new Span<float>(a.DWhh + ((nint)c0 * h), cn * h);
            if (prepacked && a.SameDg)
            {
                Gemm.MultiplySharedAPrepacked(true, cn, rows, dGih.Slice(c0), ldg, inSize, a.XPanels, dWih, inSize, h, a.HPanels, dWhh, h, accumulate: true);
            }
            else if (prepacked)
            {
                Gemm.MultiplyPrepacked(true, cn, inSize, rows, dGih.Slice(c0), ldg, a.XPanels, dWih, inSize, accumulate: true);
                Gemm.MultiplyPrepacked(true, cn, h, rows, dGhh.Slice(c0), ldg, a.HPanels, dWhh, h, accumulate: true);
            }
            else if (a.SameDg)
            {
                // LSTM, RNN: one dG for both, so its transposed packing serves both products (same bits).
                Gemm.MultiplySharedA(true, cn, rows, dGih.Slice(c0), ldg, inSize, x, inSize, dWih, inSize, h, hPrev, h, dWhh, h, accumulate: true);
            }
            else
            {
                Gemm.Multiply(true, false, cn, inSize, rows, dGih.Slice(c0), ldg, x, inSize, dWih, inSize, accumulate: true);
                Gemm.Multiply(true, false, cn, h, rows, dGhh.Slice(c0), ldg, hPrev, h, dWhh, h, accumulate: true);
            }

            // Bias gradients: column sums into a fresh buffer, then one add into the (accumulating) gradient,
            // so a long batch is not summed on top of an already large running gradient.
            var biasSum = new Span<float>(a.BiasSum + c0, cn);
            SumColumns(dGih, ldg, rows, c0, biasSum);
            var dbi = new Span<float>(a.DBih + c0, cn);
            TensorPrimitives.Add(dbi, biasSum, dbi);
            if (!a.SameDg) SumColumns(dGhh, ldg, rows, c0, biasSum);
            var dbh = new Span<float>(a.DBhh + c0, cn);
            TensorPrimitives.Add(dbh, biasSum, dbh);
        }

        if (a.Dx != null)
        {
            int r0 = a.Parts == 1 || part == 0 ? 0 : rows / 2;
            int r1 = a.Parts == 1 || part == 1 ? rows : rows / 2;
            if (r1 > r0)
            {
                Gemm.Multiply(false, false, r1 - r0, inSize, gh, dGih.Slice(r0 * ldg), ldg,
                    new ReadOnlySpan<float>(a.Wih, gh * inSize), inSize,
                    new Span<float>(a.Dx + ((nint)r0 * inSize), (r1 - r0) * inSize), inSize, accumulate: true);
            }
        }
    }

    /// <summary>sum[j] = Σ_r m[r·ld + c0 + j] for j &lt; sum.Length, rows added in order from 0.</summary>
    /// <remarks>
    /// 64 columns at a time in four Vector512 accumulators over all rows, so the partial sums never leave
    /// registers (a row-by-row <c>TensorPrimitives.Add</c> into the sum re-read and re-wrote the sum per row).
    /// Every column is still ((0 + m₀) + m₁) + … in row order, so the bits are those of the row-by-row loop.
    /// </remarks>
    internal static unsafe void SumColumns(ReadOnlySpan<float> m, int ld, int rows, int c0, Span<float> sum)
    {
        int n = sum.Length;
        if (n == 0) return;
        if (rows > 0) _ = m[((rows - 1) * ld) + c0 + n - 1]; // one bounds check for every element read below
        fixed (float* pm = m)
        fixed (float* ps = sum)
        {
            float* col = pm + c0;
            int j = 0;
            // The widths follow the GEMM path in use, so tests can force each one (Gemm.ForcedPath).
            GemmPath path = Gemm.ForcedPath ?? Gemm.DefaultPath;
            if (path == GemmPath.Vector512 && Vector512.IsHardwareAccelerated)
            {
                for (; j + 64 <= n; j += 64)
                {
                    Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
                    float* p = col + j;
                    for (int r = 0; r < rows; r++, p += ld)
                    {
                        s0 += Vector512.Load(p);
                        s1 += Vector512.Load(p + 16);
                        s2 += Vector512.Load(p + 32);
                        s3 += Vector512.Load(p + 48);
                    }
                    Vector512.Store(s0, ps + j);
                    Vector512.Store(s1, ps + j + 16);
                    Vector512.Store(s2, ps + j + 32);
                    Vector512.Store(s3, ps + j + 48);
                }
                for (; j + 16 <= n; j += 16)
                {
                    Vector512<float> s0 = Vector512<float>.Zero;
                    float* p = col + j;
                    for (int r = 0; r < rows; r++, p += ld) s0 += Vector512.Load(p);
                    Vector512.Store(s0, ps + j);
                }
            }
            if (path is GemmPath.Vector512 or GemmPath.Vector256 && Vector256.IsHardwareAccelerated)
            {
                for (; j + 32 <= n; j += 32)
                {
                    Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
                    float* p = col + j;
                    for (int r = 0; r < rows; r++, p += ld)
                    {
                        s0 += Vector256.Load(p);
                        s1 += Vector256.Load(p + 8);
                        s2 += Vector256.Load(p + 16);
                        s3 += Vector256.Load(p + 24);
                    }
                    Vector256.Store(s0, ps + j);
                    Vector256.Store(s1, ps + j + 8);
                    Vector256.Store(s2, ps + j + 16);
                    Vector256.Store(s3, ps + j + 24);
                }
            }
            for (; j < n; j++)
            {
                float acc = 0f;
                float* p = col + j;
                for (int r = 0; r < rows; r++, p += ld) acc += *p;
                ps[j] = acc;
            }
        }
    }
}
