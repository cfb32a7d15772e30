using System;
using RnnGen.Data;

namespace DateNormalizer;

/// <summary>
/// The character vocabularies of the date model, built from the corpus alphabets (so they are the same on every run
/// and need not be stored beside the weights): &lt;pad&gt; &lt;unk&gt; &lt;sos&gt; &lt;eos&gt;, then the characters.
/// A character outside the alphabet maps to &lt;unk&gt;.
/// </summary>
public static class DateVocabularies
{
    /// <summary>Room for the source alphabet plus the four special tokens (checked at start-up).</summary>
    public const int SourceCapacity = 96;

    /// <summary>Ten digits, '-', and the four special tokens.</summary>
    public const int TargetCapacity = 15;

    public static Vocabulary Source { get; } = Build(DateCorpus.SourceAlphabet, SourceCapacity);
    public static Vocabulary Target { get; } = Build(DateCorpus.TargetAlphabet, TargetCapacity);

    private static Vocabulary Build(string alphabet, int capacity)
    {
        Vocabulary vocabulary = Vocabulary.BuildCharacters(new[] { alphabet });
        if (vocabulary.Count > capacity)
            throw new InvalidOperationException($"The alphabet needs {vocabulary.Count} ids but the model declares {capacity}; raise the capacity.");
        return vocabulary;
    }
}
