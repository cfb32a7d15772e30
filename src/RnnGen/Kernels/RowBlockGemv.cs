using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// The batch-1 recurrent product <c>dst[16] = addend[16] + W[16 rows, k] · x[k]</c> over weights
/// repacked into 16-row blocks, AVX-512 (see docs/kernels-cells.md, "one sequence").
/// </summary>
/// <remarks>
/// <para>With one sequence a step reads every recurrent weight once and does one FMA per weight, so
/// the step runs at the speed weights stream from L2 (W_hh of H = 128 LSTM is 256 KiB; of H = 256,
/// 1 MiB). Measured on this machine (Zen 5, bench/NOTES.md): the row-dot GEMV on the stored
/// [G·H, H] layout reaches ~85 GB/s — its 4 rows per call are 4 strided streams and 4 FMA chains —
/// while the same dot products over a <b>blocked</b> copy read strictly sequentially reach ~165 GB/s
/// (a plain sequential read of 256 KiB: ~175 GB/s).</para>
/// <para>Packed layout of one block: for each 16-float chunk p of k, the chunk of the block's 16 rows
/// one after another ([k/16][16 rows][16]), so the kernel's 16 loads per chunk are one contiguous KiB.
/// 16 accumulators (one per row) are 16 independent FMA chains; a 4-level shuffle tree then reduces
/// them to one vector of 16 row sums. The rows are stored in the slot order
/// <see cref="SlotRow"/> so that the tree's output lands in natural row order without a permute.</para>
/// <para>Every output element is the same sequence of operations whichever block, thread or split
/// computes it, so results do not depend on how rows are divided between cores.</para>
/// </remarks>
internal static unsafe class RowBlockGemv
{
    /// <summary>Rows per packed block (one Vector512 of outputs).</summary>
    public const int BlockRows = 16;

    /// <summary>Whether the blocked kernel runs for rows of length <paramref name="k"/> on the current GEMM path.</summary>
    public static bool CanUse(int k) =>
        k > 0 && k % 16 == 0 && (Gemm.ForcedPath ?? Gemm.DefaultPath) == GemmPath.Vector512 && Avx512F.IsSupported;

    /// <summary>
    /// The row held in accumulator slot <paramref name="slot"/>: the reduction tree leaves slot
    /// l + 4q's sum in output lane 4l + q, so slot l + 4q must hold row 4l + q.
    /// </summary>
    public static int SlotRow(int slot) => (4 * (slot % 4)) + (slot / 4);

    /// <summary>Packs rows [0, 16) of W (row stride <paramref name="ldw"/>, k columns) into <paramref name="dst"/> (16·k floats).</summary>
    public static void PackBlock(float* w, nint ldw, int k, float* dst)
    {
        for (int p = 0; p < k; p += 16)
        {
            for (int slot = 0; slot < BlockRows; slot++)
            {
                Vector512.Store(Vector512.Load(w + (SlotRow(slot) * ldw) + p), dst);
                dst += 16;
            }
        }
    }

    /// <summary><c>dst[0..16) = addend[0..16) + Σ_p packed-rows · x</c>; dst may equal addend (in-place accumulate).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // a separate method keeps all 32 zmm for the tile
    public static void MultiplyBlock(int k, float* x, float* w, float* addend, float* dst)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default;
        Vector512<float> s12 = default, s13 = default, s14 = default, s15 = default;
        for (int p = 0; p < k; p += 16)
        {
            Vector512<float> xv = Vector512.Load(x + p);
            s0 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w), s0);
            s1 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 16), s1);
            s2 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 32), s2);
            s3 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 48), s3);
            s4 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 64), s4);
            s5 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 80), s5);
            s6 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 96), s6);
            s7 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 112), s7);
            s8 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 128), s8);
            s9 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 144), s9);
            s10 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 160), s10);
            s11 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 176), s11);
            s12 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 192), s12);
            s13 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 208), s13);
            s14 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 224), s14);
            s15 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(w + 240), s15);
            w += 256;
        }

        (Reduce(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15) + Vector512.Load(addend)).Store(dst);
    }

    /// <summary>The 16 slot sums in one vector, lane i = row i (given the <see cref="SlotRow"/> order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7,
        Vector512<float> s8, Vector512<float> s9, Vector512<float> s10, Vector512<float> s11,
        Vector512<float> s12, Vector512<float> s13, Vector512<float> s14, Vector512<float> s15)
    {
        // Level 1 — 256-bit halves: pair (a, b) → [a.lo + a.hi | b.lo + b.hi] (8 partial sums of each).
        Vector512<float> b0 = Avx512F.Shuffle4x128(s0, s1, 0x44) + Avx512F.Shuffle4x128(s0, s1, 0xEE);
        Vector512<float> b1 = Avx512F.Shuffle4x128(s2, s3, 0x44) + Avx512F.Shuffle4x128(s2, s3, 0xEE);
        Vector512<float> b2 = Avx512F.Shuffle4x128(s4, s5, 0x44) + Avx512F.Shuffle4x128(s4, s5, 0xEE);
        Vector512<float> b3 = Avx512F.Shuffle4x128(s6, s7, 0x44) + Avx512F.Shuffle4x128(s6, s7, 0xEE);
        Vector512<float> b4 = Avx512F.Shuffle4x128(s8, s9, 0x44) + Avx512F.Shuffle4x128(s8, s9, 0xEE);
        Vector512<float> b5 = Avx512F.Shuffle4x128(s10, s11, 0x44) + Avx512F.Shuffle4x128(s10, s11, 0xEE);
        Vector512<float> b6 = Avx512F.Shuffle4x128(s12, s13, 0x44) + Avx512F.Shuffle4x128(s12, s13, 0xEE);
        Vector512<float> b7 = Avx512F.Shuffle4x128(s14, s15, 0x44) + Avx512F.Shuffle4x128(s14, s15, 0xEE);
        // Level 2 — 128-bit quarters: four slots' 4 partial sums per vector, one slot per 128-bit lane.
        Vector512<float> c0 = Avx512F.Shuffle4x128(b0, b1, 0x88) + Avx512F.Shuffle4x128(b0, b1, 0xDD);
        Vector512<float> c1 = Avx512F.Shuffle4x128(b2, b3, 0x88) + Avx512F.Shuffle4x128(b2, b3, 0xDD);
        Vector512<float> c2 = Avx512F.Shuffle4x128(b4, b5, 0x88) + Avx512F.Shuffle4x128(b4, b5, 0xDD);
        Vector512<float> c3 = Avx512F.Shuffle4x128(b6, b7, 0x88) + Avx512F.Shuffle4x128(b6, b7, 0xDD);
        // Levels 3 and 4 — inside each 128-bit lane: pairs, then singles; lane l ends as slots l, l+4, l+8, l+12.
        Vector512<float> d0 = Avx512F.Shuffle(c0, c1, 0x44) + Avx512F.Shuffle(c0, c1, 0xEE);
        Vector512<float> d1 = Avx512F.Shuffle(c2, c3, 0x44) + Avx512F.Shuffle(c2, c3, 0xEE);
        Vector512<float> sum = Avx512F.Shuffle(d0, d1, 0x88) + Avx512F.Shuffle(d0, d1, 0xDD);
        return sum;
    }

    /// <summary>
    /// The same product on 16 rows of the stored layout (row r at <paramref name="w"/> + r·<paramref name="ldw"/>):
    /// 16 strided streams instead of one, so ~20 % slower than the packed form, but no packing — the one-step
    /// products (streaming <c>Step</c>, decoder steps: the GEMM's m = 1 path) use it. Each row sees exactly
    /// the operations of <see cref="MultiplyBlock"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void MultiplyRows(int k, float* x, float* w, nint ldw, float* addend, float* dst)
    {
        // slot l + 4q holds row 4l + q (SlotRow): rows 0, 4, 8, 12, 1, 5, 9, 13, ...
        float* r0 = w, r4 = w + (4 * ldw), r8 = w + (8 * ldw), r12 = w + (12 * ldw);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default;
        Vector512<float> s12 = default, s13 = default, s14 = default, s15 = default;
        for (int p = 0; p < k; p += 16)
        {
            Vector512<float> xv = Vector512.Load(x + p);
            s0 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r0 + p), s0);
            s1 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r4 + p), s1);
            s2 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r8 + p), s2);
            s3 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r12 + p), s3);
            s4 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r0 + ldw + p), s4);
            s5 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r4 + ldw + p), s5);
            s6 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r8 + ldw + p), s6);
            s7 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r12 + ldw + p), s7);
            s8 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r0 + (2 * ldw) + p), s8);
            s9 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r4 + (2 * ldw) + p), s9);
            s10 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r8 + (2 * ldw) + p), s10);
            s11 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r12 + (2 * ldw) + p), s11);
            s12 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r0 + (3 * ldw) + p), s12);
            s13 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r4 + (3 * ldw) + p), s13);
            s14 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r8 + (3 * ldw) + p), s14);
            s15 = Avx512F.FusedMultiplyAdd(xv, Vector512.Load(r12 + (3 * ldw) + p), s15);
        }
        (Reduce(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15) + Vector512.Load(addend)).Store(dst);
    }

    // Pinned per-thread packing buffers (each core packs, and then keeps in its own L2, its share of
    // the rows); grown on demand and reused, so steady-state calls allocate nothing.
    [ThreadStatic]
    private static float[]? t_packed;

    /// <summary>A 64-byte aligned per-thread buffer of at least <paramref name="floats"/> floats (valid until the next call on this thread).</summary>
    public static float* ThreadBuffer(int floats) => ThreadScratch.Get(ref t_packed, floats);
}
