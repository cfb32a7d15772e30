using System;
using System.Linq;
using RnnGen.Data;
using RnnGen.Decoding;
using RnnGen.Seq2Seq;
using RnnGen.Tests.Decoding;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>
/// Bad input to encoder–decoders and decoders: empty sources, unknown symbols and ids, sources longer than the
/// workspace. Each is a clear exception naming the limit and the value, nothing crashes, and the object stays usable.
/// The unknown-symbol policy (docs/seq2seq.md, docs/decoding.md): symbols a vocabulary does not know become
/// <c>&lt;unk&gt;</c> (id 1) in <see cref="Vocabulary.Encode"/>; raw ids outside a model's vocabulary are rejected.
/// </summary>
public class Seq2SeqBadInputTests
{
    [Fact]
    public void The_step_source_rejects_empty_too_long_and_unknown_id_sources_and_stays_usable()
    {
        var model = new TinyAdditiveGru(seed: 2);
        Seq2SeqStepSource steps = model.CreateStepSource(maxSourceSteps: 4, maxRows: 2);
        int[] good = { 4, 5, 6 }, output = new int[6];
        int expected = steps.Translate(good, output);
        int[] reference = output.Take(expected).ToArray();

        var empty = Assert.Throws<ArgumentException>(() => steps.Encode(ReadOnlySpan<int>.Empty));
        Assert.Contains("source is empty", empty.Message);
        Assert.Throws<InvalidOperationException>(() => steps.Reset());   // a rejected source leaves nothing half-encoded

        var tooLong = Assert.Throws<ArgumentException>(() => steps.Translate(new[] { 1, 2, 3, 4, 5 }, output));
        Assert.Contains("5 tokens", tooLong.Message);
        Assert.Contains("at most 4 (maxSourceSteps)", tooLong.Message);
        Assert.Throws<ArgumentException>(() => steps.AttentionFor(new[] { 1, 2, 3, 4, 5 }, reference, new float[30]));

        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => steps.Encode(new[] { 4, 7 }));
        Assert.Contains("source[0, 1] = 7 is not a source vocabulary id (expected 0..6)", unknown.Message);
        Assert.Contains("<unk>", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => steps.Encode(new[] { -1 }));
        Assert.Throws<InvalidOperationException>(() => new GreedyDecoder(steps, 6).Generate(new[] { steps.StartId }));

        // decoder inputs are target ids
        steps.Encode(good);
        var badToken = Assert.Throws<ArgumentOutOfRangeException>(() => steps.Step(new[] { 2, 6 }, 2));
        Assert.Contains("tokens[1] = 6 is not a target vocabulary id (expected 0..5)", badToken.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => steps.Step(new[] { 2, 2, 2 }, 3));   // more rows than maxRows
        Assert.Throws<ArgumentException>(() => steps.Translate(good, output, new float[5]));  // heat map buffer too small

        // after all that, the same source translates as before
        int again = steps.Translate(good, output);
        Assert.Equal(reference, output.Take(again));
    }

    [Fact]
    public void The_training_session_names_the_workspace_limit_and_the_bad_source_id()
    {
        var model = new TinyDotLstm(seed: 3);
        Seq2SeqSession session = model.CreateSession(maxBatch: 2, maxSourceSteps: 4, maxTargetSteps: 3);
        int[] target = { 4, 5, 3, 4, 3, 0 }, targetLengths = { 3, 2 };

        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() =>
            session.Forward(new int[10], new[] { 5, 5 }, target, targetLengths, 2, 5, 3));
        Assert.Contains("1..4 (the session's maxSourceSteps), but got 5", tooLong.Message);
        var targetTooLong = Assert.Throws<ArgumentOutOfRangeException>(() =>
            session.Forward(new[] { 1, 2, 3, 4, 1, 2, 0, 0 }, new[] { 4, 2 }, new int[8], new[] { 4, 1 }, 2, 4, 4));
        Assert.Contains("maxTargetSteps", targetTooLong.Message);

        var badId = Assert.Throws<ArgumentOutOfRangeException>(() =>
            session.Forward(new[] { 1, 2, 3, 4, 9, 2, 0, 0 }, new[] { 4, 2 }, target, targetLengths, 2, 4, 3));
        Assert.Contains("source[1, 0] = 9", badId.Message);
        var empty = Assert.Throws<ArgumentException>(() =>
            session.Forward(new[] { 1, 2, 3, 4, 1, 2, 0, 0 }, new[] { 4, 0 }, target, targetLengths, 2, 4, 3));
        Assert.Contains("row 1 has an empty source", empty.Message);
        Assert.Throws<InvalidOperationException>(() => session.Loss());   // no half-done forward to score

        // past a row's length any value is padding and is not read
        session.Forward(new[] { 1, 2, 3, 4, 1, 2, 99, -7 }, new[] { 4, 2 }, target, targetLengths, 2, 4, 3);
        Assert.True(float.IsFinite(session.Loss()));
    }

    [Fact]
    public void Unknown_symbols_become_unk_and_translate_like_any_other_source()
    {
        // 4 specials + "a", "b", "c": exactly the 7 source ids of the model
        Vocabulary vocabulary = Vocabulary.BuildCharacters(new[] { "aabbbc" });
        Assert.Equal(TinyAdditiveGru.SourceVocabulary, vocabulary.Count);
        int[] ids = vocabulary.Encode("ab?z");
        Assert.Equal(new[] { vocabulary.IdOf("a"), vocabulary.IdOf("b"), Vocabulary.UnknownId, Vocabulary.UnknownId }, ids);

        var model = new TinyAdditiveGru(seed: 4);
        Seq2SeqStepSource steps = model.CreateStepSource(maxSourceSteps: 8);
        int[] output = new int[6];
        float[] attention = new float[6 * ids.Length];
        int produced = steps.Translate(ids, output, attention);
        Assert.Equal(ids.Length, steps.SourceLength);
        for (int i = 0; i < produced; i++)
            Assert.Equal(1.0, attention.Skip(i * ids.Length).Take(ids.Length).Sum(v => (double)v), 4);   // <unk> positions are attended like others

        // the training pass accepts <unk> too
        Seq2SeqSession session = model.CreateSession(1, ids.Length, 2);
        session.Forward(ids, new[] { ids.Length }, new[] { 4, 3 }, new[] { 2 }, 1, ids.Length, 2);
        Assert.True(float.IsFinite(session.Loss()));
    }

    [Fact]
    public void A_language_model_prompt_takes_unk_and_rejects_ids_outside_the_active_vocabulary()
    {
        Vocabulary vocabulary = Vocabulary.BuildCharacters(new[] { "abcdefgh" });   // 12 ids, the model's width
        Assert.Equal(DecodingLm.Vocabulary, vocabulary.Count);
        var model = new DecodingLm(seed: 5);
        var greedy = new GreedyDecoder(SessionStepSource.Create(model, maxBatch: 1), 5);
        int[] prompt = vocabulary.Encode("ab€d");
        Assert.Equal(Vocabulary.UnknownId, prompt[2]);
        Assert.Equal(5, greedy.Generate(prompt).Length);

        var narrow = new GreedyDecoder(SessionStepSource.Create(model, maxBatch: 1, activeVocabulary: 6), 5);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => narrow.Generate(new[] { 2, 7 }));
        Assert.Contains("prompt[1] = 7", outside.Message);
        Assert.Contains("0..5", outside.Message);
        Assert.Throws<ArgumentException>(() => narrow.Generate(ReadOnlySpan<int>.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => narrow.Generate(new[] { 2 }, maxLength: 6));   // past the decoder's capacity
    }
}
