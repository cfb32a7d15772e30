using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// m == 1 fast path (a recurrent step with batch 1): c[1, n] (+)= a[1, k] · op(B).
    /// </summary>
    /// <remarks>
    /// With one row there is no reuse of B to amortize packing (packing would read and write all of
    /// B to then read it once more), and an MR-row tile would waste MR − 1 rows of FMAs. Instead B
    /// is streamed once, in place, in whichever direction is contiguous for its storage order.
    /// </remarks>
    private static unsafe void Gemv<TOps, TVec>(bool transposeA, bool transposeB, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, bool accumulate)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        if (transposeA && lda != 1)
        {
            // op(A) row 0 is the strided column A[p * lda]: gather it once into a contiguous
            // buffer so the kernels below can use plain (vector) loads.
            float* x = GetBuffer(ref t_packA, k);
            for (int p = 0; p < k; p++)
            {
                x[p] = a[p * lda];
            }

            a = x;
        }

        if (transposeB)
        {
            GemvDot<TOps, TVec>(n, k, a, b, ldb, c, accumulate);
        }
        else
        {
            GemvAxpy<TOps, TVec>(n, k, a, b, ldb, c, accumulate);
        }
    }

    /// <summary>B stored [k, n]: c[j] = Σ_p a[p] · B[p, j], vectorized across j.</summary>
    private static unsafe void GemvAxpy<TOps, TVec>(int n, int k, float* a, float* b, nint ldb, float* c, bool accumulate)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int w = TOps.Count;
        int j = 0;

        // Blocks of 4 vectors of columns: 4 independent FMA chains per k step hide the FMA
        // latency, and each k step reads 4·W contiguous floats of one B row (whole cache lines).
        for (; j + (4 * w) <= n; j += 4 * w)
        {
            TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
            float* bp = b + j;
            for (int p = 0; p < k; p++)
            {
                TVec av = TOps.Broadcast(a + p);
                s0 = TOps.Fma(av, TOps.Load(bp), s0);
                s1 = TOps.Fma(av, TOps.Load(bp + w), s1);
                s2 = TOps.Fma(av, TOps.Load(bp + (2 * w)), s2);
                s3 = TOps.Fma(av, TOps.Load(bp + (3 * w)), s3);
                bp += ldb;
            }

            StoreRow<TOps, TVec>(c + j, s0, s1, accumulate);
            StoreRow<TOps, TVec>(c + j + (2 * w), s2, s3, accumulate);
        }

        for (; j + w <= n; j += w)
        {
            TVec s = TOps.Zero;
            float* bp = b + j;
            for (int p = 0; p < k; p++)
            {
                s = TOps.Fma(TOps.Broadcast(a + p), TOps.Load(bp), s);
                bp += ldb;
            }

            if (accumulate)
            {
                s = TOps.Add(s, TOps.Load(c + j));
            }

            TOps.Store(c + j, s);
        }

        // Fewer than W columns left: scalar dot products down the columns.
        for (; j < n; j++)
        {
            float s = 0f;
            float* bp = b + j;
            for (int p = 0; p < k; p++)
            {
                s += a[p] * *bp;
                bp += ldb;
            }

            c[j] = accumulate ? c[j] + s : s;
        }
    }

    /// <summary>B stored [n, k]: c[j] = dot(a, B[j, :]), vectorized along k.</summary>
    private static unsafe void GemvDot<TOps, TVec>(int n, int k, float* a, float* b, nint ldb, float* c, bool accumulate)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int j = 0;
        if (TOps.Count == 16 && k % 16 == 0 && Avx512F.IsSupported)
        {
            // 16 rows per call, 16 FMA chains (vs 4 in Dot1x4) and one shuffle-tree reduction for 16 outputs;
            // the same per-row arithmetic as the batch-1 layers' packed blocks (RowBlockGemv).
            for (; j + 16 <= n; j += 16)
            {
                float* cj = c + j;
                if (!accumulate) System.Runtime.Intrinsics.Vector512.Store(System.Runtime.Intrinsics.Vector512<float>.Zero, cj);
                RowBlockGemv.MultiplyRows(k, a, b + (j * ldb), ldb, cj, cj);
            }
        }

        for (; j + 4 <= n; j += 4)
        {
            Dot1x4<TOps, TVec>(k, a, b + (j * ldb), ldb, c + j, accumulate);
        }

        for (; j < n; j++)
        {
            float t = Dot1x1<TOps, TVec>(k, a, b + (j * ldb));
            c[j] = accumulate ? c[j] + t : t;
        }
    }
}
