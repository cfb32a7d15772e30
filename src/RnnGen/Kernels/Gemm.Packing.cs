using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Packs op(A)[ic .. ic+mc, p0 .. p0+kc] into consecutive MR-row micro-panels, each stored
    /// k-major as [kc][MR], rows beyond <paramref name="mc"/> zero-filled.
    /// </summary>
    /// <remarks>
    /// The layout makes the micro-kernel's A reads one contiguous stream (MR broadcasts per k step
    /// from one cache line). Handling both transposes here means the micro-kernel never sees them.
    /// </remarks>
    private static unsafe void PackA(bool transposeA, float* a, nint lda, int ic, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + ((nint)(ir / mr) * kc * mr);

            if (!transposeA && rows == 8 && Transpose8x8.IsSupported)
            {
                // op(A)[i, p] = A[i * lda + p]: 8 × 8 blocks transposed in registers (the panel is
                // [kc][8], i.e. columns of the 8 source rows), scalar for the last kc mod 8 columns.
                float* src = a + ((ic + ir) * lda) + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose8x8.Block(src + p, lda, panel + ((nint)p * 8), 8);
                }
                for (; p < kc; p++)
                {
                    for (int i = 0; i < 8; i++) panel[((nint)p * 8) + i] = src[(i * lda) + p];
                }
            }
            else if (transposeA && rows == 8 && Vector256.IsHardwareAccelerated)
            {
                // op(A)[i, p] = A[p * lda + i]: the 8 values of one k step are contiguous — one vector copy.
                float* src = a + (p0 * lda) + ic + ir;
                for (int p = 0; p < kc; p++)
                {
                    Vector256.Store(Vector256.Load(src + (p * lda)), panel + ((nint)p * 8));
                }
            }
            else if (!transposeA)
            {
                // op(A)[i, p] = A[i * lda + p]: read each source row sequentially, scatter with
                // stride MR into the panel (kc · MR floats, L1-resident while being written).
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + ((ic + ir + i) * lda) + p0;
                    float* d = panel + i;
                    for (int p = 0; p < kc; p++)
                    {
                        d[(nint)p * mr] = src[p];
                    }
                }
            }
            else
            {
                // op(A)[i, p] = A[p * lda + i]: the MR values of one k step are contiguous in memory.
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + ((p0 + p) * lda) + ic + ir;
                    float* d = panel + ((nint)p * mr);
                    for (int i = 0; i < rows; i++)
                    {
                        d[i] = src[i];
                    }
                }
            }

            if (rows < mr)
            {
                // Zero padding: the kernel computes the whole MR-row tile, the padded rows yield
                // zeros that are never stored (no NaN can leak in from stale buffer contents).
                for (int p = 0; p < kc; p++)
                {
                    float* d = panel + ((nint)p * mr);
                    for (int i = rows; i < mr; i++)
                    {
                        d[i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0 .. p0+kc, jc .. jc+nc] into consecutive NR-column micro-panels, each stored
    /// k-major as [kc][NR], columns beyond <paramref name="nc"/> zero-filled.
    /// </summary>
    private static unsafe void PackB<TOps, TVec>(bool transposeB, float* b, nint ldb, int p0, int kc, int jc, int nc, int nr, float* dst)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int w = TOps.Count;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + ((nint)(jr / nr) * kc * nr);

            if (!transposeB)
            {
                // op(B)[p, j] = B[p * ldb + j]: each k step is a contiguous run of NR floats.
                float* src = b + ((nint)p0 * ldb) + jc + jr;
                if (cols == nr)
                {
                    // Full panel: two vector copies per k step (NR = 2 · W).
                    for (int p = 0; p < kc; p++)
                    {
                        TOps.Store(panel, TOps.Load(src));
                        TOps.Store(panel + w, TOps.Load(src + w));
                        src += ldb;
                        panel += nr;
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        int j = 0;
                        for (; j < cols; j++)
                        {
                            panel[j] = src[j];
                        }

                        for (; j < nr; j++)
                        {
                            panel[j] = 0f;
                        }

                        src += ldb;
                        panel += nr;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = B[j * ldb + p]: a transpose.
                if (TOps.Count >= 8 && Avx2.IsSupported && cols == nr && (long)(nr - 1) * ldb <= int.MaxValue)
                {
                    PackBTransposedGather(b + ((nint)(jc + jr) * ldb) + p0, (int)ldb, kc, nr, panel);
                    continue;
                }

                // Portable fallback: read each stored row of B
                // sequentially and scatter with stride NR into the (L1-resident) panel; four rows
                // at a time so every loaded source cache line is used by four output columns'
                // worth of independent stores.
                int j = 0;
                for (; j + 4 <= cols; j += 4)
                {
                    float* s0 = b + ((nint)(jc + jr + j) * ldb) + p0;
                    float* s1 = s0 + ldb;
                    float* s2 = s1 + ldb;
                    float* s3 = s2 + ldb;
                    float* d = panel + j;
                    for (int p = 0; p < kc; p++)
                    {
                        d[0] = s0[p];
                        d[1] = s1[p];
                        d[2] = s2[p];
                        d[3] = s3[p];
                        d += nr;
                    }
                }

                for (; j < cols; j++)
                {
                    float* s = b + ((nint)(jc + jr + j) * ldb) + p0;
                    float* d = panel + j;
                    for (int p = 0; p < kc; p++)
                    {
                        *d = s[p];
                        d += nr;
                    }
                }

                for (; j < nr; j++)
                {
                    float* d = panel + j;
                    for (int p = 0; p < kc; p++)
                    {
                        *d = 0f;
                        d += nr;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Transposed full-width B panel: panel[p · NR + j] = B[j · ldb + p] for j &lt; NR, p &lt; kc. Eight stored
    /// rows × eight k at a time go through an in-register 8 × 8 transpose (<see cref="Transpose8x8"/>: eight row
    /// loads, 24 shuffles, eight full-vector stores); a k tail shorter than 8 uses AVX2 gathers.
    /// </summary>
    /// <remarks>
    /// This is the packing of W_ihᵀ and W_hhᵀ (stored [G·H, I] and [G·H, H]) for every product that reads them
    /// transposed. The previous gather per k step and 8 columns (<c>vgatherdps</c>) is microcoded on Zen and
    /// was the single largest cost besides the FMAs at batch 1 (perf: `PackB` 6.9 % of serve-lstm-h256x2-b1's
    /// samples, the projection's FMAs 11.5 %); the transpose moves the same 64 floats with 40 simple
    /// instructions (bench/NOTES.md step 19). The caller guarantees (NR − 1) · ldb fits the gather's 32-bit indices.
    /// </remarks>
    private static unsafe void PackBTransposedGather(float* src, int ldb, int kc, int nr, float* panel)
    {
        Vector256<int> index = Vector256.Create(0, ldb, 2 * ldb, 3 * ldb, 4 * ldb, 5 * ldb, 6 * ldb, 7 * ldb);
        nint groupStride = 8 * (nint)ldb;
        int kBlocks = kc & ~7;
        for (int g = 0; g < nr; g += 8)
        {
            float* s = src + ((g / 8) * groupStride);
            float* d = panel + g;
            for (int p = 0; p < kBlocks; p += 8)
            {
                Transpose8x8.Block(s + p, ldb, d + ((nint)p * nr), nr);
            }
            for (int p = kBlocks; p < kc; p++)
            {
                // Scale 4 = sizeof(float): indices are in elements.
                Avx.Store(d + ((nint)p * nr), Avx2.GatherVector256(s + p, index, 4));
            }
        }
    }
}
