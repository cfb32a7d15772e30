using System;
using System.Numerics.Tensors;
using RnnGen.Training;

namespace RnnGen.Kernels;

/// <summary>How the two directions of a bidirectional layer are combined (Keras <c>Bidirectional(merge_mode)</c>).</summary>
public enum BidirectionalMergeMode
{
    /// <summary>[y_fwd, y_rev], width 2H (PyTorch's only behaviour; the default).</summary>
    Concat = 0,

    /// <summary>y_fwd + y_rev, width H.</summary>
    Sum = 1,

    /// <summary>(y_fwd + y_rev) / 2, width H.</summary>
    Mean = 2,

    /// <summary>y_fwd ⊙ y_rev, width H.</summary>
    Product = 3,
}

/// <summary>
/// Merges the outputs of a bidirectional layer. Input layout: the buffer the layer kernels already write,
/// <c>y [rows, 2H]</c> (rows = B·T) with the forward direction in columns 0..H−1 and the reverse direction in
/// columns H..2H−1 of each row. Output: <c>merged [rows, W]</c> with W = <see cref="OutputWidth"/>
/// (2H for <see cref="BidirectionalMergeMode.Concat"/>, H otherwise).
/// </summary>
/// <remarks>Padded positions hold zeros in y (the layers write 0 there), so they merge to 0 in every mode.
/// Allocation-free. For Concat, forward copies (or does nothing when <c>merged</c> is <c>y</c> itself) and
/// backward copies dMerged into dy; callers can skip both and use y / dy directly.</remarks>
public static class BidirectionalMerge
{
    /// <summary>Width of one merged row: 2H for concat, H for the other modes.</summary>
    public static int OutputWidth(BidirectionalMergeMode mode, int hidden) =>
        mode == BidirectionalMergeMode.Concat ? 2 * hidden : hidden;

    /// <summary>merged [rows, W] = merge(y[:, :H], y[:, H:]) (overwritten).</summary>
    public static void Forward(BidirectionalMergeMode mode, int rows, int hidden, ReadOnlySpan<float> y, Span<float> merged)
    {
        int width = Check(mode, rows, hidden);
        ArgumentChecks.Shape(y.Length, nameof(y), rows, nameof(rows), 2 * hidden, "2·hidden");
        ArgumentChecks.Shape(merged.Length, nameof(merged), rows, nameof(rows), width, "OutputWidth(mode, hidden)");
        if (mode == BidirectionalMergeMode.Concat)
        {
            y.CopyTo(merged); // no-op semantics when they are the same buffer
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> fwd = y.Slice(r * 2 * hidden, hidden);
            ReadOnlySpan<float> rev = y.Slice(r * 2 * hidden + hidden, hidden);
            Span<float> m = merged.Slice(r * hidden, hidden);
            switch (mode)
            {
                case BidirectionalMergeMode.Sum:
                    TensorPrimitives.Add(fwd, rev, m);
                    break;
                case BidirectionalMergeMode.Mean:
                    TensorPrimitives.Add(fwd, rev, m);
                    TensorPrimitives.Multiply(m, 0.5f, m);
                    break;
                default:
                    TensorPrimitives.Multiply(fwd, rev, m);
                    break;
            }
        }
    }

    /// <summary>
    /// Backward: dy [rows, 2H] = ∂L/∂y from dMerged [rows, W] (overwritten). Product needs the forward input
    /// <paramref name="y"/> (d_fwd = dm ⊙ y_rev, d_rev = dm ⊙ y_fwd); the other modes ignore it (may be empty).
    /// dy must not overlap y or dMerged (except Concat, where dy may be dMerged).
    /// </summary>
    public static void Backward(BidirectionalMergeMode mode, int rows, int hidden, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dMerged, Span<float> dy)
    {
        int width = Check(mode, rows, hidden);
        if (mode == BidirectionalMergeMode.Product || !y.IsEmpty)
            ArgumentChecks.Shape(y.Length, nameof(y), rows, nameof(rows), 2 * hidden, "2·hidden");
        ArgumentChecks.Shape(dMerged.Length, nameof(dMerged), rows, nameof(rows), width, "OutputWidth(mode, hidden)");
        ArgumentChecks.Shape(dy.Length, nameof(dy), rows, nameof(rows), 2 * hidden, "2·hidden");
        if (mode == BidirectionalMergeMode.Concat)
        {
            dMerged.CopyTo(dy);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> dm = dMerged.Slice(r * hidden, hidden);
            Span<float> dFwd = dy.Slice(r * 2 * hidden, hidden);
            Span<float> dRev = dy.Slice(r * 2 * hidden + hidden, hidden);
            switch (mode)
            {
                case BidirectionalMergeMode.Sum:
                    dm.CopyTo(dFwd);
                    dm.CopyTo(dRev);
                    break;
                case BidirectionalMergeMode.Mean:
                    TensorPrimitives.Multiply(dm, 0.5f, dFwd);
                    dFwd.CopyTo(dRev);
                    break;
                default:
                    TensorPrimitives.Multiply(dm, y.Slice(r * 2 * hidden + hidden, hidden), dFwd);
                    TensorPrimitives.Multiply(dm, y.Slice(r * 2 * hidden, hidden), dRev);
                    break;
            }
        }
    }

    private static int Check(BidirectionalMergeMode mode, int rows, int hidden)
    {
        if ((uint)mode > (uint)BidirectionalMergeMode.Product)
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Expected a defined BidirectionalMergeMode, but got {(int)mode}.");
        ArgumentChecks.NonNegative(rows, nameof(rows));
        ArgumentChecks.NonNegative(hidden, nameof(hidden));
        return OutputWidth(mode, hidden);
    }
}
