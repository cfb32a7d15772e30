using System;
using System.Linq;
using RnnGen.Decoding;
using RnnGen.Seq2Seq;
using RnnGen.Tests.Support;
using RnnGen.Training;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>
/// The runtime's decoders on encoder–decoder models, a model that learns a task end to end, and the bad-input
/// and allocation contracts of sessions and step sources.
/// </summary>
public class Seq2SeqDecodingTests(ITestOutputHelper log)
{
    private const int Start = 2, End = 3, MaxLength = 8;

    private static readonly Lazy<ReverseTranslator> Trained = new(TrainReversal);

    /// <summary>Task: output the source digits (ids 4..9) reversed. Trained with Adam and clipping in a few seconds.</summary>
    private static ReverseTranslator TrainReversal()
    {
        var model = new ReverseTranslator(seed: 1);
        const int batch = 32, maxLen = 6;
        Seq2SeqSession session = model.CreateSession(batch, maxLen, maxLen + 1);
        var optimizer = new Adam(model.ParameterCount, learningRate: 0.01f);
        var random = new RnnGen.Initialization.SeededRandom(5);
        int[] source = new int[batch * maxLen], target = new int[batch * (maxLen + 1)];
        int[] sourceLengths = new int[batch], targetLengths = new int[batch];
        for (int step = 0; step < 400; step++)
        {
            NextBatch(ref random, source, sourceLengths, target, targetLengths, batch, maxLen);
            session.Forward(source, sourceLengths, target, targetLengths, batch, maxLen, maxLen + 1);
            session.Loss();
            model.ZeroGradients();
            session.Backward();
            GradientClipping.ClipByGlobalNorm(model.Gradients, 1f);
            optimizer.Step(model.Parameters, model.Gradients);
        }
        return model;
    }

    internal static void NextBatch(ref RnnGen.Initialization.SeededRandom random, int[] source, int[] sourceLengths,
        int[] target, int[] targetLengths, int batch, int maxLen)
    {
        Array.Clear(source);
        Array.Clear(target);
        for (int b = 0; b < batch; b++)
        {
            int length = 2 + random.NextInt(maxLen - 1);
            sourceLengths[b] = length;
            targetLengths[b] = length + 1;
            for (int t = 0; t < length; t++) source[b * maxLen + t] = 4 + random.NextInt(6);
            for (int t = 0; t < length; t++) target[b * (maxLen + 1) + t] = source[b * maxLen + length - 1 - t];
            target[b * (maxLen + 1) + length] = End;
        }
    }

    [Fact]
    public void A_trained_model_reverses_held_out_sequences_with_greedy_and_beam_search()
    {
        ReverseTranslator model = Trained.Value;
        Seq2SeqStepSource steps = model.CreateStepSource(maxSourceSteps: 6, maxRows: 4);
        var beam = new BeamSearchDecoder(steps, beamWidth: 4, MaxLength);
        var random = new RnnGen.Initialization.SeededRandom(99);
        int greedyHits = 0, beamHits = 0, total = 100;
        int[] output = new int[MaxLength];
        for (int i = 0; i < total; i++)
        {
            int length = 2 + random.NextInt(5);
            int[] source = Enumerable.Range(0, length).Select(_ => 4 + random.NextInt(6)).ToArray();
            int[] expected = source.Reverse().ToArray();
            int produced = steps.Translate(source, output);
            greedyHits += output.AsSpan(0, produced).SequenceEqual(expected) ? 1 : 0;
            steps.Encode(source);
            beam.Search(new[] { Start }, MaxLength, End);
            beamHits += beam.TokensOf(0).SequenceEqual(expected) ? 1 : 0;
        }
        log.WriteLine($"exact match: greedy {greedyHits}/{total}, beam(4) {beamHits}/{total}");
        Assert.True(greedyHits >= 90, $"greedy exact match {greedyHits}/{total}");
        Assert.True(beamHits >= 90, $"beam exact match {beamHits}/{total}");
    }

    [Fact]
    public void Translate_equals_the_greedy_decoder_and_beam_width_one_and_records_attention()
    {
        ReverseTranslator model = Trained.Value;
        Seq2SeqStepSource steps = model.CreateStepSource(6, maxRows: 1);
        int[] source = { 4, 9, 7, 5, 6 };
        int[] output = new int[MaxLength];
        float[] attention = new float[MaxLength * source.Length];
        int produced = steps.Translate(source, output, attention);

        steps.Encode(source);
        int[] greedy = new GreedyDecoder(steps, MaxLength).Generate(new[] { Start }, MaxLength, End).ToArray();
        Assert.Equal(output.Take(produced), greedy);
        steps.Encode(source);
        var beam = new BeamSearchDecoder(steps, beamWidth: 1, MaxLength);
        beam.Search(new[] { Start }, MaxLength, End);
        Assert.Equal(greedy, beam.TokensOf(0).ToArray());

        // each row of the heat map is a distribution over the source; AttentionFor reproduces it
        for (int i = 0; i < produced; i++)
            Assert.Equal(1.0, attention.Skip(i * source.Length).Take(source.Length).Sum(v => (double)v), 4);
        float[] again = new float[produced * source.Length];
        steps.AttentionFor(source, output.AsSpan(0, produced), again);
        Assert.Equal(attention.Take(produced * source.Length), again);
        // reversal: the first output token attends most to the last source token
        Assert.Equal(source.Length - 1, Array.IndexOf(attention, attention.Take(source.Length).Max()));
    }

    [Fact]
    public void LastAttention_gives_each_beam_row_its_weights_at_every_step()
    {
        // What a beam-search caller sees after each Step: [rows, SourceLength], row r the weights of beam r's prefix,
        // equal to what AttentionFor computes for that prefix alone.
        var model = new TinyGeneralBridge(seed: 7);
        Seq2SeqStepSource steps = model.CreateStepSource(maxSourceSteps: 6, maxRows: 3);
        int[] source = { 3, 6, 1, 5, 2 };
        steps.Encode(source);
        steps.Step(new[] { steps.StartId }, 1);
        Assert.Equal(source.Length, steps.LastAttention.Length);
        steps.Reorder(new[] { 0, 0, 0 });
        steps.Step(new[] { 4, 1, 5 }, 3);
        steps.Reorder(new[] { 2, 0 });
        steps.Step(new[] { 0, 4 }, 2);
        float[] rows = steps.LastAttention.ToArray();
        Assert.Equal(2 * source.Length, rows.Length);

        int[][] prefixes = { new[] { 5, 0 }, new[] { 4, 4 } };   // row 0 continues old row 2 ("5"), row 1 old row 0 ("4")
        var single = new float[3 * source.Length];
        for (int r = 0; r < 2; r++)
        {
            steps.AttentionFor(source, new[] { prefixes[r][0], prefixes[r][1], 0 }, single);
            float[] expected = single.AsSpan(2 * source.Length, source.Length).ToArray();
            float[] actual = rows.AsSpan(r * source.Length, source.Length).ToArray();
            Assert.Equal(1.0, actual.Sum(v => (double)v), 5);
            for (int j = 0; j < source.Length; j++) Assert.Equal(expected[j], actual[j], 5);
        }
        Assert.True(new TinyPlainLstmBridge(seed: 1).CreateStepSource(4).LastAttention.IsEmpty);   // no attention, no weights
    }

    [Fact]
    public void Generating_n_tokens_costs_n_steps_and_allocates_nothing_after_warm_up()
    {
        ReverseTranslator model = Trained.Value;
        Seq2SeqStepSource steps = model.CreateStepSource(6, maxRows: 3);
        int[] source = { 4, 5, 6, 7 };
        int[] output = new int[MaxLength];
        float[] attention = new float[MaxLength * 6];
        var sampler = new SamplingDecoder(steps, MaxLength, seed: 3) { Temperature = 0.8f, TopK = 3 };
        var beam = new BeamSearchDecoder(steps, beamWidth: 3, MaxLength);
        int[] prompt = { Start };

        steps.StepCount = 0;
        int produced = steps.Translate(source, output, attention);
        Assert.Equal(produced + 1, steps.StepCount); // one step per token, plus the step that produced <eos>

        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            steps.Translate(source, output, attention);
            steps.Encode(source);
            sampler.Generate(prompt, MaxLength, End);
            steps.Encode(source);
            beam.Search(prompt, MaxLength, End);
        }, callsPerWindow: 5, warmUpCalls: 3));
    }

    [Fact]
    public void Training_steps_allocate_nothing_after_warm_up()
    {
        var model = new TinyAdditiveGru(seed: 1);
        Seq2SeqSession session = model.CreateSession(3, 5, 4);
        int[] source = Seq2SeqGradientTests.Tokens(15, 7, 3), target = Seq2SeqGradientTests.Tokens(12, 6, 4);
        int[] sl = { 5, 2, 4 }, tl = { 4, 1, 3 };
        var adam = new Adam(model.ParameterCount, 1e-3f);
        void Step()
        {
            session.Forward(source, sl, target, tl, 3, 5, 4);
            session.Loss();
            model.ZeroGradients();
            session.Backward();
            adam.Step(model.Parameters, model.Gradients);
        }
        Assert.Equal(0, SteadyState.AllocatedBytes(Step, callsPerWindow: 5, warmUpCalls: 3));
    }

    [Fact]
    public void Bad_input_is_rejected_with_what_was_expected()
    {
        var model = new TinyAdditiveGru(seed: 1);
        Seq2SeqStepSource steps = model.CreateStepSource(maxSourceSteps: 4);
        var empty = Assert.Throws<ArgumentException>(() => steps.Encode(ReadOnlySpan<int>.Empty));
        Assert.Contains("empty", empty.Message);
        var tooLong = Assert.Throws<ArgumentException>(() => steps.Encode(new[] { 1, 2, 3, 4, 5 }));
        Assert.Contains("5 tokens", tooLong.Message);
        Assert.Contains("at most 4", tooLong.Message);
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => steps.Encode(new[] { 1, 7 }));
        Assert.Contains("7", unknown.Message);
        Assert.Throws<InvalidOperationException>(() => model.CreateStepSource(4).Reset());

        Seq2SeqSession session = model.CreateSession(2, 4, 3);
        int[] source = { 1, 2, 3, 4, 1, 2, 0, 0 }, target = { 4, 5, 3, 4, 3, 0 };
        var zero = Assert.Throws<ArgumentException>(() => session.Forward(source, new[] { 4, 0 }, target, new[] { 3, 2 }, 2, 4, 3));
        Assert.Contains("row 1 has an empty source", zero.Message);
        var badTarget = Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(source, new[] { 4, 2 }, new[] { 4, 5, 3, 4, 9, 0 }, new[] { 3, 2 }, 2, 4, 3));
        Assert.Contains("target[1, 1] = 9", badTarget.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(source, new[] { 4, 2 }, target, new[] { 3, 2 }, 3, 4, 3));
        Assert.Throws<InvalidOperationException>(() => session.Backward());
    }

    [Fact]
    public void Save_and_load_round_trip_through_safetensors()
    {
        var model = new TinyGeneralBridge(seed: 3);
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnngen-s2s-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            RnnGen.Serialization.ModelSerializer.Save(model, path);
            var loaded = new TinyGeneralBridge(seed: 99);
            RnnGen.Serialization.ModelSerializer.Load(loaded, path);
            Assert.Equal(model.Parameters, loaded.Parameters);
            var other = new TinyAdditiveGru();
            Assert.ThrowsAny<Exception>(() => RnnGen.Serialization.ModelSerializer.Load(other, path));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
