using System;
using System.Collections.Generic;
using DateNormalizer;
using RnnGen.Data;
using RnnGen.Decoding;
using RnnGen.Serving;

namespace Server;

/// <summary>One pooled generator: a streaming step source on its own session and a sampling decoder over it.</summary>
internal sealed class Generator
{
    public const int MaxLength = 500;
    private readonly SessionStepSource _source;

    public Generator(ServedCharModel model, int activeVocabulary)
    {
        _source = SessionStepSource.Create(model, maxBatch: 1, activeVocabulary);
        Decoder = new SamplingDecoder(_source, MaxLength);
    }

    public SamplingDecoder Decoder { get; }
}

/// <summary>The char LM behind <c>POST /api/generate</c>, on an <see cref="InferencePool{TModel, TSession}"/> of generators.</summary>
internal sealed class TextGenerator
{
    public const int MaxPromptLength = 200;
    private readonly Vocabulary _vocabulary;
    private readonly int[] _priming;

    public TextGenerator(ServedCharModel model, Vocabulary vocabulary, int poolSize)
    {
        _vocabulary = vocabulary;
        int count = vocabulary.Count;
        Pool = new InferencePool<ServedCharModel, Generator>(model, m => new Generator(m, count), poolSize);
        // The model was trained on carried states and has rarely seen the zero state; a line break first reads as the
        // start of a paragraph.
        _priming = vocabulary.Encode("\n");
    }

    public InferencePool<ServedCharModel, Generator> Pool { get; }

    public string Generate(string prompt, int length, float temperature, long seed)
    {
        int[] promptIds = [.. _priming, .. _vocabulary.Encode(prompt)];
        return Pool.Run((promptIds, length, temperature, seed, _vocabulary), static (generator, io) =>
        {
            SamplingDecoder decoder = generator.Decoder;
            decoder.Temperature = io.temperature;
            decoder.Sampler.Reseed(io.seed);
            return io._vocabulary.Decode(decoder.Generate(io.promptIds, io.length));
        });
    }
}

/// <summary>The attention classifier behind <c>POST /api/classify</c>.</summary>
internal sealed class Classifier
{
    private readonly Vocabulary _vocabulary;

    public Classifier(OddOneOutModel model, Vocabulary vocabulary, int poolSize)
    {
        _vocabulary = vocabulary;
        Pool = new InferencePool<OddOneOutModel, OddOneOutModel.Session>(model, static m => m.CreateSession(maxBatch: 1, maxSteps: OddOneOut.MaxLength), poolSize);
    }

    public InferencePool<OddOneOutModel, OddOneOutModel.Session> Pool { get; }

    /// <summary>
    /// Class probabilities [3] and one attention weight per character (code point, as the vocabulary splits the text:
    /// an emoji is one character) of <paramref name="text"/>.
    /// </summary>
    public (List<string> Characters, float[] Probabilities, float[] Attention) Classify(string text)
    {
        List<string> characters = _vocabulary.Tokenize(text);
        if (characters.Count == 0) throw new RequestError("'text' has no characters the model can read; give at least one letter");
        int[] ids = new int[characters.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = _vocabulary.IdOf(characters[i]);
        var probabilities = new float[OddOneOutModel.OutputSize];
        var attention = new float[ids.Length];
        Pool.Run((ids, probabilities, attention), static (session, io) =>
        {
            session.Forward(io.ids, 1, io.ids.Length, [io.ids.Length]);
            session.HeadOutput[..io.probabilities.Length].CopyTo(io.probabilities);
            session.AttentionWeights[..io.attention.Length].CopyTo(io.attention);
            return 0;
        });
        return (characters, probabilities, attention);
    }
}

/// <summary>
/// The date translator behind <c>POST /api/normalize</c>: one <see cref="DateNormalizerModel"/> (a step source with its
/// decoding state) per pool slot, all sharing one <see cref="DateTranslator"/>'s weights.
/// </summary>
internal sealed class DateService
{
    public const int MaxLength = DateNormalizerModel.MaxInputLength;

    public DateService(DateTranslator model, int poolSize)
    {
        Pool = new InferencePool<DateTranslator, DateNormalizerModel>(model, static m => new DateNormalizerModel(m), poolSize);
    }

    public InferencePool<DateTranslator, DateNormalizerModel> Pool { get; }

    /// <summary>
    /// The ISO date of <paramref name="text"/>, its characters (the columns) and the output characters (the rows), and
    /// the attention of each output character over the input characters, one array per row. The text is trimmed first;
    /// blank or too long (after trimming) is the client's mistake. A character outside the BMP (an emoji) reaches the
    /// model as two &lt;unk&gt; UTF-16 units; it is shown as one column carrying the sum of their two weights.
    /// </summary>
    public (string Input, string Output, string[] SourceTokens, string[] TargetTokens, float[][] Attention) Normalize(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0) throw new RequestError("'text' is blank; give a date such as \"25th of June, 2009\"");
        if (trimmed.Length > MaxLength)
            throw new RequestError($"'text' is too long ({trimmed.Length} characters after trimming spaces); give at most {MaxLength}");
        Normalization result;
        try
        {
            result = Pool.Run(trimmed, static (normalizer, t) => normalizer.NormalizeWithAttention(t));
        }
        catch (ArgumentException e)
        {
            throw new RequestError($"'text' cannot be normalized: {e.Message}");
        }

        int units = result.SourceTokens.Length, rows = result.TargetTokens.Length;
        var columnOf = new int[units];
        var sourceTokens = new List<string>(units);
        for (int i = 0; i < units; i++)
        {
            if (char.IsHighSurrogate(result.Input[i]) && i + 1 < units && char.IsLowSurrogate(result.Input[i + 1]))
            {
                columnOf[i] = columnOf[i + 1] = sourceTokens.Count;
                sourceTokens.Add(result.Input.Substring(i, 2));
                i++;
            }
            else
            {
                columnOf[i] = sourceTokens.Count;
                sourceTokens.Add(result.SourceTokens[i]);
            }
        }
        var attention = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            float[] row = attention[r] = new float[sourceTokens.Count];
            for (int i = 0; i < units; i++) row[columnOf[i]] += result.Attention[r * units + i];
        }
        return (result.Input, result.Output, sourceTokens.ToArray(), result.TargetTokens, attention);
    }
}
