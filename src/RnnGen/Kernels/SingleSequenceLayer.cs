using System;

namespace RnnGen.Kernels;

/// <summary>Which cell update <see cref="SingleSequenceLayer"/> runs.</summary>
internal enum RecurrentCell
{
    Lstm,
    Gru,
    RnnTanh,
    RnnRelu,
}

/// <summary>
/// Forward of one direction of one layer for a batch of ONE sequence (streaming serving, decoding),
/// shared by <see cref="LstmLayer"/>, <see cref="GruLayer"/> and <see cref="RnnLayer"/>. It writes
/// exactly the cache the batched path writes, so Backward is unchanged.
/// </summary>
/// <remarks>
/// <para>At batch 1 a step is a matrix–vector product that reads all of W_hh once (1 MiB for an
/// H = 256 LSTM) for one FMA per weight: the time is the time to stream W_hh from L2. Three things
/// follow (measurements in bench/NOTES.md):</para>
/// <list type="number">
/// <item>W_hh is repacked once per call into 16-row blocks read strictly sequentially
/// (<see cref="RowBlockGemv"/>, ~2× the bandwidth of row dots on the stored layout).</item>
/// <item>The hidden units are split across the two cores: core p owns units [j0, j1) — the same rows
/// of every gate block — packs only those rows (so its share of W_hh stays in its own L2), computes
/// only those gate columns of the input projection (no synchronization before the time loop), and
/// updates only those units. One spin barrier per step publishes the new h, which the next step's
/// product reads whole.</item>
/// <item>The whole layer is ONE job on the persistent worker: no wake-up per step or per phase.</item>
/// </list>
/// <para>The unit split is a multiple of 16 rows, and every element is computed by the same code
/// whichever core owns it, so one- and two-thread results are bitwise identical.</para>
/// </remarks>
internal static unsafe class SingleSequenceLayer
{
    /// <summary>
    /// Smallest H considered for the split across two cores (above it <see cref="SplitChooser"/> decides
    /// by measurement). Below it a step is too short for the per-step exchange of h to pay.
    /// </summary>
    internal static int MinSplitHidden { get; set; } = 96;

    /// <summary>
    /// Fewest steps for which W_hh is repacked (and the layer split across cores). Packing reads and
    /// writes W_hh once, which only pays when the blocked product then reads it several times; a
    /// one-step call (streaming <c>Step</c>, a decoder step) uses the row-dot product on the stored layout
    /// and stays on the calling thread (a worker that has gone to sleep takes microseconds to wake).
    /// </summary>
    internal static int MinPackSteps { get; set; } = 4;

    public struct Args
    {
        public RecurrentCell Cell;
        public int Gates, Steps, InputSize, Hidden, Ldy, Length, Split;
        public bool Reverse, HasH0;
        /// <summary>x [T, I]; W_ih [G·H, I]; W_hh [G·H, H]; Bias [G·H]: folded b_ih + b_hh (LSTM, RNN) or b_ih (GRU); BiasHh [G·H]: GRU only.</summary>
        public float* X, Wih, Whh, Bias, BiasHh;
        /// <summary>y [T, ldy]; Pre [T, G·H] (pre-activations, then activated gates); HPrev/CPrev [T, H] (row tFirst already holds h0/c0);
        /// TanhC [T, H] (LSTM); HidN [T, H] and Work [G·H] (GRU); HLast/CLast [H].</summary>
        public float* Y, Pre, HPrev, CPrev, TanhC, HidN, Work, HLast, CLast;
    }

    /// <summary>Test hook: split every call that can be split instead of letting <see cref="SplitChooser"/> decide.</summary>
    internal static bool AlwaysSplit { get; set; }

    /// <summary>Runs the layer, on both cores when that is measured to be faster and the worker is free.</summary>
    public static void Run(ref Args a)
    {
        int h = a.Hidden;
        // A multiple of 16 units: each part's rows form whole 16-row blocks (when H is a multiple of 16)
        // and each part's slice of a row starts on a 64-byte boundary.
        a.Split = Math.Min(h, ((h / 2) + 15) & ~15);
        fixed (Args* pa = &a)
        {
            if (h >= MinSplitHidden && a.Steps >= MinPackSteps && a.Split < h && ParallelWorker.Enabled)
            {
                int slot = 0;
                bool split = AlwaysSplit || SplitChooser.ShouldSplit(a.Gates, h, a.InputSize, out slot);
                long start = SplitChooser.Now();
                bool ran = split && ParallelWorker.TryRun(&SplitPart, pa);
                if (!ran) Range(ref a, 0, h, part: -1);
                // a split that did not get the worker ran on one core: it is not a measurement of the split
                if (!AlwaysSplit && ran == split) SplitChooser.Record(slot, split, SplitChooser.Now() - start, a.Steps);
                return;
            }
            Range(ref a, 0, h, part: -1);
        }
    }

    private static void SplitPart(void* state, int part)
    {
        ref Args a = ref *(Args*)state;
        if (part == 0) Range(ref a, 0, a.Split, part);
        else Range(ref a, a.Split, a.Hidden, part);
    }

    /// <summary>
    /// Units [j0, j1) of every step: pack, project, then per step product, cell update (and barrier).
    /// <c>part</c> is 0 or 1 when the two parts run concurrently (a barrier after every step), −1 for the whole layer on one thread.
    /// </summary>
    private static void Range(ref Args a, int j0, int j1, int part)
    {
        int g = a.Gates, h = a.Hidden, gh = g * h, steps = a.Steps, inSize = a.InputSize, count = j1 - j0, ldy = a.Ldy;
        bool gru = a.Cell == RecurrentCell.Gru;
        float* pre = a.Pre;

        // 1. This part's rows of W_hh, gate block by gate block, in 16-row blocks.
        bool blocked = RowBlockGemv.CanUse(h) && count % RowBlockGemv.BlockRows == 0 && steps >= MinPackSteps;
        float* packed = null;
        if (blocked)
        {
            // Sized for all rows whatever this part's share, so that whether the worker happened to be free
            // (split or not) never decides when the buffer grows: steady state allocates nothing either way.
            packed = RowBlockGemv.ThreadBuffer(gh * h);
            for (int q = 0; q < g; q++)
            {
                for (int r = 0; r < count; r += RowBlockGemv.BlockRows)
                {
                    RowBlockGemv.PackBlock(a.Whh + ((nint)((q * h) + j0 + r) * h), h, h, packed + ((nint)((q * count) + r) * h));
                }
            }
        }

        // 2. This part's gate columns of the input projection for all T rows: bias, then x·W_ihᵀ.
        var x = new ReadOnlySpan<float>(a.X, steps * inSize);
        var preAll = new Span<float>(pre, steps * gh);
        for (int q = 0; q < g; q++)
        {
            int c0 = (q * h) + j0;
            Gemm.Multiply(false, true, steps, count, inSize, x, inSize, new ReadOnlySpan<float>(a.Wih + ((nint)c0 * inSize), count * inSize), inSize,
                preAll.Slice(c0), gh, accumulate: false, new ReadOnlySpan<float>(a.Bias + c0, count));
        }

        // 3. The time loop.
        int arrivals = 0;
        int length = a.Length;
        for (int s = 0; s < steps; s++)
        {
            int t = RecurrentKernel.TimeAt(s, steps, a.Reverse);
            float* hp = a.HPrev + ((nint)t * h);
            float* preRow = pre + ((nint)t * gh);
            // Recurrent product for this part's rows: Pre row += W_hh·h (LSTM, RNN) or Work = b_hh + W_hh·h (GRU).
            // Skipped when h(t−1) is known to be zero (first step without h0).
            bool product = s > 0 || a.HasH0;
            for (int q = 0; q < g; q++)
            {
                int r0 = (q * h) + j0;
                float* dst = gru ? a.Work + r0 : preRow + r0;
                float* addend = gru ? a.BiasHh + r0 : dst;
                if (!product)
                {
                    if (gru) new ReadOnlySpan<float>(addend, count).CopyTo(new Span<float>(dst, count));
                }
                else if (blocked)
                {
                    float* wq = packed + ((nint)q * count * h);
                    for (int r = 0; r < count; r += RowBlockGemv.BlockRows)
                    {
                        RowBlockGemv.MultiplyBlock(h, hp, wq + ((nint)r * h), addend + r, dst + r);
                    }
                }
                else
                {
                    if (gru) new ReadOnlySpan<float>(addend, count).CopyTo(new Span<float>(dst, count));
                    Gemm.Multiply(false, true, 1, count, h, new ReadOnlySpan<float>(hp, h), h,
                        new ReadOnlySpan<float>(a.Whh + ((nint)r0 * h), count * h), h, new Span<float>(dst, count), count, accumulate: true);
                }
            }

            // Destination of the new state: the next step's HPrev row, or HLast after the last step.
            bool last = s == steps - 1;
            int tNext = last ? 0 : RecurrentKernel.TimeAt(s + 1, steps, a.Reverse);
            float* hDst = (last ? a.HLast : a.HPrev + ((nint)tNext * h)) + j0;
            var hOut = new Span<float>(hDst, count);
            var yRow = new Span<float>(a.Y + ((nint)t * ldy) + j0, count);
            var hPrevUnits = new ReadOnlySpan<float>(hp + j0, count);
            if (t >= length)
            {
                // Padded position: state carried unchanged, output 0.
                hPrevUnits.CopyTo(hOut);
                if (a.Cell == RecurrentCell.Lstm)
                {
                    float* cDst = (last ? a.CLast : a.CPrev + ((nint)tNext * h)) + j0;
                    new ReadOnlySpan<float>(a.CPrev + ((nint)t * h) + j0, count).CopyTo(new Span<float>(cDst, count));
                }
                yRow.Clear();
            }
            else
            {
                switch (a.Cell)
                {
                    case RecurrentCell.Lstm:
                        float* cOut = (last ? a.CLast : a.CPrev + ((nint)tNext * h)) + j0;
                        FastCells.Lstm(new Span<float>(preRow + j0, (3 * h) + count), new ReadOnlySpan<float>(a.CPrev + ((nint)t * h) + j0, count),
                            new Span<float>(cOut, count), new Span<float>(a.TanhC + ((nint)t * h) + j0, count), hOut, yRow, count, h);
                        break;
                    case RecurrentCell.Gru:
                        FastCells.Gru(new Span<float>(preRow + j0, (2 * h) + count), new ReadOnlySpan<float>(a.Work + j0, (2 * h) + count),
                            new Span<float>(a.HidN + ((nint)t * h) + j0, count), hPrevUnits, hOut, yRow, count, h);
                        break;
                    default:
                        FastCells.Rnn(new Span<float>(preRow + j0, count), a.Cell == RecurrentCell.RnnRelu, hOut, yRow, count);
                        break;
                }
            }
            if (part >= 0) ParallelWorker.Barrier(ref arrivals, part); // the next step's product reads all of h(t)
        }
    }
}
