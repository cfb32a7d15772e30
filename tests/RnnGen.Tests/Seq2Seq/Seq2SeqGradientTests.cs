using System;
using System.Linq;
using RnnGen.Seq2Seq;
using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>
/// Finite-difference checks of the complete encoder–decoder loss (encoder, bridge or copy, attention, decoder,
/// output layer, both embeddings) for every attention kind and cell, with unequal source and target lengths.
/// </summary>
public class Seq2SeqGradientTests(ITestOutputHelper log)
{
    private const int B = 3, Ts = 5, Ty = 4;
    private static readonly int[] SourceLengths = { 5, 2, 4 };
    private static readonly int[] TargetLengths = { 4, 1, 3 };

    internal static int[] Tokens(int count, int vocabulary, int seed, int lowest = 1)
    {
        var random = new RnnGen.Initialization.SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => lowest + random.NextInt(vocabulary - lowest)).ToArray();
    }

    private void CheckModel(Seq2SeqNetwork model, double tolerance = 2e-2)
    {
        Seq2SeqSession session = model.CreateSession(B, Ts, Ty);
        int[] source = Tokens(B * Ts, model.Shape.SourceVocabulary, 3);
        int[] target = Tokens(B * Ty, model.Shape.TargetVocabulary, 4);
        log.WriteLine(model.Architecture);
        GradientCheck.Assert(log, model,
            () =>
            {
                session.Forward(source, SourceLengths, target, TargetLengths, B, Ts, Ty);
                return session.Loss();
            },
            session.Backward, tolerance);
    }

    [Fact]
    public void Additive_attention_gru_with_copied_state() => CheckModel(new TinyAdditiveGru(seed: 1));

    [Fact]
    public void Dot_attention_lstm_with_copied_hidden_and_cell() => CheckModel(new TinyDotLstm(seed: 2));

    [Fact]
    public void General_attention_through_the_bridge_and_two_encoder_layers() => CheckModel(new TinyGeneralBridge(seed: 3));

    [Fact]
    public void No_attention_two_layer_lstm_decoder_through_the_bridge() => CheckModel(new TinyPlainLstmBridge(seed: 4));

    [Fact]
    public void Every_tensor_gets_a_gradient()
    {
        foreach (Seq2SeqNetwork model in new Seq2SeqNetwork[] { new TinyAdditiveGru(1), new TinyGeneralBridge(3), new TinyPlainLstmBridge(4) })
        {
            Seq2SeqSession session = model.CreateSession(B, Ts, Ty);
            session.Forward(Tokens(B * Ts, 7, 3), SourceLengths, Tokens(B * Ty, 6, 4), TargetLengths, B, Ts, Ty);
            session.Loss();
            model.ZeroGradients();
            session.Backward();
            foreach (ParameterTensor tensor in model.ParameterTensors)
            {
                double norm = model.Gradients.AsSpan(tensor.Offset, tensor.Length).ToArray().Sum(v => (double)v * v);
                Assert.True(norm > 0, $"{model.GetType().Name}: {tensor.Name} got no gradient");
            }
        }
    }

    [Fact]
    public void Padded_source_and_target_positions_change_nothing()
    {
        var model = new TinyAdditiveGru(seed: 5);
        Seq2SeqSession session = model.CreateSession(B, Ts, Ty);
        int[] source = Tokens(B * Ts, 7, 3);
        int[] target = Tokens(B * Ty, 6, 4);
        session.Forward(source, SourceLengths, target, TargetLengths, B, Ts, Ty);
        float loss = session.Loss();
        model.ZeroGradients();
        session.Backward();
        float[] gradients = (float[])model.Gradients.Clone();
        float[] alpha = session.AttentionWeights(0, 1).ToArray();
        Assert.Equal(1.0, alpha.Sum(v => (double)v), 5);
        Assert.All(alpha.Skip(SourceLengths[1]), v => Assert.Equal(0f, v));

        // rewrite every padded position with other ids (including out-of-range ones, which must not be read)
        for (int b = 0; b < B; b++)
        {
            for (int t = SourceLengths[b]; t < Ts; t++) source[b * Ts + t] = 999;
            for (int t = TargetLengths[b]; t < Ty; t++) target[b * Ty + t] = -5;
        }
        session.Forward(source, SourceLengths, target, TargetLengths, B, Ts, Ty);
        Assert.Equal(loss, session.Loss());
        model.ZeroGradients();
        session.Backward();
        Assert.Equal(gradients, model.Gradients);
    }

    [Fact]
    public void Scheduled_sampling_is_seeded_and_full_sampling_feeds_the_models_own_predictions()
    {
        var model = new TinyAdditiveGru(seed: 6);
        Seq2SeqSession session = model.CreateSession(B, Ts, Ty);
        int[] source = Tokens(B * Ts, 7, 3);
        int[] target = Tokens(B * Ty, 6, 4);
        float Run(float probability, long seed)
        {
            session.SamplingProbability = probability;
            session.SeedSampling(seed);
            session.Forward(source, SourceLengths, target, TargetLengths, B, Ts, Ty);
            return session.Loss();
        }

        float teacher = Run(0f, 0);
        Assert.Equal(Run(0.5f, 11), Run(0.5f, 11));
        float sampled = Run(1f, 0);
        Assert.NotEqual(teacher, sampled);

        // with probability 1 the decoder's step t input is its own arg max at t − 1, as greedy decoding does
        Seq2SeqStepSource source0 = model.CreateStepSource(Ts);
        int[] greedy = new int[Ty];
        int produced = source0.Translate(source.AsSpan(0, SourceLengths[0]), greedy);
        int[] forced = new int[Ty];
        forced[0] = model.Shape.StartId;
        for (int t = 1; t < Ty; t++) forced[t] = TensorArgMax(session.Logits.Slice(((t - 1) * B) * 6, 6));
        for (int t = 1; t < Math.Min(Ty, produced + 1); t++) Assert.Equal(greedy[t - 1], forced[t]);
    }

    private static int TensorArgMax(ReadOnlySpan<float> values) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(values);

    [Fact]
    public void Generated_constants_match_the_runtime_layout()
    {
        var model = new TinyGeneralBridge();
        Assert.Equal(TinyGeneralBridge.TotalParameters, model.ParameterCount);
        Assert.Equal(TinyAdditiveGru.TotalParameters, new TinyAdditiveGru().ParameterCount);
        Assert.Equal(TinyDotLstm.TotalParameters, new TinyDotLstm().ParameterCount);
        Assert.Equal(TinyPlainLstmBridge.TotalParameters, new TinyPlainLstmBridge().ParameterCount);
        Assert.False(TinyGeneralBridge.ModelShape.CopiesEncoderState);
        Assert.True(TinyAdditiveGru.ModelShape.CopiesEncoderState);
        Assert.Contains(model.ParameterTensors, t => t.Name == "bridge.weight" && t.ShapeText == "[5, 4]");
        Assert.Contains(model.ParameterTensors, t => t.Name == "attention.weight" && t.ShapeText == "[5, 4]");
        Assert.Contains(new TinyAdditiveGru().ParameterTensors, t => t.Name == "decoder.rnn.weight_ih_l0" && t.ShapeText == "[24, 11]");
        Assert.Equal(new TinyAdditiveGru(9).Parameters, new TinyAdditiveGru(9).Parameters);
        Assert.NotEqual(new TinyAdditiveGru(9).Parameters, new TinyAdditiveGru(10).Parameters);
    }
}
