using System;
using RnnGen.Kernels;

namespace RnnGen.Seq2Seq;

/// <summary>
/// One entry point over the three layer kernels (<see cref="RnnLayer"/> with tanh, <see cref="GruLayer"/>,
/// <see cref="LstmLayer"/>), so the encoder–decoder code is written once for every cell. The cell state
/// spans (c0, cN, dcN, dc0) are ignored by the cells that have none.
/// </summary>
internal static class CellOps
{
    public static int Gates(Cell cell) => cell switch
    {
        Cell.Lstm => LstmLayer.Gates,
        Cell.Gru => GruLayer.Gates,
        _ => 1,
    };

    public static bool HasCellState(Cell cell) => cell == Cell.Lstm;

    public static int CacheLength(Cell cell, int batch, int steps, int hidden) => cell switch
    {
        Cell.Lstm => LstmLayer.CacheLength(batch, steps, hidden),
        Cell.Gru => GruLayer.CacheLength(batch, steps, hidden),
        _ => RnnLayer.CacheLength(batch, steps, hidden),
    };

    public static int ScratchLength(Cell cell, int batch, int steps, int hidden) => cell switch
    {
        Cell.Lstm => LstmLayer.ScratchLength(batch, steps, hidden),
        Cell.Gru => GruLayer.ScratchLength(batch, steps, hidden),
        _ => RnnLayer.ScratchLength(batch, steps, hidden),
    };

    public static void Forward(Cell cell, LayerDims dims, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> y, int ldy, Span<float> hN, Span<float> cN, Span<float> cache)
    {
        switch (cell)
        {
            case Cell.Lstm:
                LstmLayer.Forward(dims, reverse, lengths, x, weights, h0, c0, y, ldy, hN, cN, cache);
                break;
            case Cell.Gru:
                GruLayer.Forward(dims, reverse, lengths, x, weights, h0, y, ldy, hN, cache);
                break;
            default:
                RnnLayer.Forward(dims, relu: false, reverse, lengths, x, weights, h0, y, ldy, hN, cache);
                break;
        }
    }

    public static void Backward(Cell cell, LayerDims dims, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy, ReadOnlySpan<float> dhN, ReadOnlySpan<float> dcN,
        RecurrentGradients gradients, Span<float> dx, Span<float> dh0, Span<float> dc0, Span<float> scratch)
    {
        switch (cell)
        {
            case Cell.Lstm:
                LstmLayer.Backward(dims, reverse, lengths, x, weights, h0, c0, cache, dy, lddy, dhN, dcN, gradients, dx, dh0, dc0, scratch);
                break;
            case Cell.Gru:
                GruLayer.Backward(dims, reverse, lengths, x, weights, h0, cache, dy, lddy, dhN, gradients, dx, dh0, scratch);
                break;
            default:
                RnnLayer.Backward(dims, relu: false, reverse, lengths, x, weights, h0, cache, dy, lddy, dhN, gradients, dx, dh0, scratch);
                break;
        }
    }
}
