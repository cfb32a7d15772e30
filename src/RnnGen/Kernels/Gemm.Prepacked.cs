using System;

namespace RnnGen.Kernels;

public static partial class Gemm
{
    /// <summary>NR, the width of a packed B micro-panel, of the GEMM path in use on this thread.</summary>
    internal static int PanelWidth => (ForcedPath ?? DefaultPath) switch
    {
        GemmPath.Vector512 => 2 * GemmSimd512.Count,
        GemmPath.Vector256 => 2 * GemmSimd256.Count,
        GemmPath.Vector128 => 2 * GemmSimd128.Count,
        _ => 2 * GemmSimdScalar.Count,
    };

    /// <summary>Floats that <see cref="PackPanels"/> writes for op(B) [k, n] on this thread's path.</summary>
    internal static int PackedPanelsLength(int k, int n) => RoundUp(n, PanelWidth) * k;

    /// <summary>
    /// Packs op(B) [k, n] once into the micro-kernel's panel layout [n / NR][k][NR] (zero-padded
    /// columns), for a B reused by many calls — the recurrent weights of every step of a sequence.
    /// </summary>
    /// <remarks>
    /// Without it, a step GEMM with few rows (m = B per core) reads W_hhᵀ rows in place: each k step of a
    /// micro-panel is two cache lines a whole row pitch apart. Packed, a panel is one contiguous run
    /// that the hardware prefetcher streams from L2.
    /// </remarks>
    internal static unsafe void PackPanels(bool transposeB, ReadOnlySpan<float> b, int ldb, int k, int n, float* dst)
    {
        ValidateOperand(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b), nameof(ldb));
        fixed (float* pb = b)
        {
            switch (ForcedPath ?? DefaultPath)
            {
                case GemmPath.Vector512: PackB<GemmSimd512, System.Runtime.Intrinsics.Vector512<float>>(transposeB, pb, ldb, 0, k, 0, n, PanelWidth, dst); break;
                case GemmPath.Vector256: PackB<GemmSimd256, System.Runtime.Intrinsics.Vector256<float>>(transposeB, pb, ldb, 0, k, 0, n, PanelWidth, dst); break;
                case GemmPath.Vector128: PackB<GemmSimd128, System.Runtime.Intrinsics.Vector128<float>>(transposeB, pb, ldb, 0, k, 0, n, PanelWidth, dst); break;
                default: PackB<GemmSimdScalar, float>(transposeB, pb, ldb, 0, k, 0, n, PanelWidth, dst); break;
            }
        }
    }

    /// <summary>
    /// Packs panels [<paramref name="panel0"/>, <paramref name="panel1"/>) of op(B) [k, n] into their places in the
    /// <see cref="PackPanels"/> layout at <paramref name="dst"/> — so that two threads can pack one matrix, half each.
    /// </summary>
    internal static unsafe void PackPanelRange(bool transposeB, ReadOnlySpan<float> b, int ldb, int k, int n, int panel0, int panel1, float* dst)
    {
        ValidateOperand(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b), nameof(ldb));
        int nr = PanelWidth;
        int j0 = Math.Min(n, panel0 * nr), j1 = Math.Min(n, panel1 * nr);
        if (j1 <= j0) return;
        float* panels = dst + ((nint)panel0 * k * nr);
        fixed (float* pb = b)
        {
            switch (ForcedPath ?? DefaultPath)
            {
                case GemmPath.Vector512: PackB<GemmSimd512, System.Runtime.Intrinsics.Vector512<float>>(transposeB, pb, ldb, 0, k, j0, j1 - j0, nr, panels); break;
                case GemmPath.Vector256: PackB<GemmSimd256, System.Runtime.Intrinsics.Vector256<float>>(transposeB, pb, ldb, 0, k, j0, j1 - j0, nr, panels); break;
                case GemmPath.Vector128: PackB<GemmSimd128, System.Runtime.Intrinsics.Vector128<float>>(transposeB, pb, ldb, 0, k, j0, j1 - j0, nr, panels); break;
                default: PackB<GemmSimdScalar, float>(transposeB, pb, ldb, 0, k, j0, j1 - j0, nr, panels); break;
            }
        }
    }

    /// <summary>Panels of <see cref="PackPanels"/> for op(B) with n columns on this thread's path.</summary>
    internal static int PanelCount(int n) => (n + PanelWidth - 1) / PanelWidth;

    /// <summary>
    /// C[m, n] = bias + A[m, k] · P, the bias added in the first K block's tile store. For m &gt; <see cref="DotMaxM"/>
    /// bitwise the result of
    /// <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool, ReadOnlySpan{float})"/>
    /// with transposed B and the bias (the packed path); for any m bitwise filling C with the bias and then
    /// accumulating <c>A·P</c> with <see cref="MultiplyPrepacked(int, int, int, ReadOnlySpan{float}, int, float*, Span{float}, int, bool)"/>
    /// (either way one float addition of the same two values per element and K block), without writing C twice.
    /// </summary>
    internal static unsafe void MultiplyPrepacked(int m, int n, int k, ReadOnlySpan<float> a, int lda, float* packed, Span<float> c, int ldc, ReadOnlySpan<float> bias)
    {
        ValidateOperand(a.Length, m, k, lda, nameof(a), nameof(lda));
        ValidateOperand(c.Length, m, n, ldc, nameof(c), nameof(ldc));
        if (bias.Length < n) throw new ArgumentException($"'bias' must hold n = {n} floats, got {bias.Length}.", nameof(bias));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) bias.Slice(0, n).CopyTo(c.Slice(i * ldc, n));
            return;
        }
        fixed (float* pa = a)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            Prepacked(m, n, k, pa, lda, packed, pc, ldc, accumulate: false, pbias);
        }
    }

    /// <summary>
    /// C[m, n] (+)= A[m, k] · P, where P is op(B) packed by <see cref="PackPanels"/> on the same path.
    /// Bitwise the same result as <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// on the packed path (same K blocks, same micro-kernel).
    /// </summary>
    internal static unsafe void MultiplyPrepacked(int m, int n, int k, ReadOnlySpan<float> a, int lda, float* packed, Span<float> c, int ldc, bool accumulate) =>
        MultiplyPrepacked(transposeA: false, m, n, k, a, lda, packed, c, ldc, accumulate);

    /// <summary>
    /// C[m, n] (+)= op(A) · P with A transposed (stored [k, m]) or not, P packed by <see cref="PackPanels"/> or
    /// <see cref="PackPanelRange"/>. Bitwise <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// with op(B) untransposed for m ≥ 2 (the packed path reads the same values in the same order whether B is
    /// packed per block, read in place or prepacked).
    /// </summary>
    internal static unsafe void MultiplyPrepacked(bool transposeA, int m, int n, int k, ReadOnlySpan<float> a, int lda, float* packed, Span<float> c, int ldc, bool accumulate)
    {
        ValidateOperand(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a), nameof(lda));
        ValidateOperand(c.Length, m, n, ldc, nameof(c), nameof(ldc));
        if (m == 0 || n == 0 || k == 0)
        {
            if (k == 0 && !accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            Prepacked(m, n, k, pa, lda, packed, pc, ldc, accumulate, bias: null, transposeA);
        }
    }

    /// <summary>The packed driver on prepacked B panels, on this thread's path.</summary>
    private static unsafe void Prepacked(int m, int n, int k, float* a, nint lda, float* packed, float* c, nint ldc, bool accumulate, float* bias, bool transposeA = false)
    {
        switch (ForcedPath ?? DefaultPath)
        {
            case GemmPath.Vector512: Packed<GemmSimd512, System.Runtime.Intrinsics.Vector512<float>>(transposeA, false, m, n, k, a, lda, packed, 0, c, ldc, accumulate, bias, prepackedB: true); break;
            case GemmPath.Vector256: Packed<GemmSimd256, System.Runtime.Intrinsics.Vector256<float>>(transposeA, false, m, n, k, a, lda, packed, 0, c, ldc, accumulate, bias, prepackedB: true); break;
            case GemmPath.Vector128: Packed<GemmSimd128, System.Runtime.Intrinsics.Vector128<float>>(transposeA, false, m, n, k, a, lda, packed, 0, c, ldc, accumulate, bias, prepackedB: true); break;
            default: Packed<GemmSimdScalar, float>(transposeA, false, m, n, k, a, lda, packed, 0, c, ldc, accumulate, bias, prepackedB: true); break;
        }
    }
}
