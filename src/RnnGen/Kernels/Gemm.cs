using System;

namespace RnnGen.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major spans:
/// <c>C[m, n] = op(A)[m, k] · op(B)[k, n]</c>, added to C when <c>accumulate</c> is set.
/// </summary>
/// <remarks>
/// op(A) is A [m, k] (leading dimension <c>lda</c> ≥ k) or, when <c>transposeA</c>, Aᵀ of a stored
/// A [k, m] (lda ≥ m). Likewise op(B) is B [k, n] or Bᵀ of a stored B [n, k].
/// Leading dimensions let callers address strided row sets (one time step of a batch-first
/// [B, T, H] buffer has lda = T·H) without copying.
/// </remarks>
public static partial class Gemm
{
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate)
    {
        // Placeholder reference implementation; replaced by the packed SIMD kernel.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
            }
        }
    }
}
