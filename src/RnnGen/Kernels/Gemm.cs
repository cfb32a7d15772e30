using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>SIMD register width used by the GEMM kernels.</summary>
internal enum GemmPath
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}

/// <summary>
/// Single-precision general matrix multiply on row-major spans:
/// <c>C[m, n] = op(A)[m, k] · op(B)[k, n]</c>, added to C when <c>accumulate</c> is set.
/// </summary>
/// <remarks>
/// op(A) is A [m, k] (leading dimension <c>lda</c> ≥ k) or, when <c>transposeA</c>, Aᵀ of a stored
/// A [k, m] (lda ≥ m). Likewise op(B) is B [k, n] or Bᵀ of a stored B [n, k].
/// Leading dimensions let callers address strided row sets (one time step of a batch-first
/// [B, T, H] buffer has lda = T·H) without copying.
/// <para>
/// Implementation: a packed, cache-blocked, register-tiled SGEMM in the BLIS/GotoBLAS style
/// (see docs/kernels-gemm.md), with a GEMV fast path for m == 1. C must not overlap A or B.
/// Single-threaded; zero allocations per call once the per-thread packing buffers have grown.
/// </para>
/// </remarks>
public static partial class Gemm
{
    // Per thread so that a test forcing a path cannot slow down or perturb GEMM calls made by
    // tests running concurrently on other threads.
    [ThreadStatic]
    private static GemmPath? t_forcedPath;

    /// <summary>
    /// Test hook: when set, forces the kernels of that register width on the current thread (must
    /// be supported by the hardware, see <see cref="IsSupported"/>). <c>null</c> selects the widest
    /// accelerated path.
    /// </summary>
    internal static GemmPath? ForcedPath
    {
        get => t_forcedPath;
        set => t_forcedPath = value;
    }

    /// <summary>Whether the hardware/JIT can run the kernels of <paramref name="path"/>.</summary>
    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmPath.Vector256 => Vector256.IsHardwareAccelerated,
        GemmPath.Vector128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>The path used when <see cref="ForcedPath"/> is null.</summary>
    internal static GemmPath DefaultPath { get; } =
        IsSupported(GemmPath.Vector512) ? GemmPath.Vector512 :
        IsSupported(GemmPath.Vector256) ? GemmPath.Vector256 :
        IsSupported(GemmPath.Vector128) ? GemmPath.Vector128 :
        GemmPath.Scalar;

    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate) => Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, default);

    /// <summary>
    /// As <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>,
    /// with <paramref name="bias"/> [n] (or empty) added to every row of the product when not accumulating:
    /// <c>C[i, j] = op(A)·op(B)[i, j] + bias[j]</c>. The packed path adds it in the tile store, so a
    /// projection over many rows writes C once instead of first filling it with the bias and then
    /// reading it back (bitwise the same result: one float addition either way).
    /// </summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate, ReadOnlySpan<float> bias)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (!bias.IsEmpty)
        {
            if (accumulate)
            {
                throw new ArgumentException("A bias is added only when the product overwrites C (accumulate = false).", nameof(bias));
            }
            if (bias.Length < n)
            {
                throw new ArgumentException($"'bias' must hold n = {n} floats, got {bias.Length}.", nameof(bias));
            }
        }
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        // Stored shapes: A is [m, k] or, transposed, [k, m]; B is [k, n] or, transposed, [n, k].
        ValidateOperand(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a), nameof(lda));
        ValidateOperand(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b), nameof(ldb));
        ValidateOperand(c.Length, m, n, ldc, nameof(c), nameof(ldc));

        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            // op(A)·op(B) is the zero matrix: C = 0 (or the bias), or C unchanged when accumulating.
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    if (bias.IsEmpty) c.Slice(i * ldc, n).Clear();
                    else bias.Slice(0, n).CopyTo(c.Slice(i * ldc, n));
                }
            }

            return;
        }

        GemmPath path = ForcedPath ?? DefaultPath;
        if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException($"GEMM path {path} is not supported on this hardware.");
        }

        switch (path)
        {
            case GemmPath.Vector512:
                Run<GemmSimd512, Vector512<float>>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
                break;
            case GemmPath.Vector256:
                Run<GemmSimd256, Vector256<float>>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
                break;
            case GemmPath.Vector128:
                Run<GemmSimd128, Vector128<float>>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
                break;
            default:
                Run<GemmSimdScalar, float>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
                break;
        }
    }

    /// <summary>
    /// Checks a stored row-major operand of <paramref name="rows"/> × <paramref name="cols"/>
    /// with leading dimension <paramref name="ld"/> against its span length.
    /// </summary>
    private static void ValidateOperand(int length, int rows, int cols, int ld, string spanName, string ldName)
    {
        if (ld < cols || ld < 0)
        {
            throw new ArgumentOutOfRangeException(
                ldName, ld, $"Leading dimension '{ldName}' must be at least the stored row width {cols}, but was {ld}.");
        }

        if (rows == 0 || cols == 0)
        {
            return;
        }

        // long: (rows - 1) * ld can exceed int.MaxValue for absurd arguments.
        long required = ((long)(rows - 1) * ld) + cols;
        if (length < required)
        {
            throw new ArgumentException(
                $"Span '{spanName}' is too short for a stored [{rows}, {cols}] matrix with {ldName} = {ld}: expected at least {required} elements, but got {length}.",
                spanName);
        }
    }
}
