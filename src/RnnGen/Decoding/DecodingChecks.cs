using System;

namespace RnnGen.Decoding;

/// <summary>Argument checks shared by the decoders.</summary>
internal static class DecodingChecks
{
    /// <summary>Marks "no end token": generation runs to the maximum length.</summary>
    public const int NoEndId = -1;

    public static void Source(ITokenStepSource source, int neededBatch)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.VocabularySize < 1)
            throw new ArgumentException($"The step source reports a vocabulary of {source.VocabularySize} tokens; expected ≥ 1.", nameof(source));
        if (source.MaxBatch < neededBatch)
            throw new ArgumentException(
                $"The step source takes batches of up to {source.MaxBatch} rows, but this decoder needs {neededBatch}: create the session with maxBatch ≥ {neededBatch}.",
                nameof(source));
    }

    public static void MaxLength(int maxLength)
    {
        if (maxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "Expected a maximum length ≥ 1 (tokens generated after the prompt).");
    }

    public static int Length(int maxLength, int capacity)
    {
        if (maxLength == 0) return capacity;
        if (maxLength < 1 || maxLength > capacity)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength,
                $"Expected maxLength in 1..{capacity} (the decoder's capacity), or 0 for the capacity, but got {maxLength}.");
        return maxLength;
    }

    public static void Prompt(ReadOnlySpan<int> prompt, int vocabularySize)
    {
        if (prompt.IsEmpty)
            throw new ArgumentException("Expected a prompt of at least one token (e.g. the <sos> id): the first prediction needs an input.", nameof(prompt));
        for (int i = 0; i < prompt.Length; i++)
        {
            if ((uint)prompt[i] >= (uint)vocabularySize)
                throw new ArgumentOutOfRangeException(nameof(prompt), prompt[i],
                    $"Expected token ids in 0..{vocabularySize - 1} (the vocabulary), but prompt[{i}] = {prompt[i]}.");
        }
    }

    public static void EndId(int endId, int vocabularySize)
    {
        if (endId != NoEndId && (uint)endId >= (uint)vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(endId), endId,
                $"Expected an <eos> id in 0..{vocabularySize - 1}, or {NoEndId} for none, but got {endId}.");
    }

    /// <summary>Index of the largest value (the first one on ties); −∞ everywhere gives 0.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        float max = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > max)
            {
                max = values[i];
                best = i;
            }
        }
        return best;
    }
}
