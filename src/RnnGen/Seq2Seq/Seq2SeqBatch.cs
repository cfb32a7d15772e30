using System;

namespace RnnGen.Seq2Seq;

/// <summary>
/// A padded batch of (source, target) token sequences for <see cref="Seq2SeqSession.Forward(Seq2SeqBatch, int, int)"/>:
/// add pairs with <see cref="Add"/> (each target ending with <c>&lt;eos&gt;</c>, e.g. from
/// <c>vocabulary.Encode(text, addEnd: true)</c>); the padded widths are the longest source and target added.
/// Reusable: <see cref="Clear"/> and refill; allocation-free after construction.
/// </summary>
public sealed class Seq2SeqBatch
{
    private readonly int[] _source, _target, _sourceLengths, _targetLengths;
    private readonly int[] _packedSource, _packedTarget;
    private bool _packed;

    public Seq2SeqBatch(int maxBatch, int maxSourceSteps, int maxTargetSteps)
    {
        Runtime.Guard.SessionSize(maxBatch, maxSourceSteps);
        Runtime.Guard.SessionSize(maxBatch, maxTargetSteps);
        MaxBatch = maxBatch;
        MaxSourceSteps = maxSourceSteps;
        MaxTargetSteps = maxTargetSteps;
        _source = new int[maxBatch * maxSourceSteps];
        _target = new int[maxBatch * maxTargetSteps];
        _packedSource = new int[_source.Length];
        _packedTarget = new int[_target.Length];
        _sourceLengths = new int[maxBatch];
        _targetLengths = new int[maxBatch];
    }

    public int MaxBatch { get; }
    public int MaxSourceSteps { get; }
    public int MaxTargetSteps { get; }

    /// <summary>Pairs added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Padded source width: the longest source added.</summary>
    public int SourceSteps { get; private set; }

    /// <summary>Padded target width: the longest target added.</summary>
    public int TargetSteps { get; private set; }

    public void Clear()
    {
        Count = SourceSteps = TargetSteps = 0;
        _packed = false;
    }

    /// <summary>Adds one pair. Empty sequences and sequences longer than the batch's maxima are rejected.</summary>
    public void Add(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        if (Count == MaxBatch) throw new InvalidOperationException($"The batch is full ({MaxBatch} pairs); Clear it first.");
        if (source.IsEmpty || source.Length > MaxSourceSteps)
            throw new ArgumentException($"Expected a source of 1..{MaxSourceSteps} tokens, but got {source.Length}.", nameof(source));
        if (target.IsEmpty || target.Length > MaxTargetSteps)
            throw new ArgumentException($"Expected a target of 1..{MaxTargetSteps} tokens (with its <eos>), but got {target.Length}.", nameof(target));
        source.CopyTo(_source.AsSpan(Count * MaxSourceSteps));
        target.CopyTo(_target.AsSpan(Count * MaxTargetSteps));
        _sourceLengths[Count] = source.Length;
        _targetLengths[Count] = target.Length;
        SourceSteps = Math.Max(SourceSteps, source.Length);
        TargetSteps = Math.Max(TargetSteps, target.Length);
        Count++;
        _packed = false;
    }

    /// <summary>Sources of rows [start, start + count), [count, SourceSteps] row-major, padding 0.</summary>
    public ReadOnlySpan<int> Source(int start, int count) { Pack(); return _packedSource.AsSpan(start * SourceSteps, count * SourceSteps); }

    /// <summary>Targets of rows [start, start + count), [count, TargetSteps] row-major, padding 0.</summary>
    public ReadOnlySpan<int> Target(int start, int count) { Pack(); return _packedTarget.AsSpan(start * TargetSteps, count * TargetSteps); }

    public ReadOnlySpan<int> SourceLengths(int start, int count) => _sourceLengths.AsSpan(start, count);
    public ReadOnlySpan<int> TargetLengths(int start, int count) => _targetLengths.AsSpan(start, count);

    /// <summary>Σ target lengths of rows [start, start + count): the tokens their loss averages over.</summary>
    public int TargetTokens(int start, int count)
    {
        int total = 0;
        foreach (int length in _targetLengths.AsSpan(start, count)) total += length;
        return total;
    }

    private void Pack()
    {
        if (_packed) return;
        for (int b = 0; b < Count; b++)
        {
            Span<int> s = _packedSource.AsSpan(b * SourceSteps, SourceSteps);
            s.Clear();
            _source.AsSpan(b * MaxSourceSteps, _sourceLengths[b]).CopyTo(s);
            Span<int> t = _packedTarget.AsSpan(b * TargetSteps, TargetSteps);
            t.Clear();
            _target.AsSpan(b * MaxTargetSteps, _targetLengths[b]).CopyTo(t);
        }
        _packed = true;
    }
}
