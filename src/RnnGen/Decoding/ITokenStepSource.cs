using System;

namespace RnnGen.Decoding;

/// <summary>
/// What the decoders need from a model: advance a batch of hypotheses (rows) by one token each and expose the
/// log-probabilities of the next token. Row <c>i</c> of a step continues row <c>i</c> of the previous step; the
/// decoders rearrange rows with <see cref="Reorder"/> (beam search keeps the states of the surviving hypotheses).
/// A language model adapts through <see cref="SessionStepSource"/>; a sequence-to-sequence decoder implements the same
/// interface with <see cref="Reset"/> setting every row to the state derived from the encoded source.
/// </summary>
public interface ITokenStepSource
{
    /// <summary>Number of token ids the log-probabilities cover (ids 0..VocabularySize−1).</summary>
    int VocabularySize { get; }

    /// <summary>Largest batch (number of rows, e.g. beams) <see cref="Step"/> accepts.</summary>
    int MaxBatch { get; }

    /// <summary>Puts every row in the starting state (for a language model: zero state; for a seq2seq decoder: the
    /// state initialized from the encoder). Called by every decoder at the start of each decode.</summary>
    void Reset();

    /// <summary>Advances rows 0..<paramref name="batch"/>−1 by one token each (<paramref name="tokens"/> is [batch]).</summary>
    void Step(ReadOnlySpan<int> tokens, int batch);

    /// <summary>Natural-log probabilities of the next token after the last <see cref="Step"/>, [batch, VocabularySize]
    /// row-major; −∞ for impossible tokens. Valid until the next call on the source.</summary>
    ReadOnlySpan<float> LogProbabilities { get; }

    /// <summary>Rearranges the kept states: row i becomes the old row <c>sourceRows[i]</c> (rows may repeat).</summary>
    void Reorder(ReadOnlySpan<int> sourceRows);
}
