using System;

namespace RnnGen.Decoding;

/// <summary>One result of <see cref="BeamSearchDecoder"/>; its tokens are <see cref="BeamSearchDecoder.TokensOf"/>(rank).</summary>
public readonly struct BeamHypothesis
{
    internal BeamHypothesis(int tokenCount, bool endedWithEos, double logProbability, double score)
    {
        TokenCount = tokenCount;
        EndedWithEos = endedWithEos;
        LogProbability = logProbability;
        Score = score;
    }

    /// <summary>Generated tokens, the &lt;eos&gt; left out.</summary>
    public int TokenCount { get; }

    /// <summary>Whether the hypothesis ended with &lt;eos&gt; (otherwise it reached the maximum length).</summary>
    public bool EndedWithEos { get; }

    /// <summary>L, the length the penalty sees: <see cref="TokenCount"/>, plus 1 for the &lt;eos&gt;.</summary>
    public int Length => TokenCount + (EndedWithEos ? 1 : 0);

    /// <summary>log P = Σ log p(token | prefix) over the L tokens (the &lt;eos&gt; included).</summary>
    public double LogProbability { get; }

    /// <summary>The ranking score log P / lp(L).</summary>
    public double Score { get; }
}

/// <summary>
/// Beam search over an <see cref="ITokenStepSource"/> whose batch rows are the beams. After the prompt (fed once, in
/// row 0), every step extends each live beam b (log-probability s_b) by every token v and ranks the candidates by
/// s_b + log p(v | beam b) (ties: lower beam, then lower id). Walking that ranking, a candidate ending in &lt;eos&gt; is
/// set aside as finished, any other becomes a live beam of the next step, until <see cref="BeamWidth"/> live beams are
/// chosen; the source's states follow with <see cref="ITokenStepSource.Reorder"/>, and one
/// <see cref="ITokenStepSource.Step"/> feeds the chosen tokens. At the maximum length the live beams are set aside
/// unfinished. Finished hypotheses are ranked by score = log P / lp(L) (<see cref="Penalty"/>); the best
/// <see cref="BeamWidth"/> are kept and the best n returned. The search stops early when n are kept and no live beam can
/// still beat the n-th: s_b / lp(maxLength) ≤ its score (exact, as log P only falls while lp only grows).
/// </summary>
/// <remarks>Allocation-free after construction; results stay valid until the next <see cref="Search"/>.</remarks>
public sealed class BeamSearchDecoder
{
    private readonly ITokenStepSource _source;
    private readonly int _width;
    private readonly int _capacity;                       // 2·width candidates per step suffice: ≤ width end in <eos>
    private int[] _beamTokens, _nextBeamTokens;           // [width, maxLength]
    private double[] _beamScores, _nextBeamScores;        // [width]
    private readonly double[] _candidateScores;           // [capacity], best first
    private readonly int[] _candidateRows, _candidateTokens;
    private readonly int[] _sourceRows, _stepTokens;      // [width]
    private readonly int[] _poolTokens;                   // [width, maxLength]
    private readonly int[] _poolCounts;                   // [width] tokens without <eos>
    private readonly bool[] _poolEnded;
    private readonly double[] _poolLogProbabilities, _poolScores;
    private readonly long[] _poolOrder;                   // insertion order, for deterministic ties
    private readonly int[] _ranking;                      // [width] pool slots, best first
    private int _poolCount, _resultCount;
    private long _inserted;

    public BeamSearchDecoder(ITokenStepSource source, int beamWidth, int maxLength)
    {
        if (beamWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, "Expected a beam width ≥ 1.");
        DecodingChecks.Source(source, beamWidth);
        DecodingChecks.MaxLength(maxLength);
        _source = source;
        _width = beamWidth;
        MaxLength = maxLength;
        _capacity = 2 * beamWidth;
        int tokens = checked(beamWidth * maxLength);
        _beamTokens = new int[tokens];
        _nextBeamTokens = new int[tokens];
        _beamScores = new double[beamWidth];
        _nextBeamScores = new double[beamWidth];
        _candidateScores = new double[_capacity];
        _candidateRows = new int[_capacity];
        _candidateTokens = new int[_capacity];
        _sourceRows = new int[beamWidth];
        _stepTokens = new int[beamWidth];
        _poolTokens = new int[tokens];
        _poolCounts = new int[beamWidth];
        _poolEnded = new bool[beamWidth];
        _poolLogProbabilities = new double[beamWidth];
        _poolScores = new double[beamWidth];
        _poolOrder = new long[beamWidth];
        _ranking = new int[beamWidth];
    }

    public ITokenStepSource Source => _source;
    public int BeamWidth => _width;

    /// <summary>Largest number of tokens generated after the prompt (&lt;eos&gt; included).</summary>
    public int MaxLength { get; }

    /// <summary>Length normalization of the final ranking (default none).</summary>
    public LengthPenalty Penalty { get; set; }

    /// <summary>Number of hypotheses the last <see cref="Search"/> returned.</summary>
    public int Count => _resultCount;

    /// <summary>Hypothesis <paramref name="rank"/> (0 = best) of the last search.</summary>
    public BeamHypothesis this[int rank]
    {
        get
        {
            int slot = Slot(rank);
            return new BeamHypothesis(_poolCounts[slot], _poolEnded[slot], _poolLogProbabilities[slot], _poolScores[slot]);
        }
    }

    /// <summary>Tokens of hypothesis <paramref name="rank"/> (without the prompt and the &lt;eos&gt;).</summary>
    public ReadOnlySpan<int> TokensOf(int rank)
    {
        int slot = Slot(rank);
        return _poolTokens.AsSpan(slot * MaxLength, _poolCounts[slot]);
    }

    /// <summary>
    /// Resets the source, feeds <paramref name="prompt"/> (≥ 1 token) once and searches for up to
    /// <paramref name="maxLength"/> tokens (0 = <see cref="MaxLength"/>), ending hypotheses at <paramref name="endId"/>
    /// (−1: none, every hypothesis runs to the maximum length). Returns the number of hypotheses, at most
    /// <paramref name="best"/> (1..BeamWidth; 0 = BeamWidth), best first: read them with the indexer and
    /// <see cref="TokensOf"/>.
    /// </summary>
    public int Search(ReadOnlySpan<int> prompt, int maxLength = 0, int endId = -1, int best = 1)
    {
        int limit = DecodingChecks.Length(maxLength, MaxLength);
        int vocabulary = _source.VocabularySize;
        DecodingChecks.Prompt(prompt, vocabulary);
        DecodingChecks.EndId(endId, vocabulary);
        if (best == 0) best = _width;
        if (best < 1 || best > _width)
            throw new ArgumentOutOfRangeException(nameof(best), best, $"Expected best in 1..{_width} (the beam width), or 0 for all, but got {best}.");
        LengthPenalty penalty = Penalty;
        double finalPenalty = penalty.Of(limit);

        _source.Reset();
        for (int t = 0; t < prompt.Length; t++) _source.Step(prompt.Slice(t, 1), 1);
        _poolCount = 0;
        _inserted = 0;
        int live = 1;
        _beamScores[0] = 0;
        for (int t = 0; t < limit; t++)
        {
            int candidates = SelectCandidates(_source.LogProbabilities, live, vocabulary);
            int chosen = 0;
            for (int c = 0; c < candidates && chosen < _width; c++)
            {
                int row = _candidateRows[c], token = _candidateTokens[c];
                double score = _candidateScores[c];
                if (token == endId)
                {
                    AddFinished(_beamTokens.AsSpan(row * MaxLength, t), true, score, penalty);
                    continue;
                }
                _beamTokens.AsSpan(row * MaxLength, t).CopyTo(_nextBeamTokens.AsSpan(chosen * MaxLength));
                _nextBeamTokens[chosen * MaxLength + t] = token;
                _nextBeamScores[chosen] = score;
                _sourceRows[chosen] = row;
                _stepTokens[chosen] = token;
                chosen++;
            }
            (_beamTokens, _nextBeamTokens) = (_nextBeamTokens, _beamTokens);
            (_beamScores, _nextBeamScores) = (_nextBeamScores, _beamScores);
            live = chosen;
            if (live == 0) break;
            if (t + 1 == limit)
            {
                for (int b = 0; b < live; b++)
                    AddFinished(_beamTokens.AsSpan(b * MaxLength, t + 1), false, _beamScores[b], penalty);
                break;
            }
            if (_poolCount >= best && CannotImprove(live, best, finalPenalty)) break;
            _source.Reorder(_sourceRows.AsSpan(0, live));
            _source.Step(_stepTokens.AsSpan(0, live), live);
        }
        Rank();
        _resultCount = Math.Min(best, _poolCount);
        return _resultCount;
    }

    /// <summary>Keeps the best 2·width candidates (s_b + log p, ties by row then id) in descending order.</summary>
    private int SelectCandidates(ReadOnlySpan<float> logProbabilities, int live, int vocabulary)
    {
        if (logProbabilities.Length < live * vocabulary)
            throw new InvalidOperationException(
                $"The step source returned {logProbabilities.Length} log-probabilities for {live} rows of {vocabulary} tokens.");
        int count = 0;
        for (int b = 0; b < live; b++)
        {
            double beamScore = _beamScores[b];
            ReadOnlySpan<float> row = logProbabilities.Slice(b * vocabulary, vocabulary);
            for (int v = 0; v < row.Length; v++)
            {
                float lp = row[v];
                if (float.IsNaN(lp))
                    throw new InvalidOperationException($"The step source returned NaN as the log-probability of token {v} in row {b}.");
                if (float.IsNegativeInfinity(lp)) continue;
                double score = beamScore + lp;
                if (count == _capacity && !(score > _candidateScores[count - 1])) continue;
                int at = count == _capacity ? count - 1 : count++;
                while (at > 0 && _candidateScores[at - 1] < score)
                {
                    _candidateScores[at] = _candidateScores[at - 1];
                    _candidateRows[at] = _candidateRows[at - 1];
                    _candidateTokens[at] = _candidateTokens[at - 1];
                    at--;
                }
                _candidateScores[at] = score;
                _candidateRows[at] = b;
                _candidateTokens[at] = v;
            }
        }
        return count;
    }

    private void AddFinished(ReadOnlySpan<int> tokens, bool ended, double logProbability, LengthPenalty penalty)
    {
        double score = penalty.Score(logProbability, tokens.Length + (ended ? 1 : 0));
        int slot;
        if (_poolCount < _width) slot = _poolCount++;
        else
        {
            slot = 0;
            for (int i = 1; i < _poolCount; i++)
                if (Worse(i, slot)) slot = i;
            if (!(score > _poolScores[slot])) return;
        }
        tokens.CopyTo(_poolTokens.AsSpan(slot * MaxLength));
        _poolCounts[slot] = tokens.Length;
        _poolEnded[slot] = ended;
        _poolLogProbabilities[slot] = logProbability;
        _poolScores[slot] = score;
        _poolOrder[slot] = _inserted++;
    }

    /// <summary>Slot a ranks below slot b: lower score, or equal score and inserted later.</summary>
    private bool Worse(int a, int b) =>
        _poolScores[a] < _poolScores[b] || (_poolScores[a] == _poolScores[b] && _poolOrder[a] > _poolOrder[b]);

    /// <summary>True when the best-th finished score already beats every bound s_b / lp(maxLength) of the live beams.</summary>
    private bool CannotImprove(int live, int best, double finalPenalty)
    {
        Rank();
        double threshold = _poolScores[_ranking[best - 1]];
        for (int b = 0; b < live; b++)
            if (_beamScores[b] / finalPenalty > threshold) return false;
        return true;
    }

    private void Rank()
    {
        for (int i = 0; i < _poolCount; i++)
        {
            int slot = i, at = i;
            while (at > 0 && Worse(_ranking[at - 1], slot))
            {
                _ranking[at] = _ranking[at - 1];
                at--;
            }
            _ranking[at] = slot;
        }
    }

    private int Slot(int rank)
    {
        if ((uint)rank >= (uint)_resultCount)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Expected a rank in 0..{_resultCount - 1} (the last search's results).");
        return _ranking[rank];
    }
}
