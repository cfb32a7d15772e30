using System;
using System.Collections.Generic;

namespace RnnGen.Data;

/// <summary>
/// Variable-length examples held in memory (float feature sequences or token-id sequences, with
/// targets as the <see cref="BatchShape"/> says). Each added example is copied.
/// </summary>
public sealed class SequenceDataset : ISequenceSource
{
    private readonly List<Example> _examples = [];

    public SequenceDataset(BatchShape shape)
    {
        if (shape.Input == InputKind.Features && shape.Features < 1)
            throw new ArgumentException($"Expected a shape with features ≥ 1, but got {shape}.", nameof(shape));
        Shape = shape;
    }

    public BatchShape Shape { get; }
    public int Count => _examples.Count;

    /// <summary>The longest example (0 when empty).</summary>
    public int MaxLength { get; private set; }

    public int LengthOf(int index) => Get(index).Length;

    /// <summary>Float inputs [length, F] of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> InputsOf(int index) => Get(index).Inputs;

    /// <summary>Token ids [length] of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> TokensOf(int index) => Get(index).Tokens;

    public int Add(ReadOnlySpan<float> inputs)
    {
        var copy = Features(inputs);
        return Store(copy, [], null, [], 0, b => b.Add(copy));
    }

    public int Add(ReadOnlySpan<float> inputs, ReadOnlySpan<float> target)
    {
        var copy = Features(inputs);
        var targetCopy = target.ToArray();
        return Store(copy, [], targetCopy, [], 0, b => b.Add(copy, targetCopy));
    }

    public int Add(ReadOnlySpan<float> inputs, int classId)
    {
        var copy = Features(inputs);
        return Store(copy, [], null, [], classId, b => b.Add(copy, classId));
    }

    public int AddWithClassIds(ReadOnlySpan<float> inputs, ReadOnlySpan<int> classIds)
    {
        var copy = Features(inputs);
        var ids = classIds.ToArray();
        return Store(copy, [], null, ids, 0, b => b.AddWithClassIds(copy, ids));
    }

    public int AddTokens(ReadOnlySpan<int> tokens)
    {
        var copy = TokenCopy(tokens);
        return Store([], copy, null, [], 0, b => b.AddTokens(copy));
    }

    public int AddTokens(ReadOnlySpan<int> tokens, ReadOnlySpan<float> target)
    {
        var copy = TokenCopy(tokens);
        var targetCopy = target.ToArray();
        return Store([], copy, targetCopy, [], 0, b => b.AddTokens(copy, targetCopy));
    }

    public int AddTokens(ReadOnlySpan<int> tokens, int classId)
    {
        var copy = TokenCopy(tokens);
        return Store([], copy, null, [], classId, b => b.AddTokens(copy, classId));
    }

    public int AddTokensWithClassIds(ReadOnlySpan<int> tokens, ReadOnlySpan<int> classIds)
    {
        var copy = TokenCopy(tokens);
        var ids = classIds.ToArray();
        return Store([], copy, null, ids, 0, b => b.AddTokensWithClassIds(copy, ids));
    }

    public int AddTo(SequenceBatch batch, int index)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Example e = Get(index);
        if (batch.Shape != Shape)
            throw new ArgumentException($"Expected a batch of shape {Shape}, but the batch is {batch.Shape}.", nameof(batch));
        if (Shape.Input == InputKind.Features)
        {
            return Shape.Targets switch
            {
                TargetLayout.None => batch.Add(e.Inputs),
                TargetLayout.PerSequence or TargetLayout.PerStep => batch.Add(e.Inputs, e.Target),
                TargetLayout.ClassPerSequence => batch.Add(e.Inputs, e.ClassId),
                _ => batch.AddWithClassIds(e.Inputs, e.ClassIds),
            };
        }
        return Shape.Targets switch
        {
            TargetLayout.None => batch.AddTokens(e.Tokens),
            TargetLayout.PerSequence or TargetLayout.PerStep => batch.AddTokens(e.Tokens, e.Target),
            TargetLayout.ClassPerSequence => batch.AddTokens(e.Tokens, e.ClassId),
            _ => batch.AddTokensWithClassIds(e.Tokens, e.ClassIds),
        };
    }

    private float[] Features(ReadOnlySpan<float> inputs)
    {
        if (Shape.Input != InputKind.Features)
            throw new InvalidOperationException($"This dataset holds token ids ({Shape}); use AddTokens.");
        return inputs.ToArray();
    }

    private int[] TokenCopy(ReadOnlySpan<int> tokens)
    {
        if (Shape.Input != InputKind.Tokens)
            throw new InvalidOperationException($"This dataset holds float features ({Shape}); use Add.");
        return tokens.ToArray();
    }

    // Validates the example with the same checks a batch applies (one check batch of the dataset's shape, sized for any length).
    private int Store(float[] inputs, int[] tokens, float[]? target, int[] classIds, int classId, Action<SequenceBatch> add)
    {
        var check = new SequenceBatch(1, Math.Max(1, Shape.Input == InputKind.Tokens ? tokens.Length : inputs.Length / Shape.Features), Shape);
        add(check);
        int length = check.Lengths[0];
        _examples.Add(new Example(inputs, tokens, target ?? [], classIds, classId, length));
        MaxLength = Math.Max(MaxLength, length);
        return _examples.Count - 1;
    }

    private Example Get(int index)
    {
        if ((uint)index >= (uint)_examples.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected an example index in 0..{_examples.Count - 1}, but got {index}.");
        return _examples[index];
    }

    private sealed record Example(float[] Inputs, int[] Tokens, float[] Target, int[] ClassIds, int ClassId, int Length);
}
