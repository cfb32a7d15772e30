using System;
using System.Collections.Generic;
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
