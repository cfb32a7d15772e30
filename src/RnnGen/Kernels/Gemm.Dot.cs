using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Up to this many rows, C = op(A)·Bᵀ with B stored [n, k] is computed as dot products of
    /// contiguous rows instead of through the packed path.
    /// </summary>
    /// <remarks>
    /// That is the recurrent step x_t·Wᵀ with W stored [4H, H] and m = batch. Packing Bᵀ is a
    /// transpose of all of W on every call (≈ 0.4 ns per element here), which dominates when m is
    /// small; the dot form reads W in place, row-contiguous, exactly once, at the price of a
    /// horizontal reduction per output element (amortized by <see cref="IGemmSimd{TVec}.Sum4"/>).
    /// </remarks>
    internal const int DotMaxM = 24;

    /// <summary>C[m, n] (+)= op(A) · Bᵀ, B stored [n, k], for small m.</summary>
    private static unsafe void DotSmallM<TOps, TVec>(bool transposeA, int m, int n, int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        if (transposeA)
        {
            // op(A) rows are strided columns of the stored A: copy them once into contiguous rows
            // (m · k floats, small) so that the kernels below can use plain vector loads.
            float* x = GetBuffer(ref t_packA, m * k);
            for (int p = 0; p < k; p++)
            {
                float* src = a + (p * lda);
                for (int i = 0; i < m; i++)
                {
                    x[((nint)i * k) + p] = src[i];
                }
            }

            a = x;
            lda = k;
        }

        // Loop order: B rows outer, A rows inner. Four rows of B (4 · k floats) are fetched from
        // memory once and then stay in L1 while every row of A (small, L1/L2-resident) is dotted
        // with them, so B — the big operand — is streamed exactly once per call.
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* r0 = b + (j * ldb);
            int i = 0;
            for (; i + 3 <= m; i += 3)
            {
                Dot3x4<TOps, TVec>(k, a + (i * lda), lda, r0, ldb, c + (i * ldc) + j, ldc, accumulate);
            }

            for (; i < m; i++)
            {
                Dot1x4<TOps, TVec>(k, a + (i * lda), r0, ldb, c + (i * ldc) + j, accumulate);
            }
        }

        for (; j < n; j++)
        {
            float* r = b + (j * ldb);
            for (int i = 0; i < m; i++)
            {
                float t = Dot1x1<TOps, TVec>(k, a + (i * lda), r);
                float* cij = c + (i * ldc) + j;
                *cij = accumulate ? *cij + t : t;
            }
        }
    }

    /// <summary>
    /// 3 rows of A × 4 rows of B: 12 independent accumulators; per vector step 3 + 4 loads feed
    /// 12 FMAs (the loads stay below the 2-3 per cycle the core sustains).
    /// </summary>
    // Deliberately not inlined: inside the caller's loop nest the JIT ran out of general-purpose
    // registers and reloaded the row pointers from the stack on every iteration; as a separate
    // method the whole tile (pointers and accumulators) stays in registers. The call costs a few
    // cycles per k / W-step loop, i.e. per 4 · k (or 12 · k) multiply-adds.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void Dot3x4<TOps, TVec>(int k, float* a0, nint lda, float* r0, nint ldb, float* c, nint ldc, bool accumulate)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int w = TOps.Count;
        int kVec = k - (k % w);
        float* a1 = a0 + lda;
        float* a2 = a1 + lda;
        float* r1 = r0 + ldb;
        float* r2 = r1 + ldb;
        float* r3 = r2 + ldb;
        TVec s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVec s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TVec s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        int p = 0;
        for (; p < kVec; p += w)
        {
            TVec b0 = TOps.Load(r0 + p);
            TVec b1 = TOps.Load(r1 + p);
            TVec b2 = TOps.Load(r2 + p);
            TVec b3 = TOps.Load(r3 + p);
            TVec x0 = TOps.Load(a0 + p);
            s00 = TOps.Fma(x0, b0, s00);
            s01 = TOps.Fma(x0, b1, s01);
            s02 = TOps.Fma(x0, b2, s02);
            s03 = TOps.Fma(x0, b3, s03);
            TVec x1 = TOps.Load(a1 + p);
            s10 = TOps.Fma(x1, b0, s10);
            s11 = TOps.Fma(x1, b1, s11);
            s12 = TOps.Fma(x1, b2, s12);
            s13 = TOps.Fma(x1, b3, s13);
            TVec x2 = TOps.Load(a2 + p);
            s20 = TOps.Fma(x2, b0, s20);
            s21 = TOps.Fma(x2, b1, s21);
            s22 = TOps.Fma(x2, b2, s22);
            s23 = TOps.Fma(x2, b3, s23);
        }

        Vector128<float> t0 = TOps.Sum4(s00, s01, s02, s03);
        Vector128<float> t1 = TOps.Sum4(s10, s11, s12, s13);
        Vector128<float> t2 = TOps.Sum4(s20, s21, s22, s23);

        // k not a multiple of W: scalar tail, added as one vector per row.
        if (p < k)
        {
            t0 += DotTail4(a0, r0, r1, r2, r3, p, k);
            t1 += DotTail4(a1, r0, r1, r2, r3, p, k);
            t2 += DotTail4(a2, r0, r1, r2, r3, p, k);
        }

        StoreDot4(c, t0, accumulate);
        StoreDot4(c + ldc, t1, accumulate);
        StoreDot4(c + (2 * ldc), t2, accumulate);
    }

    /// <summary>1 row of A × 4 rows of B (the GEMV step; also the A-row remainder of the 3 × 4 tiling).</summary>
    // Deliberately not inlined: inside the caller's loop nest the JIT ran out of general-purpose
    // registers and reloaded the row pointers from the stack on every iteration; as a separate
    // method the whole tile (pointers and accumulators) stays in registers. The call costs a few
    // cycles per k / W-step loop, i.e. per 4 · k (or 12 · k) multiply-adds.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void Dot1x4<TOps, TVec>(int k, float* a, float* r0, nint ldb, float* c, bool accumulate)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int w = TOps.Count;
        int kVec = k - (k % w);
        float* r1 = r0 + ldb;
        float* r2 = r1 + ldb;
        float* r3 = r2 + ldb;

        // Each loaded vector of a is reused 4 times; 4 independent FMA chains.
        TVec s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        int p = 0;
        for (; p < kVec; p += w)
        {
            TVec x = TOps.Load(a + p);
            s0 = TOps.Fma(x, TOps.Load(r0 + p), s0);
            s1 = TOps.Fma(x, TOps.Load(r1 + p), s1);
            s2 = TOps.Fma(x, TOps.Load(r2 + p), s2);
            s3 = TOps.Fma(x, TOps.Load(r3 + p), s3);
        }

        Vector128<float> t = TOps.Sum4(s0, s1, s2, s3);
        if (p < k)
        {
            t += DotTail4(a, r0, r1, r2, r3, p, k);
        }

        StoreDot4(c, t, accumulate);
    }

    /// <summary>Single dot product of length k (column remainder).</summary>
    private static unsafe float Dot1x1<TOps, TVec>(int k, float* a, float* r)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int w = TOps.Count;
        int kVec = k - (k % w);
        TVec s = TOps.Zero;
        int p = 0;
        for (; p < kVec; p += w)
        {
            s = TOps.Fma(TOps.Load(a + p), TOps.Load(r + p), s);
        }

        float t = TOps.Sum(s);
        for (; p < k; p++)
        {
            t += a[p] * r[p];
        }

        return t;
    }

    /// <summary>[Σ a·r0, Σ a·r1, Σ a·r2, Σ a·r3] over p in [from, k).</summary>
    private static unsafe Vector128<float> DotTail4(float* a, float* r0, float* r1, float* r2, float* r3, int from, int k)
    {
        float u0 = 0f, u1 = 0f, u2 = 0f, u3 = 0f;
        for (int p = from; p < k; p++)
        {
            float x = a[p];
            u0 += x * r0[p];
            u1 += x * r1[p];
            u2 += x * r2[p];
            u3 += x * r3[p];
        }

        return Vector128.Create(u0, u1, u2, u3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreDot4(float* c, Vector128<float> t, bool accumulate)
    {
        if (accumulate)
        {
            t += Vector128.Load(c);
        }

        t.Store(c);
    }
}
