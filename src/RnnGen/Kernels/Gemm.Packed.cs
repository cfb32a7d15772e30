using System;
using System.Runtime.CompilerServices;

namespace RnnGen.Kernels;

public static partial class Gemm
{
    // Cache blocking (BLIS naming). With the AVX-512 micro-kernel (MR = 8, NR = 32):
    //  - KC × NR packed B micro-panel = 256 · 32 · 4 B = 32 KiB: stays in the 48 KiB L1d while the
    //    ir loop sweeps every A micro-panel of the block across it.
    //  - MC × KC packed A block = 240 · 256 · 4 B = 240 KiB: L2-resident (2 MiB/core), streamed
    //    once per B micro-panel.
    //  - KC × NC packed B block = 256 · 4096 · 4 B = 4 MiB: L3-resident, reused for every MC block.
    // MC = 240 is a multiple of both MR = 8 and MR = 6, so no partial panels inside a block.
    internal const int KC = 256;
    internal const int MC = 240;
    internal const int NC = 4096;

    /// <summary>
    /// Up to this many rows of op(A) (in units of MR), op(B) is not packed when it is stored
    /// untransposed: the micro-kernel reads B rows in place with stride ldb. Packing B costs a full
    /// read + write of B, which only pays off when each B panel is reused by many A panels.
    /// </summary>
    internal const int DirectBMaxRowPanels = 4;

    /// <summary>Rows of the register tile: 8 with 32 zmm registers, 6 otherwise (16 registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MicroRows<TOps, TVec>()
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
        => TOps.Count == 16 ? 8 : 6;

    // Packing buffers, one set per thread (the GEMM will be called from worker threads later).
    // Allocated on the pinned object heap so their addresses can be taken without `fixed` and
    // never move; grown on demand and then reused, so steady-state calls allocate nothing.
    [ThreadStatic]
    private static float[]? t_packA;

    [ThreadStatic]
    private static float[]? t_packB;

    private static unsafe float* GetBuffer(ref float[]? buffer, int floats) => ThreadScratch.Get(ref buffer, floats);

    private static unsafe void Run<TOps, TVec>(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> bias)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        // Pointers (spans pinned for the whole call) remove bounds checks from the inner loops;
        // all indices were validated against the span lengths at the public entry.
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            if (!bias.IsEmpty && (m == 1 || (transposeB && m <= DotMaxM)))
            {
                // The small-m paths have no tile store to fold the bias into: fill C with it, then accumulate.
                for (int i = 0; i < m; i++)
                {
                    bias.Slice(0, n).CopyTo(c.Slice(i * ldc, n));
                }
                accumulate = true;
            }

            if (m == 1)
            {
                Gemv<TOps, TVec>(transposeA, transposeB, n, k, pa, lda, pb, ldb, pc, accumulate);
            }
            else if (transposeB && m <= DotMaxM)
            {
                DotSmallM<TOps, TVec>(transposeA, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
            }
            else
            {
                Packed<TOps, TVec>(transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, bias.IsEmpty ? null : pbias);
            }
        }
    }

    [SkipLocalsInit] // the edge tile is fully written by the micro-kernel before it is read
    private static unsafe void Packed<TOps, TVec>(
        bool transposeA, bool transposeB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate, float* bias, bool prepackedB = false)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int mr = MicroRows<TOps, TVec>();
        int nr = 2 * TOps.Count;
        bool directB = !prepackedB && !transposeB && m <= DirectBMaxRowPanels * mr;

        int kcMax = Math.Min(k, KC);
        int mcMax = Math.Min(RoundUp(m, mr), MC);
        int ncMax = directB ? nr : Math.Min(RoundUp(n, nr), NC);
        float* packA = GetBuffer(ref t_packA, mcMax * kcMax);
        float* packB = prepackedB ? null : GetBuffer(ref t_packB, ncMax * kcMax);

        // Scratch tile for edge tiles: the micro-kernel always computes a full MR × NR tile (the
        // packed panels are zero-padded), then only the valid part is copied to C. 8 × 32 is the
        // largest tile of any path.
        float* tile = stackalloc float[8 * 32];

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0);

                // Only the first K block may overwrite C (adding the bias); later ones add to the partial sums.
                bool acc = accumulate || p0 > 0;
                float* blockBias = acc ? null : bias;

                if (!directB && !prepackedB)
                {
                    PackB<TOps, TVec>(transposeB, b, ldb, p0, kc, jc, nc, nr, packB);
                }

                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(transposeA, a, lda, ic, mc, p0, kc, mr, packA);

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nValid = Math.Min(nr, nc - jr);
                        float* bPanel;
                        nint bStride;
                        if (prepackedB)
                        {
                            // Panels of all k rows, packed once by the caller: [n / NR][k][NR], zero-padded.
                            bPanel = b + ((nint)((jc + jr) / nr) * k * nr) + ((nint)p0 * nr);
                            bStride = nr;
                        }
                        else if (!directB)
                        {
                            bPanel = packB + ((nint)(jr / nr) * kc * nr);
                            bStride = nr;
                        }
                        else if (nValid == nr)
                        {
                            // Read op(B) rows in place: row p of the panel is at b + (p0 + p) * ldb.
                            bPanel = b + ((nint)p0 * ldb) + jc + jr;
                            bStride = ldb;
                        }
                        else
                        {
                            // Ragged right edge: pack just this panel (zero-padded to NR columns)
                            // so the kernel never reads past the end of a B row.
                            PackB<TOps, TVec>(false, b, ldb, p0, kc, jc + jr, nValid, nr, packB);
                            bPanel = packB;
                            bStride = nr;
                        }

                        AcrossAPanels<TOps, TVec>(mc, kc, mr, nr, nValid, packA, bPanel, bStride,
                            c + ((nint)ic * ldc) + jc + jr, ldc, acc, blockBias == null ? null : blockBias + jc + jr, tile);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The ir loop of the packed driver: one B micro-panel (nValid ≤ NR columns) against every A micro-panel of a
    /// packed [mc × kc] block, into the C rows starting at <paramref name="c"/>. Edge tiles go through
    /// <paramref name="tile"/> (the micro-kernel always computes a full MR × NR tile).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AcrossAPanels<TOps, TVec>(int mc, int kc, int mr, int nr, int nValid, float* packA,
        float* bPanel, nint bStride, float* c, nint ldc, bool acc, float* tileBias, float* tile)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int mValid = Math.Min(mr, mc - ir);
            float* aPanel = packA + ((nint)(ir / mr) * kc * mr);
            float* cTile = c + ((nint)ir * ldc);
            if (mValid == mr && nValid == nr)
            {
                MicroKernel<TOps, TVec>(kc, aPanel, bPanel, bStride, cTile, ldc, acc, tileBias);
            }
            else
            {
                MicroKernel<TOps, TVec>(kc, aPanel, bPanel, bStride, tile, nr, false, null);
                StoreEdge(tile, nr, cTile, ldc, mValid, nValid, acc, tileBias);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static unsafe void StoreEdge(float* tile, int tileStride, float* c, nint ldc, int rows, int cols, bool accumulate, float* bias)
    {
        for (int i = 0; i < rows; i++)
        {
            float* src = tile + ((nint)i * tileStride);
            float* dst = c + (i * ldc);
            if (accumulate)
            {
                for (int j = 0; j < cols; j++)
                {
                    dst[j] += src[j];
                }
            }
            else if (bias != null)
            {
                for (int j = 0; j < cols; j++)
                {
                    dst[j] = src[j] + bias[j];
                }
            }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    dst[j] = src[j];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MicroKernel<TOps, TVec>(int kc, float* a, float* b, nint bStride, float* c, nint ldc, bool accumulate, float* bias)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        // TOps.Count is a JIT-time constant: only one call survives in each specialization.
        if (TOps.Count == 16)
        {
            MicroKernel8<TOps, TVec>(kc, a, b, bStride, c, ldc, accumulate, bias);
        }
        else
        {
            MicroKernel6<TOps, TVec>(kc, a, b, bStride, c, ldc, accumulate, bias);
        }
    }
}
