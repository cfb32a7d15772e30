using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Two products with the same left operand: C1[m, n1] (+)= op(A)·B1 and C2[m, n2] (+)= op(A)·B2 (B1 [k, n1] and
    /// B2 [k, n2] stored untransposed). Each packed block of op(A) serves both products, so A is packed once instead
    /// of twice — the weight gradients dW_ih = dGᵀ·x and dW_hh = dGᵀ·h of an LSTM or RNN layer share their
    /// transposed dG, whose packing cost as much as the whole dW_ih product when I is small (bench/NOTES.md step 20).
    /// </summary>
    /// <remarks>
    /// Bitwise the two <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// calls: every C tile is computed by the same micro-kernel over the same K blocks in the same order; only the
    /// order in which tiles are visited differs. Shapes the packed path does not take for both products (few rows,
    /// a B wider than one N block, an empty product) run as the two calls.
    /// </remarks>
    internal static void MultiplySharedA(bool transposeA, int m, int k, ReadOnlySpan<float> a, int lda,
        int n1, ReadOnlySpan<float> b1, int ldb1, Span<float> c1, int ldc1,
        int n2, ReadOnlySpan<float> b2, int ldb2, Span<float> c2, int ldc2, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n1);
        ArgumentOutOfRangeException.ThrowIfNegative(n2);
        GemmPath path = ForcedPath ?? DefaultPath;
        int mr = path == GemmPath.Vector512 ? 8 : 6;
        if (m <= DirectBMaxRowPanels * mr || k == 0 || n1 == 0 || n2 == 0 || n1 > NC || n2 > NC || !IsSupported(path))
        {
            Multiply(transposeA, false, m, n1, k, a, lda, b1, ldb1, c1, ldc1, accumulate);
            Multiply(transposeA, false, m, n2, k, a, lda, b2, ldb2, c2, ldc2, accumulate);
            return;
        }

        ValidateOperand(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a), nameof(lda));
        ValidateOperand(b1.Length, k, n1, ldb1, nameof(b1), nameof(ldb1));
        ValidateOperand(b2.Length, k, n2, ldb2, nameof(b2), nameof(ldb2));
        ValidateOperand(c1.Length, m, n1, ldc1, nameof(c1), nameof(ldc1));
        ValidateOperand(c2.Length, m, n2, ldc2, nameof(c2), nameof(ldc2));
        var job = new SharedAJob(transposeA, m, k, lda, n1, ldb1, ldc1, n2, ldb2, ldc2, accumulate);
        switch (path)
        {
            case GemmPath.Vector512: RunSharedA<GemmSimd512, Vector512<float>>(job, a, b1, c1, b2, c2); break;
            case GemmPath.Vector256: RunSharedA<GemmSimd256, Vector256<float>>(job, a, b1, c1, b2, c2); break;
            case GemmPath.Vector128: RunSharedA<GemmSimd128, Vector128<float>>(job, a, b1, c1, b2, c2); break;
            default: RunSharedA<GemmSimdScalar, float>(job, a, b1, c1, b2, c2); break;
        }
    }

    /// <summary>
    /// <see cref="MultiplySharedA"/> with B1 [k, n1] and B2 [k, n2] already packed into panels over all k
    /// (<see cref="PackPanelRange"/> with op(B) untransposed): the weight gradients of a layer whose two cores each
    /// packed half of x's and h's panels. Bitwise the two <see cref="MultiplyPrepacked(bool, int, int, int, ReadOnlySpan{float}, int, float*, Span{float}, int, bool)"/>
    /// calls, and so the two <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/> calls, for m ≥ 2.
    /// </summary>
    internal static unsafe void MultiplySharedAPrepacked(bool transposeA, int m, int k, ReadOnlySpan<float> a, int lda,
        int n1, float* packed1, Span<float> c1, int ldc1, int n2, float* packed2, Span<float> c2, int ldc2, bool accumulate)
    {
        GemmPath path = ForcedPath ?? DefaultPath;
        if (m < 2 || k == 0 || n1 == 0 || n2 == 0 || n1 > NC || n2 > NC || !IsSupported(path))
        {
            MultiplyPrepacked(transposeA, m, n1, k, a, lda, packed1, c1, ldc1, accumulate);
            MultiplyPrepacked(transposeA, m, n2, k, a, lda, packed2, c2, ldc2, accumulate);
            return;
        }
        ValidateOperand(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a), nameof(lda));
        ValidateOperand(c1.Length, m, n1, ldc1, nameof(c1), nameof(ldc1));
        ValidateOperand(c2.Length, m, n2, ldc2, nameof(c2), nameof(ldc2));
        var job = new SharedAJob(transposeA, m, k, lda, n1, 0, ldc1, n2, 0, ldc2, accumulate);
        fixed (float* pa = a)
        fixed (float* pc1 = c1)
        fixed (float* pc2 = c2)
        {
            switch (path)
            {
                case GemmPath.Vector512: PackedSharedA<GemmSimd512, Vector512<float>>(job, pa, packed1, pc1, packed2, pc2, prepacked: true); break;
                case GemmPath.Vector256: PackedSharedA<GemmSimd256, Vector256<float>>(job, pa, packed1, pc1, packed2, pc2, prepacked: true); break;
                case GemmPath.Vector128: PackedSharedA<GemmSimd128, Vector128<float>>(job, pa, packed1, pc1, packed2, pc2, prepacked: true); break;
                default: PackedSharedA<GemmSimdScalar, float>(job, pa, packed1, pc1, packed2, pc2, prepacked: true); break;
            }
        }
    }

    private readonly record struct SharedAJob(bool TransposeA, int M, int K, int Lda,
        int N1, int Ldb1, int Ldc1, int N2, int Ldb2, int Ldc2, bool Accumulate);

    private static unsafe void RunSharedA<TOps, TVec>(in SharedAJob job, ReadOnlySpan<float> a,
        ReadOnlySpan<float> b1, Span<float> c1, ReadOnlySpan<float> b2, Span<float> c2)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        fixed (float* pa = a)
        fixed (float* pb1 = b1)
        fixed (float* pc1 = c1)
        fixed (float* pb2 = b2)
        fixed (float* pc2 = c2)
        {
            PackedSharedA<TOps, TVec>(job, pa, pb1, pc1, pb2, pc2);
        }
    }

    /// <summary>The packed driver of <see cref="Packed{TOps, TVec}"/> with one A block per (K block, M block) for two B/C pairs.</summary>
    /// <remarks>
    /// <paramref name="prepacked"/>: b1 and b2 are panels over all k ([n / NR][k][NR]) rather than stored matrices.
    /// </remarks>
    [SkipLocalsInit] // the edge tile is fully written by the micro-kernel before it is read
    private static unsafe void PackedSharedA<TOps, TVec>(in SharedAJob job, float* a, float* b1, float* c1, float* b2, float* c2, bool prepacked = false)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
    {
        int m = job.M, k = job.K, n1 = job.N1, n2 = job.N2;
        int mr = MicroRows<TOps, TVec>();
        int nr = 2 * TOps.Count;
        int kcMax = Math.Min(k, KC);
        int mcMax = Math.Min(RoundUp(m, mr), MC);
        int span1 = RoundUp(n1, nr), span2 = RoundUp(n2, nr);
        float* packA = GetBuffer(ref t_packA, mcMax * kcMax);
        float* packB = prepacked ? null : GetBuffer(ref t_packB, (span1 + span2) * kcMax);
        float* tile = stackalloc float[8 * 32];

        for (int p0 = 0; p0 < k; p0 += KC)
        {
            int kc = Math.Min(KC, k - p0);
            bool acc = job.Accumulate || p0 > 0;
            // Panel j of B1 / B2 for this K block: [kc][NR] floats at base + j · panelStride.
            float* base1, base2;
            nint panelStride;
            if (prepacked)
            {
                base1 = b1 + ((nint)p0 * nr);
                base2 = b2 + ((nint)p0 * nr);
                panelStride = (nint)k * nr;
            }
            else
            {
                base1 = packB;
                base2 = packB + ((nint)span1 * kc);
                panelStride = (nint)kc * nr;
                PackB<TOps, TVec>(false, b1, job.Ldb1, p0, kc, 0, n1, nr, base1);
                PackB<TOps, TVec>(false, b2, job.Ldb2, p0, kc, 0, n2, nr, base2);
            }

            for (int ic = 0; ic < m; ic += MC)
            {
                int mc = Math.Min(MC, m - ic);
                PackA(job.TransposeA, a, job.Lda, ic, mc, p0, kc, mr, packA);
                for (int jr = 0; jr < n1; jr += nr)
                {
                    AcrossAPanels<TOps, TVec>(mc, kc, mr, nr, Math.Min(nr, n1 - jr), packA, base1 + ((jr / nr) * panelStride), nr,
                        c1 + ((nint)ic * job.Ldc1) + jr, job.Ldc1, acc, null, tile);
                }
                for (int jr = 0; jr < n2; jr += nr)
                {
                    AcrossAPanels<TOps, TVec>(mc, kc, mr, nr, Math.Min(nr, n2 - jr), packA, base2 + ((jr / nr) * panelStride), nr,
                        c2 + ((nint)ic * job.Ldc2) + jr, job.Ldc2, acc, null, tile);
                }
            }
        }
    }
}
