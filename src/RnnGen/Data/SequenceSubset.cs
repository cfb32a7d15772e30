using System;

namespace RnnGen.Data;

/// <summary>A view of some examples of another source (e.g. one part of a <see cref="DataSplit"/>).</summary>
public sealed class SequenceSubset : ISequenceSource
{
    private readonly ISequenceSource _source;
    private readonly int[] _indices;

    public SequenceSubset(ISequenceSource source, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)source.Count)
                throw new ArgumentException($"Expected indices in 0..{source.Count - 1} (the source's count), but indices[{i}] = {indices[i]}.", nameof(indices));
        }
        _source = source;
        _indices = indices.ToArray();
    }

    public BatchShape Shape => _source.Shape;
    public int Count => _indices.Length;

    /// <summary>The index in the underlying source of this subset's example <paramref name="index"/>.</summary>
    public int SourceIndex(int index) => _indices[Check(index)];

    public int LengthOf(int index) => _source.LengthOf(_indices[Check(index)]);

    public int AddTo(SequenceBatch batch, int index) => _source.AddTo(batch, _indices[Check(index)]);

    private int Check(int index)
    {
        if ((uint)index >= (uint)_indices.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected an index in 0..{_indices.Length - 1}, but got {index}.");
        return index;
    }
}
