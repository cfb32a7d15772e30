using System;

namespace RnnGen.Kernels;

/// <summary>
/// Per-call repacking of a recurrent weight matrix for the batched step GEMM. W_hh is stored [G·H, H]
/// (PyTorch); the per-step product h·W_hhᵀ with B ≥ 2 rows would make the GEMM pack (transpose) all of
/// W_hh on every step. Packing W_hhᵀ ONCE per Forward into the micro-kernel's panels lets every step
/// read contiguous panels with no packing (and no 4 KiB-aliased row pitch, docs/kernels-gemm.md).
/// </summary>
internal static class PackedWeights
{
    /// <summary>
    /// Fewest steps of a call for which recurrent weights are packed into panels: packing reads and writes the matrix
    /// once, which pays only when the steps then read it several times.
    /// </summary>
    public const int MinPanelSteps = 4;

    // Pinned per-thread buffer, grown on demand and reused: nothing allocates in steady state.
    [ThreadStatic]
    private static float[]? t_panels;

    /// <summary>
    /// The step GEMM's B operand packed once per call into the micro-kernel's panel layout (see
    /// <see cref="Gemm.PackPanels"/>), in a per-thread buffer valid until the next call on this thread:
    /// op(B) = Wᵀ of a stored W [n, k] when <paramref name="transpose"/> (forward: h·W_hhᵀ), else W [k, n]
    /// itself.
    /// </summary>
    public static unsafe float* Panels(ReadOnlySpan<float> w, int k, int n, bool transpose)
    {
        float* dst = ThreadScratch.Get(ref t_panels, Gemm.PackedPanelsLength(k, n));
        Gemm.PackPanels(transpose, w, transpose ? k : n, k, n, dst);
        return dst;
    }

    [ThreadStatic]
    private static float[]? t_secondPanels;

    /// <summary>This thread's <see cref="Panels"/> buffer for op(B) [k, n], not yet packed (see <see cref="RecurrentKernel.StepPanels"/>).</summary>
    public static unsafe float* PanelBuffer(int k, int n) => ThreadScratch.Get(ref t_panels, Gemm.PackedPanelsLength(k, n));

    [ThreadStatic]
    private static float[]? t_gradientPanelsX, t_gradientPanelsH;

    /// <summary>
    /// This thread's buffers for the panels of x [rows, I] and h [rows, H], the right operands of a layer's weight
    /// gradients, which both cores pack half of (<see cref="RecurrentKernel.AccumulateParameterGradients"/>).
    /// </summary>
    public static unsafe (nint X, nint H) GradientPanelBuffers(int rows, int input, int hidden) =>
        ((nint)ThreadScratch.Get(ref t_gradientPanelsX, Gemm.PackedPanelsLength(rows, input)),
         (nint)ThreadScratch.Get(ref t_gradientPanelsH, Gemm.PackedPanelsLength(rows, hidden)));

    /// <summary>This thread's <see cref="SecondPanels"/> buffer for op(B) [k, n], not yet packed.</summary>
    public static unsafe float* SecondPanelBuffer(int k, int n) => ThreadScratch.Get(ref t_secondPanels, Gemm.PackedPanelsLength(k, n));

    /// <summary>
    /// Like <see cref="Panels"/>, in a second per-thread buffer, for a layer that multiplies by two packed matrices in
    /// each step (an LSTM with a projection: W_hhᵀ and W_hrᵀ).
    /// </summary>
    public static unsafe float* SecondPanels(ReadOnlySpan<float> w, int k, int n, bool transpose)
    {
        float* dst = ThreadScratch.Get(ref t_secondPanels, Gemm.PackedPanelsLength(k, n));
        Gemm.PackPanels(transpose, w, transpose ? k : n, k, n, dst);
        return dst;
    }
}
