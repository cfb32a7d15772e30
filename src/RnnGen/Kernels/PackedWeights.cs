using System;

namespace RnnGen.Kernels;

/// <summary>
/// Per-call repacking of a recurrent weight matrix for the step GEMM. W_hh is stored [G·H, H]
/// (PyTorch); the per-step product h·W_hhᵀ with B ≥ 2 rows would make the GEMM pack (transpose)
/// all of W_hh on every step. Transposing it ONCE per Forward into W_hhᵀ [H, ld] lets every step use
/// the untransposed-B GEMM, which reads B rows in place (no packing) for small m.
/// </summary>
internal static class PackedWeights
{
    // Pinned per-thread buffers, grown on demand and reused: nothing allocates in steady state.
    [ThreadStatic]
    private static float[]? t_transposed;

    [ThreadStatic]
    private static float[]? t_panels;

    /// <summary>
    /// The step GEMM's B operand packed once per call into the micro-kernel's panel layout (see
    /// <see cref="Gemm.PackPanels"/>), in a per-thread buffer valid until the next call on this thread:
    /// op(B) = Wᵀ of a stored W [n, k] when <paramref name="transpose"/> (forward: h·W_hhᵀ), else W [k, n]
    /// itself (backward: dG·W_hh).
    /// </summary>
    public static unsafe float* Panels(ReadOnlySpan<float> w, int k, int n, bool transpose)
    {
        float* dst = ThreadScratch.Get(ref t_panels, Gemm.PackedPanelsLength(k, n));
        Gemm.PackPanels(transpose, w, transpose ? k : n, k, n, dst);
        return dst;
    }

    /// <summary>
    /// Leading dimension for a transposed matrix with <paramref name="n"/> columns: a multiple of 16
    /// floats (64-byte rows), bumped when the row pitch is a multiple of 4 KiB so that consecutive
    /// rows do not alias to the same L1 sets (the micro-kernel walks B rows with this stride).
    /// </summary>
    public static int PaddedLd(int n)
    {
        int ld = (n + 15) & ~15;
        if (ld % 1024 == 0) ld += 16;
        return ld;
    }

    /// <summary>Returns Wᵀ [k, ld] of W [n, k] in a per-thread buffer (valid until the next call on this thread).</summary>
    public static unsafe float* Transpose(ReadOnlySpan<float> w, int n, int k, out int ld)
    {
        ld = PaddedLd(n);
        float* dst = ThreadScratch.Get(ref t_transposed, k * ld);
        fixed (float* src = w)
        {
            // 8 × 8 blocks: 8 source rows are read in parallel streams, 8 destination rows written;
            // whole blocks transposed in registers, edge blocks element by element.
            const int Block = 8;
            if (Transpose8x8.IsSupported)
            {
                int nFull = n & ~7, kFull = k & ~7;
                for (int j0 = 0; j0 < nFull; j0 += Block)
                {
                    for (int p0 = 0; p0 < kFull; p0 += Block)
                    {
                        Transpose8x8.Block(src + ((nint)j0 * k) + p0, k, dst + ((nint)p0 * ld) + j0, ld);
                    }
                    for (int j = j0; j < j0 + Block; j++)
                    {
                        for (int p = kFull; p < k; p++) dst[((nint)p * ld) + j] = src[((nint)j * k) + p];
                    }
                }
                for (int j = nFull; j < n; j++)
                {
                    for (int p = 0; p < k; p++) dst[((nint)p * ld) + j] = src[((nint)j * k) + p];
                }
                return dst;
            }
            for (int j0 = 0; j0 < n; j0 += Block)
            {
                int jn = Math.Min(Block, n - j0);
                for (int p0 = 0; p0 < k; p0 += Block)
                {
                    int pn = Math.Min(Block, k - p0);
                    for (int j = 0; j < jn; j++)
                    {
                        float* s = src + ((nint)(j0 + j) * k) + p0;
                        float* d = dst + ((nint)p0 * ld) + j0 + j;
                        for (int p = 0; p < pn; p++) d[(nint)p * ld] = s[p];
                    }
                }
            }
        }
        return dst;
    }
}
