using System;
using System.Collections.Generic;

namespace RnnGen.Seq2Seq;

/// <summary>
/// Training or validation pairs for <see cref="Seq2SeqTrainer"/>: source ids and target ids, each target ending with
/// <c>&lt;eos&gt;</c> (e.g. <c>vocabulary.Encode(text, addEnd: true)</c>). Checked once here: no empty sequence.
/// </summary>
public sealed class Seq2SeqData
{
    private readonly int[][] _sources, _targets;

    public Seq2SeqData(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count != targets.Count)
            throw new ArgumentException($"Expected one target per source, but got {sources.Count} sources and {targets.Count} targets.", nameof(targets));
        _sources = new int[sources.Count][];
        _targets = new int[targets.Count][];
        for (int i = 0; i < sources.Count; i++)
        {
            _sources[i] = sources[i] ?? throw new ArgumentNullException(nameof(sources), $"sources[{i}] is null.");
            _targets[i] = targets[i] ?? throw new ArgumentNullException(nameof(targets), $"targets[{i}] is null.");
            if (_sources[i].Length == 0) throw new ArgumentException($"sources[{i}] is empty: every pair needs at least one source token.", nameof(sources));
            if (_targets[i].Length == 0) throw new ArgumentException($"targets[{i}] is empty: every target needs at least its <eos>.", nameof(targets));
            MaxSourceSteps = Math.Max(MaxSourceSteps, _sources[i].Length);
            MaxTargetSteps = Math.Max(MaxTargetSteps, _targets[i].Length);
        }
    }

    public int Count => _sources.Length;
    public int MaxSourceSteps { get; }
    public int MaxTargetSteps { get; }
    public ReadOnlySpan<int> Source(int index) => _sources[index];
    public ReadOnlySpan<int> Target(int index) => _targets[index];

    /// <summary>Adds the pairs <paramref name="indices"/> to <paramref name="batch"/> (after clearing it).</summary>
    public void Fill(ReadOnlySpan<int> indices, Seq2SeqBatch batch)
    {
        batch.Clear();
        foreach (int i in indices) batch.Add(_sources[i], _targets[i]);
    }
}
