using System;

namespace RnnGen.Decoding;

/// <summary>
/// Adapts the streaming state of a token language model (declared with <c>Vocabulary</c>/<c>EmbeddingSize</c>, a
/// unidirectional many-to-many model with <c>Head = Head.Softmax</c>) to <see cref="ITokenStepSource"/>: one
/// <see cref="IRnnSession.Step(ReadOnlySpan{int}, int)"/> per decoding step (the prefix is never re-run), log of the
/// softmax probabilities in <see cref="IRnnSession.HeadOutput"/>, <see cref="IRnnSession.ReorderState"/> for beams.
/// </summary>
/// <remarks>
/// <para>With <c>activeVocabulary</c> smaller than the head's output size (a model declared with room for more tokens
/// than its <see cref="RnnGen.Data.Vocabulary"/> has), only ids 0..activeVocabulary−1 can be produced: their
/// probabilities are renormalized to sum to 1 before the log.</para>
/// <para>Allocation-free after construction. Calls to <see cref="Step"/> are counted in <see cref="StepCount"/>.</para>
/// </remarks>
public sealed class SessionStepSource : ITokenStepSource
{
    private readonly IRnnSession _session;
    private readonly int _outputSize;
    private readonly float[] _logProbabilities;
    private int _batch;

    /// <param name="session">A session of the model, created with maxBatch ≥ the largest beam (maxSteps may be 1).</param>
    /// <param name="outputSize">The model's OutputSize (its softmax width).</param>
    /// <param name="activeVocabulary">Ids that may be produced (0 = all <paramref name="outputSize"/>).</param>
    public SessionStepSource(IRnnSession session, int outputSize, int activeVocabulary = 0)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (outputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "Expected the model's OutputSize (≥ 1).");
        if (activeVocabulary < 0 || activeVocabulary > outputSize)
            throw new ArgumentOutOfRangeException(nameof(activeVocabulary), activeVocabulary,
                $"Expected activeVocabulary in 1..{outputSize} (the head's OutputSize), or 0 for all, but got {activeVocabulary}.");
        _session = session;
        _outputSize = outputSize;
        VocabularySize = activeVocabulary == 0 ? outputSize : activeVocabulary;
        _logProbabilities = new float[session.MaxBatch * VocabularySize];
    }

    /// <summary>Creates a session of <paramref name="model"/> for up to <paramref name="maxBatch"/> rows and adapts it,
    /// after checking that the model is a streaming softmax language model.</summary>
    public static SessionStepSource Create(IRnnNetwork model, int maxBatch, int activeVocabulary = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Head != Head.Softmax || model.Sequence != Sequence.ManyToMany)
            throw new ArgumentException(
                $"Decoding needs a many-to-many model with a softmax head over the vocabulary; this one has head {model.Head} and {model.Sequence}.", nameof(model));
        if (model.Directions != 1)
            throw new ArgumentException("Decoding streams one token at a time, which a bidirectional model cannot do.", nameof(model));
        if (maxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "Expected maxBatch ≥ 1.");
        return new SessionStepSource(model.CreateSession(maxBatch, 1), model.OutputSize, activeVocabulary);
    }

    public IRnnSession Session => _session;
    public int VocabularySize { get; }
    public int MaxBatch => _session.MaxBatch;

    /// <summary>Number of <see cref="Step"/> calls since construction (or since set to 0).</summary>
    public long StepCount { get; set; }

    public void Reset() => _session.ResetState();

    public void Step(ReadOnlySpan<int> tokens, int batch)
    {
        _session.Step(tokens, batch);
        StepCount++;
        ReadOnlySpan<float> probabilities = _session.HeadOutput;
        if (probabilities.Length != batch * _outputSize)
            throw new InvalidOperationException(
                $"The session's HeadOutput has {probabilities.Length} values after a step of {batch}, not batch × OutputSize = {batch * _outputSize}: is outputSize the model's OutputSize?");
        int v = VocabularySize;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> row = probabilities.Slice(b * _outputSize, v);
            Span<float> target = _logProbabilities.AsSpan(b * v, v);
            float scale = 1f;
            if (v < _outputSize)
            {
                double sum = 0;
                for (int i = 0; i < v; i++) sum += row[i];
                scale = sum > 0 ? (float)(1.0 / sum) : 1f;
            }
            for (int i = 0; i < v; i++)
            {
                float p = row[i] * scale;
                target[i] = p > 0 ? MathF.Log(p) : float.NegativeInfinity;
            }
        }
        _batch = batch;
    }

    public ReadOnlySpan<float> LogProbabilities => _logProbabilities.AsSpan(0, _batch * VocabularySize);

    public void Reorder(ReadOnlySpan<int> sourceRows) => _session.ReorderState(sourceRows);
}
