using System;
using RnnGen.Initialization;

namespace RnnGen.Decoding;

/// <summary>
/// Draws a token from log-probabilities reshaped by temperature, top-k and top-p (nucleus), in that order:
/// <list type="number">
/// <item>w_i = exp((log p_i − max_j log p_j) / T), i.e. p_i^(1/T) renormalized (T = 0: the arg-max, no randomness);</item>
/// <item>top-k (k &gt; 0): keep the k tokens of largest w (ties: lower id first);</item>
/// <item>top-p (p &lt; 1): of those, in decreasing w, keep the shortest prefix whose mass reaches p · Σ kept w (at least one token);</item>
/// <item>draw u uniform in [0, Σ kept w) with <see cref="SeededRandom.NextDouble"/> and return the first kept token (in
/// that order) whose running sum exceeds u.</item>
/// </list>
/// Tokens with probability 0 (log p = −∞) are never drawn. Allocation-free after construction.
/// </summary>
public sealed class TokenSampler
{
    private readonly double[] _weights;
    private readonly int[] _order;
    private readonly double[] _keys;
    private SeededRandom _random;
    private float _temperature = 1f;
    private int _topK;
    private float _topP = 1f;

    public TokenSampler(int vocabularySize, long seed = 0)
    {
        if (vocabularySize < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "Expected a vocabulary of ≥ 1 tokens.");
        VocabularySize = vocabularySize;
        _weights = new double[vocabularySize];
        _order = new int[vocabularySize];
        _keys = new double[vocabularySize];
        _random = new SeededRandom(seed);
    }

    public int VocabularySize { get; }

    /// <summary>T ≥ 0 (default 1): below 1 sharpens the distribution, above 1 flattens it, 0 is greedy.</summary>
    public float Temperature
    {
        get => _temperature;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(Temperature), value, "Expected a finite temperature ≥ 0 (0 = greedy).");
            _temperature = value;
        }
    }

    /// <summary>Keep only the k most probable tokens (0 = off, the default).</summary>
    public int TopK
    {
        get => _topK;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(TopK), value, "Expected k ≥ 0 (0 = off).");
            _topK = value;
        }
    }

    /// <summary>Keep the smallest set of most probable tokens whose probability reaches p, in (0, 1] (1 = off, the default).</summary>
    public float TopP
    {
        get => _topP;
        set
        {
            if (!(value > 0 && value <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), value, "Expected p in (0, 1] (1 = off).");
            _topP = value;
        }
    }

    /// <summary>Restarts the random sequence from <paramref name="seed"/>.</summary>
    public void Reseed(long seed) => _random = new SeededRandom(seed);

    /// <summary>The generator's state (to save and restore a sampling position).</summary>
    public (ulong Low, ulong High) RandomState
    {
        get => _random.State;
        set => _random.State = value;
    }

    /// <summary>Draws one token id from <paramref name="logProbabilities"/> [VocabularySize].</summary>
    public int Sample(ReadOnlySpan<float> logProbabilities)
    {
        int kept = Prepare(logProbabilities, out double total);
        if (kept == 0) return _order[0]; // temperature 0: the arg-max
        double u = _random.NextDouble() * total;
        double running = 0;
        int last = _order[0];
        for (int i = 0; i < kept; i++)
        {
            int token = _order[i];
            double w = _weights[token];
            if (w <= 0) continue;
            last = token;
            running += w;
            if (u < running) return token;
        }
        return last; // rounding: u landed at the very end
    }

    /// <summary>The exact distribution <see cref="Sample"/> draws from (0 outside the kept set), for inspection and tests.</summary>
    public void Distribution(ReadOnlySpan<float> logProbabilities, Span<float> probabilities)
    {
        if (probabilities.Length != VocabularySize)
            throw new ArgumentException($"Expected {VocabularySize} probabilities (the vocabulary), but got {probabilities.Length}.", nameof(probabilities));
        int kept = Prepare(logProbabilities, out double total);
        probabilities.Clear();
        if (kept == 0)
        {
            probabilities[_order[0]] = 1f;
            return;
        }
        for (int i = 0; i < kept; i++) probabilities[_order[i]] = (float)(_weights[_order[i]] / total);
    }

    /// <summary>Fills weights and the order of candidate tokens; returns how many lead the order (0 = arg-max in _order[0]).</summary>
    private int Prepare(ReadOnlySpan<float> logProbabilities, out double total)
    {
        int v = VocabularySize;
        if (logProbabilities.Length != v)
            throw new ArgumentException($"Expected {v} log-probabilities (the vocabulary), but got {logProbabilities.Length}.", nameof(logProbabilities));
        total = 0;
        int argMax = DecodingChecks.ArgMax(logProbabilities);
        float max = logProbabilities[argMax];
        if (float.IsNaN(max) || float.IsNegativeInfinity(max) || float.IsPositiveInfinity(max))
            throw new ArgumentException($"Expected log-probabilities with a finite maximum, but the largest is {max}.", nameof(logProbabilities));
        if (_temperature == 0)
        {
            _order[0] = argMax;
            return 0;
        }
        double inverse = 1.0 / _temperature;
        for (int i = 0; i < v; i++)
        {
            float lp = logProbabilities[i];
            if (float.IsNaN(lp))
                throw new ArgumentException($"Expected log-probabilities without NaN, but logProbabilities[{i}] is NaN.", nameof(logProbabilities));
            _weights[i] = Math.Exp((lp - max) * inverse); // −∞ → 0
            _order[i] = i;
        }
        int kept = v;
        bool truncate = (_topK > 0 && _topK < v) || _topP < 1f;
        if (truncate)
        {
            SortByWeight();
            if (_topK > 0 && _topK < v) kept = _topK;
        }
        for (int i = 0; i < kept; i++) total += _weights[_order[i]];
        if (_topP < 1f)
        {
            double threshold = _topP * total, running = 0;
            int prefix = kept;
            for (int i = 0; i < kept; i++)
            {
                running += _weights[_order[i]];
                if (running >= threshold)
                {
                    prefix = i + 1;
                    break;
                }
            }
            kept = prefix;
            total = running;
        }
        return kept;
    }

    /// <summary>Orders _order by decreasing weight, then increasing id (a total order, so the result is deterministic).
    /// Sorts primitive keys (no comparer delegate, so nothing is allocated), then restores id order within equal weights.</summary>
    private void SortByWeight()
    {
        int v = VocabularySize;
        for (int i = 0; i < v; i++) _keys[i] = -_weights[_order[i]];
        _keys.AsSpan().Sort(_order.AsSpan());
        for (int start = 0; start < v;)
        {
            int end = start + 1;
            while (end < v && _keys[end] == _keys[start]) end++;
            if (end - start > 1) _order.AsSpan(start, end - start).Sort();
            start = end;
        }
    }
}
