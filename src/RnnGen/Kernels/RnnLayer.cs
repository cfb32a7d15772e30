using System;

namespace RnnGen.Kernels;

/// <summary>One direction of one Rnn layer over a padded batch (stub: implementation pending).</summary>
public static class RnnLayer
{
    public const int Gates = 1;

    public static int CacheLength(int batch, int steps, int hiddenSize) => throw new NotImplementedException();

    public static int ScratchLength(int batch, int steps, int hiddenSize) => throw new NotImplementedException();

    public static void Forward(LayerDims dims, bool relu, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        Span<float> y, int ldy,
        Span<float> hN,
        Span<float> cache) => throw new NotImplementedException();

    public static void Backward(LayerDims dims, bool relu, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy,
        ReadOnlySpan<float> dhN,
        RecurrentGradients gradients,
        Span<float> dx,
        Span<float> dh0,
        Span<float> scratch) => throw new NotImplementedException();
}
