using System;
using System.IO;
using System.Linq;
using RnnGen.Serialization;
using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Models;

/// <summary>Token input, merge modes, inter-layer dropout and Keras initialization through whole generated models.</summary>
public class OptionModelTests(ITestOutputHelper log)
{
    private const int B = 3, T = 5;
    private static readonly int[] Lengths = { 5, 2, 4 };

    [Theory]
    [InlineData("gru_embedding_l1_bi_padding")]
    [InlineData("lstm_embedding_l2_uni_dropout_off")]
    public void Token_models_match_pytorch_embedding_rnn_including_padding_and_dropout_off(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(AppContext.BaseDirectory, "fixtures", "models", name + ".safetensors"));
        IRnnNetwork model = name.StartsWith("gru") ? new GruEmbeddingParity() : new LstmEmbeddingDropoutParity();
        model.Load(file, allowUnexpectedTensors: true);
        int batch = int.Parse(file.Metadata["batch"]), steps = int.Parse(file.Metadata["steps"]);
        int[] tokens = file.ReadInt64s("tokens").Select(v => (int)v).ToArray();
        int[] lengths = file.ReadInt64s("lengths").Select(v => (int)v).ToArray();
        bool lstm = file.Metadata["cell"] == "lstm";

        IRnnSession session = model.CreateSession(batch, steps);
        session.Forward(tokens, batch, steps, lengths);
        AssertClose("output", session.Output, file.ReadFloats("output"));
        AssertClose("h_n", session.FinalHidden, file.ReadFloats("h_n"));
        if (lstm) AssertClose("c_n", session.FinalCell, file.ReadFloats("c_n"));

        Array.Clear(model.Gradients);
        session.Backward(file.ReadFloats("grad_output"), file.ReadFloats("grad_h_n"), lstm ? file.ReadFloats("grad_c_n") : default, computeInputGradient: false);
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            AssertClose("grad." + tensor.Name, model.Gradients.AsSpan(tensor.Offset, tensor.Length), file.ReadFloats("grad." + tensor.Name));
        }
    }

    [Fact]
    public void Padding_row_gets_no_gradient_and_a_frozen_embedding_none_at_all()
    {
        var model = new TinyCharLm(seed: 3);
        Assert.All(model.EmbeddingWeight.Slice(0, TinyCharLm.EmbeddingSize).ToArray(), v => Assert.Equal(0f, v));
        var session = model.CreateSession(B, T);
        int[] tokens = { 0, 3, 4, 0, 5, 6, 0, 7, 7, 7, 1, 2, 3, 4, 5 };
        int[] targets = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5 };
        session.Forward(tokens, B, T, Lengths);
        session.Loss(targets);
        session.Backward();
        float[] embeddingGradient = model.Gradients.AsSpan(TinyCharLm.EmbeddingWeightOffset, TinyCharLm.EmbeddingWeightLength).ToArray();
        Assert.All(embeddingGradient.AsSpan(0, TinyCharLm.EmbeddingSize).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(embeddingGradient, v => v != 0f);
        // token 7 appears only past sequence 1's length: no gradient for its row
        Assert.All(embeddingGradient.AsSpan(7 * TinyCharLm.EmbeddingSize, TinyCharLm.EmbeddingSize).ToArray(), v => Assert.Equal(0f, v));

        model.ZeroGradients();
        model.FreezeEmbedding = true;
        session.Forward(tokens, B, T, Lengths);
        session.Loss(targets);
        session.Backward();
        Assert.All(model.Gradients.AsSpan(TinyCharLm.EmbeddingWeightOffset, TinyCharLm.EmbeddingWeightLength).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(model.Gradients, v => v != 0f);
    }

    [Fact]
    public void A_vocabulary_travels_inside_the_model_file()
    {
        string directory = Path.Combine(Path.GetTempPath(), "rnngen-vocab-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var vocabulary = RnnGen.Data.Vocabulary.BuildCharacters(new[] { "abc\tdé\n" });
            var model = new TinyCharLm(seed: 3);
            string path = Path.Combine(directory, "lm.safetensors");
            model.Save(path, vocabulary);
            Assert.Equal(vocabulary, ModelSerializer.LoadVocabulary(path));
            Assert.Equal(model.Parameters, TinyCharLm.Load(path).Parameters);

            model.Save(path);
            var missing = Assert.Throws<InvalidDataException>(() => ModelSerializer.LoadVocabulary(path));
            Assert.Contains("no vocabulary", missing.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Out_of_range_token_names_its_position()
    {
        var session = new TinyCharLm().CreateSession(B, T);
        int[] tokens = new int[B * T];
        tokens[1 * T + 1] = 11;
        var error = Assert.ThrowsAny<ArgumentException>(() => session.Forward(tokens, B, T, Lengths));
        Assert.Contains("11", error.Message);
        tokens[1 * T + 1] = 0;
        tokens[1 * T + 3] = 99; // past sequence 1's length: ignored
        session.Forward(tokens, B, T, Lengths);
    }

    [Fact]
    public void Token_streaming_equals_forward()
    {
        var model = new TinyCharLm(seed: 5);
        var session = model.CreateSession(1, 6);
        int[] tokens = { 3, 1, 4, 1, 5, 9 };
        session.Forward(tokens, 1, 6);
        float[] full = session.HeadOutput.ToArray();
        var stream = model.CreateSession(1, 1);
        for (int t = 0; t < 6; t++)
        {
            stream.Step(tokens.AsSpan(t, 1), 1);
            for (int o = 0; o < TinyCharLm.OutputSize; o++)
            {
                Assert.Equal(full[t * TinyCharLm.OutputSize + o], stream.HeadOutput[o], 5);
            }
        }
    }

    [Fact]
    public void Reordering_the_streaming_state_moves_whole_sequences()
    {
        var model = new TinyCharLm(seed: 6);
        IRnnSession stream = model.CreateSession(3, 1);
        stream.Step(new[] { 1, 2, 3 }, 3);
        stream.Step(new[] { 4, 5, 6 }, 3);
        stream.ReorderState(new[] { 2, 2, 0 });
        stream.Step(new[] { 7, 7, 7 }, 3);
        float[] after = stream.HeadOutput.ToArray();

        // Reference: sequence 2's history then 7, and sequence 0's history then 7.
        IRnnSession reference = model.CreateSession(3, 1);
        reference.Step(new[] { 3, 3, 1 }, 3);
        reference.Step(new[] { 6, 6, 4 }, 3);
        reference.Step(new[] { 7, 7, 7 }, 3);
        Assert.Equal(reference.HeadOutput.ToArray(), after);
    }

    [Fact]
    public void Gradients_of_token_model_by_finite_differences()
    {
        var model = new TinyCharLm(seed: 2);
        var session = model.CreateSession(B, T);
        int[] tokens = { 2, 3, 4, 0, 5, 6, 1, 7, 7, 7, 1, 2, 3, 4, 5 };
        int[] targets = TestData.Classes(B * T, TinyCharLm.OutputSize, 4);
        // The padding row takes part in the forward pass but, by definition (PyTorch's padding_idx), gets no gradient.
        Check(model, () => { session.Forward(tokens, B, T, Lengths); return session.Loss(targets); }, session.Backward,
            skip: (name, index) => name == "embedding.weight" && index / TinyCharLm.EmbeddingSize == TinyCharLm.PaddingId);
    }

    [Fact]
    public void Sum_merge_many_to_one_gradients()
    {
        var model = new SumMergeClassifier(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 2);
        int[] y = TestData.Classes(B, 3, 3);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
        Assert.Equal(B * T * SumMergeClassifier.HiddenSize, session.Output.Length);
    }

    [Fact]
    public void Mean_merge_many_to_many_two_layers_gradients()
    {
        var model = new MeanMergeTagger(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 2);
        float[] y = TestData.Uniform(B * T * 2, 3);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Product_merge_many_to_one_gradients()
    {
        var model = new ProductMergeRegressor(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 2);
        float[] y = TestData.Uniform(B * 2, 3);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Merged_outputs_combine_the_concatenated_directions()
    {
        var concat = new ConcatEncoder(seed: 4);
        var sum = new SumEncoder();
        var product = new ProductEncoder();
        concat.Parameters.CopyTo(sum.Parameters, 0);
        concat.Parameters.CopyTo(product.Parameters, 0);
        float[] x = TestData.Uniform(B * T * 3, 2);
        var c = concat.CreateSession(B, T);
        var s = sum.CreateSession(B, T);
        var p = product.CreateSession(B, T);
        c.Forward(x, B, T, Lengths);
        s.Forward(x, B, T, Lengths);
        p.Forward(x, B, T, Lengths);
        const int H = ConcatEncoder.HiddenSize;
        for (int row = 0; row < B * T; row++)
        {
            for (int j = 0; j < H; j++)
            {
                float forward = c.Output[row * 2 * H + j], reverse = c.Output[row * 2 * H + H + j];
                Assert.Equal(forward + reverse, s.Output[row * H + j], 6);
                Assert.Equal(forward * reverse, p.Output[row * H + j], 6);
            }
        }
        Assert.Equal(c.FinalHidden.ToArray(), s.FinalHidden.ToArray());
    }

    [Fact]
    public void Dropout_is_off_by_default_reproducible_by_seed_and_its_gradient_is_exact()
    {
        var model = new DropoutTagger(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 2);
        float[] y = TestData.Uniform(B * T * 2, 3);

        session.Forward(x, B, T, Lengths);
        float eval1 = session.Loss(y);
        session.Forward(x, B, T, Lengths);
        Assert.Equal(eval1, session.Loss(y)); // inference: deterministic, no dropout

        session.Training = true;
        session.SeedDropout(9);
        session.Forward(x, B, T, Lengths);
        float train1 = session.Loss(y);
        session.SeedDropout(9);
        session.Forward(x, B, T, Lengths);
        Assert.Equal(train1, session.Loss(y));
        Assert.NotEqual(eval1, train1);
        session.Forward(x, B, T, Lengths);
        Assert.NotEqual(train1, session.Loss(y)); // next masks differ

        Check(model, () => { session.SeedDropout(42); session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Keras_initialization_glorot_orthogonal_forget_bias_one()
    {
        var model = new KerasInitialized(seed: 7);
        int H = KerasInitialized.HiddenSize;
        float[] bias = model.BiasIhL0.ToArray();
        Assert.All(bias.AsSpan(0, H).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bias.AsSpan(H, H).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bias.AsSpan(2 * H).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.BiasHhL0.ToArray(), v => Assert.Equal(0f, v));

        // W_hh [4H, H] has orthonormal columns: W_hhᵀ W_hh = I.
        float[] w = model.WeightHhL1.ToArray();
        for (int i = 0; i < H; i++)
        {
            for (int j = 0; j < H; j++)
            {
                double dot = 0;
                for (int r = 0; r < 4 * H; r++) dot += w[r * H + i] * (double)w[r * H + j];
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 5);
            }
        }
        float glorot = MathF.Sqrt(6f / (KerasInitialized.InputSize + 4 * H));
        Assert.All(model.WeightIhL0.ToArray(), v => Assert.InRange(v, -glorot, glorot));
        Assert.All(model.HeadBias.ToArray(), v => Assert.Equal(0f, v));
    }

    private void Check(IRnnModel model, Func<float> loss, Action backward, Func<string, int, bool>? skip = null) =>
        GradientCheck.Assert(log, model, loss, backward, skip: skip);

    private void AssertClose(string what, ReadOnlySpan<float> ours, float[] torch) => Reference.AssertClose(log, what, ours, torch);
}
