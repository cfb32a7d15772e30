using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using RnnGen.Training;

namespace RnnGen.Kernels;

/// <summary>
/// Token embedding, PyTorch <c>nn.Embedding(V, E, padding_idx)</c>: a row gather from
/// <c>weight [V, E]</c> forward and a scatter-add into <c>dWeight [V, E]</c> backward.
/// </summary>
/// <remarks>
/// <para>Padding id (PyTorch <c>padding_idx</c> semantics): forward uses the padding row <b>as is</b>
/// (PyTorch zeroes it only at construction; a loaded or modified row is returned unchanged), and backward
/// gives that row <b>no gradient</b>. <see cref="NoPadding"/> (−1) means no padding id.</para>
/// <para>Freezing (pretrained, not trained) is the caller's business: simply skip <c>Backward</c>.</para>
/// <para>Allocation-free. Every id read is validated; an out-of-range id throws
/// <see cref="ArgumentOutOfRangeException"/> naming its position, its value and the valid range.</para>
/// </remarks>
public static class Embedding
{
    /// <summary>"No padding id".</summary>
    public const int NoPadding = -1;

    /// <summary>output[n, ·] = weight[ids[n], ·] for n &lt; N = ids.Length; output [N, E] is overwritten.</summary>
    public static void Forward(ReadOnlySpan<int> ids, ReadOnlySpan<float> weight, int vocabulary, int embeddingSize,
        Span<float> output)
    {
        CheckWeight(weight.Length, nameof(weight), vocabulary, embeddingSize);
        ArgumentChecks.Shape(output.Length, nameof(output), ids.Length, "N (ids.Length)", embeddingSize, nameof(embeddingSize));
        for (int n = 0; n < ids.Length; n++)
        {
            int id = ids[n];
            if ((uint)id >= (uint)vocabulary) ThrowId(n, id, vocabulary);
            weight.Slice(id * embeddingSize, embeddingSize).CopyTo(output.Slice(n * embeddingSize, embeddingSize));
        }
    }

    /// <summary>
    /// dWeight[ids[n], ·] += dOutput[n, ·] for every n whose id is not <paramref name="paddingId"/>
    /// (repeated ids accumulate). dOutput is [N, E], N = ids.Length.
    /// </summary>
    public static void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> dOutput, int vocabulary, int embeddingSize,
        Span<float> dWeight, int paddingId = NoPadding)
    {
        CheckWeight(dWeight.Length, nameof(dWeight), vocabulary, embeddingSize);
        CheckPadding(paddingId, vocabulary);
        ArgumentChecks.Shape(dOutput.Length, nameof(dOutput), ids.Length, "N (ids.Length)", embeddingSize, nameof(embeddingSize));
        for (int n = 0; n < ids.Length; n++)
        {
            int id = ids[n];
            if ((uint)id >= (uint)vocabulary) ThrowId(n, id, vocabulary);
            if (id == paddingId) continue;
            Span<float> row = dWeight.Slice(id * embeddingSize, embeddingSize);
            TensorPrimitives.Add(row, dOutput.Slice(n * embeddingSize, embeddingSize), row);
        }
    }

    /// <summary>
    /// Padded batch: ids [B, T] (row <c>b·T + t</c>), output [B, T, E]. Positions <c>t ≥ lengths[b]</c> are
    /// not read (any value, e.g. the padding id or −1, is accepted there) and their output is zeroed.
    /// An empty <paramref name="lengths"/> means every sequence has T steps; otherwise each length is in 0..T.
    /// </summary>
    public static void ForwardPadded(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int steps,
        ReadOnlySpan<float> weight, int vocabulary, int embeddingSize, Span<float> output)
    {
        CheckBatch(ids.Length, lengths, batch, steps);
        CheckWeight(weight.Length, nameof(weight), vocabulary, embeddingSize);
        ArgumentChecks.Shape(output.Length, nameof(output), batch * steps, "B·T", embeddingSize, nameof(embeddingSize));
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            int row0 = b * steps;
            for (int t = 0; t < length; t++)
            {
                int id = ids[row0 + t];
                if ((uint)id >= (uint)vocabulary) ThrowId(b, t, row0 + t, id, vocabulary);
                weight.Slice(id * embeddingSize, embeddingSize).CopyTo(output.Slice((row0 + t) * embeddingSize, embeddingSize));
            }
            output.Slice((row0 + length) * embeddingSize, (steps - length) * embeddingSize).Clear();
        }
    }

    /// <summary>
    /// Backward of <see cref="ForwardPadded"/>: dWeight[ids[b, t], ·] += dOutput[b, t, ·] for valid positions
    /// (<c>t &lt; lengths[b]</c>) whose id is not <paramref name="paddingId"/>; padded positions give no gradient.
    /// </summary>
    public static void BackwardPadded(ReadOnlySpan<int> ids, ReadOnlySpan<int> lengths, int batch, int steps,
        ReadOnlySpan<float> dOutput, int vocabulary, int embeddingSize, Span<float> dWeight, int paddingId = NoPadding)
    {
        CheckBatch(ids.Length, lengths, batch, steps);
        CheckWeight(dWeight.Length, nameof(dWeight), vocabulary, embeddingSize);
        CheckPadding(paddingId, vocabulary);
        ArgumentChecks.Shape(dOutput.Length, nameof(dOutput), batch * steps, "B·T", embeddingSize, nameof(embeddingSize));
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            int row0 = b * steps;
            for (int t = 0; t < length; t++)
            {
                int id = ids[row0 + t];
                if ((uint)id >= (uint)vocabulary) ThrowId(b, t, row0 + t, id, vocabulary);
                if (id == paddingId) continue;
                Span<float> row = dWeight.Slice(id * embeddingSize, embeddingSize);
                TensorPrimitives.Add(row, dOutput.Slice((row0 + t) * embeddingSize, embeddingSize), row);
            }
        }
    }

    /// <summary>Throws the out-of-range error for the first id outside [0, V), if any.</summary>
    public static void ValidateIds(ReadOnlySpan<int> ids, int vocabulary)
    {
        ArgumentChecks.NonNegative(vocabulary, nameof(vocabulary));
        for (int n = 0; n < ids.Length; n++)
        {
            if ((uint)ids[n] >= (uint)vocabulary) ThrowId(n, ids[n], vocabulary);
        }
    }

    /// <summary>Validates a padding id: <see cref="NoPadding"/> or in [0, V).</summary>
    public static void CheckPadding(int paddingId, int vocabulary)
    {
        if (paddingId != NoPadding && (uint)paddingId >= (uint)vocabulary)
        {
            throw new ArgumentOutOfRangeException(nameof(paddingId), paddingId,
                $"Expected paddingId in [0, {vocabulary}) (the vocabulary size) or {NoPadding} for none, but got {paddingId}.");
        }
    }

    private static void CheckWeight(int length, string name, int vocabulary, int embeddingSize)
    {
        if (vocabulary < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, $"Expected vocabulary ≥ 1, but got {vocabulary}.");
        if (embeddingSize < 1)
            throw new ArgumentOutOfRangeException(nameof(embeddingSize), embeddingSize, $"Expected embeddingSize ≥ 1, but got {embeddingSize}.");
        ArgumentChecks.Shape(length, name, vocabulary, nameof(vocabulary), embeddingSize, nameof(embeddingSize));
    }

    private static void CheckBatch(int idsLength, ReadOnlySpan<int> lengths, int batch, int steps)
    {
        ArgumentChecks.NonNegative(batch, nameof(batch));
        ArgumentChecks.NonNegative(steps, nameof(steps));
        ArgumentChecks.Shape(idsLength, "ids", batch, nameof(batch), steps, nameof(steps));
        if (lengths.IsEmpty) return;
        ArgumentChecks.Length(lengths.Length, batch, nameof(lengths), "one length per sequence, or empty for all T");
        for (int b = 0; b < batch; b++)
        {
            if ((uint)lengths[b] > (uint)steps)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b],
                    $"Expected lengths[{b}] in 0..{steps} (the batch's steps), but got {lengths[b]}.");
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowId(int position, int id, int vocabulary) =>
        throw new ArgumentOutOfRangeException("ids", id,
            $"ids[{position}] is {id}, outside the valid token id range [0, {vocabulary}) (the vocabulary size).");

    [DoesNotReturn]
    private static void ThrowId(int b, int t, int position, int id, int vocabulary) =>
        throw new ArgumentOutOfRangeException("ids", id,
            $"ids[{b}, {t}] (position {position}) is {id}, outside the valid token id range [0, {vocabulary}) (the vocabulary size).");
}
