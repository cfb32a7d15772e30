using System;
using RnnGen.Seq2Seq;

namespace DateNormalizer;

/// <summary>One normalization: the ISO text, and the attention of every output character over the input characters.</summary>
public sealed record Normalization(string Input, string Output, string[] SourceTokens, string[] TargetTokens, float[] Attention);

/// <summary>
/// Inference over a trained <see cref="DateTranslator"/>: characters → ids (unknown characters become &lt;unk&gt;),
/// greedy decoding through a <see cref="Seq2SeqStepSource"/> that records the attention, ids → characters.
/// One instance per thread (the step source holds decoding state); the weights can be shared.
/// </summary>
public sealed class DateNormalizerModel
{
    /// <summary>Longest input accepted: the longest string the corpus produces, with room to spare.</summary>
    public const int MaxInputLength = 48;

    /// <summary>"yyyy-MM-dd" is 10 characters; a few more so a wrong model shows its mistake instead of being cut.</summary>
    public const int MaxOutputLength = 14;

    private readonly Seq2SeqStepSource _steps;
    private readonly int[] _source = new int[MaxInputLength];
    private readonly int[] _output = new int[MaxOutputLength];
    private readonly float[] _attention = new float[MaxOutputLength * MaxInputLength];

    public DateNormalizerModel(DateTranslator model)
    {
        Model = model;
        _steps = model.CreateStepSource(MaxInputLength);
    }

    public DateTranslator Model { get; }

    /// <summary>ISO date for <paramref name="text"/> (trimmed). Throws ArgumentException for empty or too long input.</summary>
    public string Normalize(string text) => Run(text, withAttention: false).Output;

    /// <summary>ISO date and the attention heat map data.</summary>
    public Normalization NormalizeWithAttention(string text) => Run(text, withAttention: true);

    private Normalization Run(string text, bool withAttention)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length == 0) throw new ArgumentException("The date text is empty: type a date such as \"25th of June, 2009\".", nameof(text));
        if (text.Length > MaxInputLength)
            throw new ArgumentException($"The date text has {text.Length} characters; at most {MaxInputLength} are accepted.", nameof(text));
        var vocabulary = DateVocabularies.Source;
        for (int i = 0; i < text.Length; i++) _source[i] = vocabulary.IdOf(text[i].ToString());
        ReadOnlySpan<int> source = _source.AsSpan(0, text.Length);
        int count = _steps.Translate(source, _output, withAttention ? _attention : default);
        string output = DateVocabularies.Target.Decode(_output.AsSpan(0, count));
        if (!withAttention) return new Normalization(text, output, Array.Empty<string>(), Array.Empty<string>(), Array.Empty<float>());

        var sourceTokens = new string[text.Length];
        for (int i = 0; i < text.Length; i++) sourceTokens[i] = text[i].ToString();
        var targetTokens = new string[count];
        for (int i = 0; i < count; i++) targetTokens[i] = DateVocabularies.Target.TokenOf(_output[i]);
        return new Normalization(text, output, sourceTokens, targetTokens, _attention.AsSpan(0, count * text.Length).ToArray());
    }
}
