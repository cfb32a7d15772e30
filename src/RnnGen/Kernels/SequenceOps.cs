using System;
using System.Globalization;

namespace RnnGen.Kernels;

/// <summary>
/// Data movement between the user's padded batch-first tensors and the session's buffers:
/// validated copies, and the gathers/scatters that connect recurrent outputs to the head.
/// Shapes: B = batch, T = padded steps, D = directions, H = hidden size.
/// </summary>
public static class SequenceOps
{
    /// <summary>
    /// Copies per-sequence lengths into <paramref name="destination"/> [B], validating each is in 1..T.
    /// An empty <paramref name="lengths"/> means every sequence has T steps.
    /// </summary>
    public static void CopyLengths(ReadOnlySpan<int> lengths, int batch, int steps, Span<int> destination)
    {
        if (lengths.IsEmpty)
        {
            destination.Slice(0, batch).Fill(steps);
            return;
        }
        if (lengths.Length != batch)
        {
            throw new ArgumentException(
                $"Expected lengths to hold one length per sequence ({batch}), but it holds {lengths.Length}.", nameof(lengths));
        }
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            if (length < 1 || length > steps)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), length,
                    $"Expected lengths[{b}] in 1..{steps} (the batch's steps), but got {length}.");
            }
            destination[b] = length;
        }
    }

    /// <summary>
    /// Copies x [B, T, F] into <paramref name="destination"/>, zeroing every position past its
    /// sequence's length (so padding can never leak NaN into weight gradients) and rejecting
    /// NaN or infinite values at valid positions with their index.
    /// </summary>
    public static void CopyInput(ReadOnlySpan<float> input, Span<float> destination, int batch, int steps, int features,
        ReadOnlySpan<int> lengths, string argument = "input")
    {
        for (int b = 0; b < batch; b++)
        {
            int valid = lengths[b] * features;
            int rowStart = b * steps * features;
            ReadOnlySpan<float> source = input.Slice(rowStart, valid);
            Span<float> target = destination.Slice(rowStart, steps * features);
            source.CopyTo(target);
            target.Slice(valid).Clear();
            int bad = RnnGen.Training.GradientClipping.IndexOfNonFinite(source); // vectorized finiteness scan
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"Expected finite values in {argument}, but {argument}[{b}, {bad / features}, {bad % features}] is {source[bad].ToString(CultureInfo.InvariantCulture)}.",
                    argument);
            }
        }
    }

    /// <summary>Copies an initial state, rejecting NaN or infinite values with their index.</summary>
    public static void CopyState(ReadOnlySpan<float> state, Span<float> destination, string argument)
    {
        int bad = RnnGen.Training.GradientClipping.IndexOfNonFinite(state);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"Expected finite values in {argument}, but {argument}[{bad}] is {state[bad].ToString(CultureInfo.InvariantCulture)}.", argument);
        }
        state.CopyTo(destination);
    }

    /// <summary>
    /// Many-to-one features: features[b] = [y_fwd(b, len−1), y_rev(b, 0)] from y [B, T, D·H] —
    /// for bidirectional models exactly PyTorch's <c>cat(h_n[-2], h_n[-1])</c>.
    /// </summary>
    public static void GatherLastStep(ReadOnlySpan<float> y, ReadOnlySpan<int> lengths, int batch, int steps,
        int hidden, int directions, Span<float> features)
    {
        int width = hidden * directions;
        for (int b = 0; b < batch; b++)
        {
            int last = lengths[b] - 1;
            y.Slice((b * steps + last) * width, hidden).CopyTo(features.Slice(b * width, hidden));
            if (directions == 2)
            {
                y.Slice(b * steps * width + hidden, hidden).CopyTo(features.Slice(b * width + hidden, hidden));
            }
        }
    }

    /// <summary>The adjoint of <see cref="GatherLastStep"/>: adds dFeatures [B, D·H] into dy [B, T, D·H].</summary>
    public static void ScatterLastStep(ReadOnlySpan<float> dFeatures, ReadOnlySpan<int> lengths, int batch, int steps,
        int hidden, int directions, Span<float> dy)
    {
        int width = hidden * directions;
        for (int b = 0; b < batch; b++)
        {
            int last = lengths[b] - 1;
            AddInto(dFeatures.Slice(b * width, hidden), dy.Slice((b * steps + last) * width, hidden));
            if (directions == 2)
            {
                AddInto(dFeatures.Slice(b * width + hidden, hidden), dy.Slice(b * steps * width + hidden, hidden));
            }
        }
    }

    /// <summary>Packs the valid rows of x [B, T, F] into rows [N, F]; returns N = Σ lengths.</summary>
    public static int GatherValidRows<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> lengths, int batch, int steps, int features,
        Span<T> rows)
    {
        int n = 0;
        for (int b = 0; b < batch; b++)
        {
            int count = lengths[b] * features;
            x.Slice(b * steps * features, count).CopyTo(rows.Slice(n * features, count));
            n += lengths[b];
        }
        return n;
    }

    /// <summary>Unpacks rows [N, F] into x [B, T, F] (overwriting), zeroing the padded positions.</summary>
    public static void ScatterValidRows(ReadOnlySpan<float> rows, ReadOnlySpan<int> lengths, int batch, int steps, int features,
        Span<float> x)
    {
        int n = 0;
        for (int b = 0; b < batch; b++)
        {
            int count = lengths[b] * features;
            Span<float> target = x.Slice(b * steps * features, steps * features);
            rows.Slice(n * features, count).CopyTo(target);
            target.Slice(count).Clear();
            n += lengths[b];
        }
    }

    private static void AddInto(ReadOnlySpan<float> source, Span<float> destination)
    {
        System.Numerics.Tensors.TensorPrimitives.Add(destination, source, destination);
    }
}
