using System;
using System.Collections.Generic;
using RnnGen.Decoding;
using RnnGen.Initialization;

namespace RnnGen.Tests.Decoding;

/// <summary>
/// A hand-made step source: the next-token distribution depends only on the last token fed (a fixed table, row = last
/// token). Its state per batch row is that last token, so Reorder is exact and the best sequences can be found by
/// exhaustive search.
/// </summary>
internal sealed class MarkovStepSource : ITokenStepSource
{
    private readonly float[] _logTable;   // [V, V]
    private readonly int[] _last, _scratch;
    private readonly float[] _logProbabilities;
    private int _batch;

    public MarkovStepSource(double[,] table, int maxBatch)
    {
        int v = table.GetLength(0);
        if (table.GetLength(1) != v) throw new ArgumentException("square table");
        VocabularySize = v;
        MaxBatch = maxBatch;
        _logTable = new float[v * v];
        for (int i = 0; i < v; i++)
        {
            for (int j = 0; j < v; j++) _logTable[i * v + j] = table[i, j] > 0 ? (float)Math.Log(table[i, j]) : float.NegativeInfinity;
        }
        _last = new int[maxBatch];
        _scratch = new int[maxBatch];
        _logProbabilities = new float[maxBatch * v];
    }

    public int VocabularySize { get; }
    public int MaxBatch { get; }
    public int Steps { get; private set; }
    public int Resets { get; private set; }

    /// <summary>log p(next | last) as the source reports it (float).</summary>
    public float LogP(int last, int next) => _logTable[last * VocabularySize + next];

    public void Reset()
    {
        Array.Fill(_last, -1);
        _batch = 0;
        Resets++;
    }

    public void Step(ReadOnlySpan<int> tokens, int batch)
    {
        if (batch < 1 || batch > MaxBatch || tokens.Length != batch) throw new ArgumentException("bad batch");
        for (int b = 0; b < batch; b++)
        {
            _last[b] = tokens[b];
            _logTable.AsSpan(tokens[b] * VocabularySize, VocabularySize).CopyTo(_logProbabilities.AsSpan(b * VocabularySize));
        }
        _batch = batch;
        Steps++;
    }

    public ReadOnlySpan<float> LogProbabilities => _logProbabilities.AsSpan(0, _batch * VocabularySize);

    public void Reorder(ReadOnlySpan<int> sourceRows)
    {
        for (int i = 0; i < sourceRows.Length; i++) _scratch[i] = _last[sourceRows[i]];
        _scratch.AsSpan(0, sourceRows.Length).CopyTo(_last);
    }

    /// <summary>A random row-stochastic table with distinct entries (seeded), token 0 = &lt;eos&gt;.</summary>
    public static double[,] RandomTable(int v, long seed)
    {
        var random = new SeededRandom(seed);
        var table = new double[v, v];
        for (int i = 0; i < v; i++)
        {
            double sum = 0;
            for (int j = 0; j < v; j++) sum += table[i, j] = 0.05 + random.NextDouble();
            for (int j = 0; j < v; j++) table[i, j] /= sum;
        }
        return table;
    }

    /// <summary>Exhaustive search: every continuation of <paramref name="start"/> that ends with <paramref name="endId"/>
    /// or reaches <paramref name="maxLength"/> tokens, scored as the decoders score (float log-probs summed in double).</summary>
    public List<(int[] Tokens, bool Ended, double LogP, double Score)> Enumerate(int start, int maxLength, int endId, LengthPenalty penalty)
    {
        var results = new List<(int[], bool, double, double)>();
        var prefix = new List<int>();
        void Walk(int last, double logP)
        {
            for (int v = 0; v < VocabularySize; v++)
            {
                float lp = LogP(last, v);
                if (float.IsNegativeInfinity(lp)) continue;
                double total = logP + lp;
                if (v == endId)
                {
                    results.Add((prefix.ToArray(), true, total, penalty.Score(total, prefix.Count + 1)));
                    continue;
                }
                prefix.Add(v);
                if (prefix.Count == maxLength) results.Add((prefix.ToArray(), false, total, penalty.Score(total, prefix.Count)));
                else Walk(v, total);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        Walk(start, 0);
        results.Sort((a, b) => b.Item4.CompareTo(a.Item4));
        return results;
    }
}
