using System;
using RnnGen.Decoding;
using RnnGen.Initialization;

namespace RnnGen.Tests.Decoding;

/// <summary>
/// A hand-built step source whose next-token distribution depends on the last <em>two</em> tokens: row
/// <c>(previous, last)</c> of a fixed table, with previous = "none" right after <see cref="Reset"/>. Unlike
/// <see cref="MarkovStepSource"/>, a step only receives the newest token, so the older one must come from the state
/// each row keeps: beam search is only right if its <see cref="Reorder"/> calls move the states with the beams.
/// <see cref="IgnoreReorder"/> breaks exactly that, to show the tests would notice.
/// </summary>
internal sealed class SecondOrderStepSource : ITokenStepSource
{
    private readonly float[] _logTable;   // [(V + 1) · V, V]: row (previous + 1) · V + last, previous = −1 for none
    private readonly int[] _previous, _last, _scratch;
    private readonly float[] _logProbabilities;
    private int _batch;

    public SecondOrderStepSource(int vocabulary, long seed, int maxBatch)
    {
        VocabularySize = vocabulary;
        MaxBatch = maxBatch;
        var random = new SeededRandom(seed);
        int rows = (vocabulary + 1) * vocabulary;
        _logTable = new float[rows * vocabulary];
        var row = new double[vocabulary];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int j = 0; j < vocabulary; j++) sum += row[j] = 0.05 + random.NextDouble();
            for (int j = 0; j < vocabulary; j++) _logTable[r * vocabulary + j] = (float)Math.Log(row[j] / sum);
        }
        _previous = new int[maxBatch];
        _last = new int[maxBatch];
        _scratch = new int[maxBatch];
        _logProbabilities = new float[maxBatch * vocabulary];
    }

    public int VocabularySize { get; }
    public int MaxBatch { get; }
    public long StepCount { get; private set; }

    /// <summary>Makes <see cref="Reorder"/> a no-op: the rows keep the states of whichever beam sat there before.</summary>
    public bool IgnoreReorder { get; init; }

    public void Reset()
    {
        Array.Fill(_previous, -1);
        Array.Fill(_last, -1);
        _batch = 0;
    }

    public void Step(ReadOnlySpan<int> tokens, int batch)
    {
        if (batch < 1 || batch > MaxBatch || tokens.Length != batch) throw new ArgumentException("bad batch");
        int v = VocabularySize;
        for (int b = 0; b < batch; b++)
        {
            _previous[b] = _last[b];
            _last[b] = tokens[b];
            int row = (_previous[b] + 1) * v + _last[b];
            _logTable.AsSpan(row * v, v).CopyTo(_logProbabilities.AsSpan(b * v, v));
        }
        _batch = batch;
        StepCount++;
    }

    public ReadOnlySpan<float> LogProbabilities => _logProbabilities.AsSpan(0, _batch * VocabularySize);

    public void Reorder(ReadOnlySpan<int> sourceRows)
    {
        if (IgnoreReorder) return;
        for (int i = 0; i < sourceRows.Length; i++) _scratch[i] = _previous[sourceRows[i]];
        _scratch.AsSpan(0, sourceRows.Length).CopyTo(_previous);
        for (int i = 0; i < sourceRows.Length; i++) _scratch[i] = _last[sourceRows[i]];
        _scratch.AsSpan(0, sourceRows.Length).CopyTo(_last);
    }
}
