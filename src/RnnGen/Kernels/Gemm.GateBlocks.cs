using System;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// The cell update a recurrent layer runs on a block of hidden units as soon as the step GEMM has
/// finished every gate column of those units (see <see cref="Gemm.MultiplyGateBlocks{TEpilogue}"/>).
/// Implemented by small unmanaged structs, so the JIT compiles one specialized driver per cell.
/// </summary>
internal interface IGateEpilogue
{
    /// <summary>Updates units [<paramref name="unit0"/>, unit0 + <paramref name="count"/>) of every row of the step.</summary>
    void Apply(int unit0, int count);
}

public static partial class Gemm
{
    /// <summary>Hidden units per epilogue call: two B micro-panels per gate (64 units on AVX-512).</summary>
    /// <remarks>
    /// Small enough that the gate columns of one block for 16 rows (16 · 4 gates · 64 · 4 B = 16 KiB)
    /// are still in L1 when the epilogue reads them; large enough that the epilogue's per-call cost
    /// (one call per row and block) stays well under 1 % of the block's FMAs.
    /// </remarks>
    internal static int GateBlockUnits => 2 * PanelWidth;

    /// <summary>Floats <see cref="PackGatePanels"/> writes for a [G·H, H] recurrent matrix on this thread's path.</summary>
    internal static int GatePanelsLength(int hidden, int gates) => gates * RoundUp(hidden, PanelWidth) * hidden;

    /// <summary>
    /// Packs W_hhᵀ (op(B) [H, G·H] of a stored W_hh [G·H, H]) gate by gate into the micro-kernel's panels:
    /// [G][⌈H / NR⌉][H][NR], each gate's columns zero-padded to a whole panel. Unit u of gate g is column
    /// u mod NR of panel (g, u / NR), so the panels of one block of units hold every gate of those units
    /// even when H is not a multiple of NR (a plain packing of [H, G·H] lets a panel straddle two gates).
    /// </summary>
    internal static unsafe void PackGatePanels(ReadOnlySpan<float> w, int hidden, int gates, float* dst)
    {
        ValidateOperand(w.Length, gates * hidden, hidden, hidden, nameof(w), "hidden");
        int gateFloats = RoundUp(hidden, PanelWidth) * hidden;
        fixed (float* pw = w)
        {
            for (int g = 0; g < gates; g++)
            {
                // op(B) = W_hhᵀ: column j of gate g is row g·H + j of W_hh.
                float* gateDst = dst + ((nint)g * gateFloats);
                switch (ForcedPath ?? DefaultPath)
                {
                    case GemmPath.Vector512: PackB<GemmSimd512, Vector512<float>>(true, pw, hidden, 0, hidden, g * hidden, hidden, PanelWidth, gateDst); break;
                    case GemmPath.Vector256: PackB<GemmSimd256, Vector256<float>>(true, pw, hidden, 0, hidden, g * hidden, hidden, PanelWidth, gateDst); break;
                    case GemmPath.Vector128: PackB<GemmSimd128, Vector128<float>>(true, pw, hidden, 0, hidden, g * hidden, hidden, PanelWidth, gateDst); break;
                    default: PackB<GemmSimdScalar, float>(true, pw, hidden, 0, hidden, g * hidden, hidden, PanelWidth, gateDst); break;
                }
            }
        }
    }

    /// <summary>
    /// One recurrent step: C[m, G·H] (+)= A[m, H] · W_hhᵀ with W_hhᵀ packed by <see cref="PackGatePanels"/>,
    /// computed one block of hidden units at a time (all G gate column ranges of the block), each block
    /// followed at once by <paramref name="epilogue"/>'s cell update of those units, while the block's
    /// columns are still in L1. Gate g's block starts at column g·H of C (PyTorch's gate order is kept).
    /// </summary>
    /// <remarks>
    /// Bitwise the same C as <see cref="MultiplyPrepacked"/> of the same product: every element is the
    /// same micro-kernel's sum over the same K blocks (KC) in the same order, added to C the same way;
    /// only the order in which tiles are visited changes. The epilogue must not write A's rows.
    /// </remarks>
    internal static unsafe void MultiplyGateBlocks<TEpilogue>(int m, int hidden, int gates, float* a, nint lda,
        float* panels, float* c, nint ldc, bool accumulate, ref TEpilogue epilogue)
        where TEpilogue : struct, IGateEpilogue
    {
        switch (ForcedPath ?? DefaultPath)
        {
            case GemmPath.Vector512: GateBlocks<GemmSimd512, Vector512<float>, TEpilogue>(m, hidden, gates, a, lda, panels, c, ldc, accumulate, ref epilogue); break;
            case GemmPath.Vector256: GateBlocks<GemmSimd256, Vector256<float>, TEpilogue>(m, hidden, gates, a, lda, panels, c, ldc, accumulate, ref epilogue); break;
            case GemmPath.Vector128: GateBlocks<GemmSimd128, Vector128<float>, TEpilogue>(m, hidden, gates, a, lda, panels, c, ldc, accumulate, ref epilogue); break;
            default: GateBlocks<GemmSimdScalar, float, TEpilogue>(m, hidden, gates, a, lda, panels, c, ldc, accumulate, ref epilogue); break;
        }
    }

    [System.Runtime.CompilerServices.SkipLocalsInit] // the edge tile is fully written by the micro-kernel before it is read
    private static unsafe void GateBlocks<TOps, TVec, TEpilogue>(int m, int hidden, int gates, float* a, nint lda,
        float* panels, float* c, nint ldc, bool accumulate, ref TEpilogue epilogue)
        where TOps : struct, IGemmSimd<TVec>
        where TVec : struct
        where TEpilogue : struct, IGateEpilogue
    {
        int mr = MicroRows<TOps, TVec>();
        int nr = 2 * TOps.Count;
        int k = hidden;
        int gateFloats = RoundUp(hidden, nr) * k;
        int blockUnits = 2 * nr;

        // A (the m state rows) packed once for all K: [m / MR][k][MR]; K block p0 of panel ir starts at p0·MR.
        int mPadded = RoundUp(m, mr);
        float* packA = GetBuffer(ref t_packA, mPadded * k);
        PackA(false, a, lda, 0, m, 0, k, mr, packA);
        float* tile = stackalloc float[8 * 32];

        for (int u0 = 0; u0 < hidden; u0 += blockUnits)
        {
            int units = Math.Min(blockUnits, hidden - u0);
            for (int g = 0; g < gates; g++)
            {
                for (int jr = u0; jr < u0 + units; jr += nr)
                {
                    int nValid = Math.Min(nr, hidden - jr);
                    float* bPanel = panels + ((nint)g * gateFloats) + ((nint)(jr / nr) * k * nr);
                    for (int ir = 0; ir < m; ir += mr)
                    {
                        int mValid = Math.Min(mr, m - ir);
                        float* aPanel = packA + ((nint)(ir / mr) * k * mr);
                        float* cTile = c + ((nint)ir * ldc) + ((nint)g * hidden) + jr;
                        for (int p0 = 0; p0 < k; p0 += KC)
                        {
                            int kc = Math.Min(KC, k - p0);
                            bool acc = accumulate || p0 > 0;
                            if (mValid == mr && nValid == nr)
                            {
                                MicroKernel<TOps, TVec>(kc, aPanel + ((nint)p0 * mr), bPanel + ((nint)p0 * nr), nr, cTile, ldc, acc, null);
                            }
                            else
                            {
                                MicroKernel<TOps, TVec>(kc, aPanel + ((nint)p0 * mr), bPanel + ((nint)p0 * nr), nr, tile, nr, false, null);
                                StoreEdge(tile, nr, cTile, ldc, mValid, nValid, acc, null);
                            }
                        }
                    }
                }
            }

            epilogue.Apply(u0, units);
        }
    }
}
