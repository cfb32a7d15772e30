using System;
using System.Linq;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Models;

/// <summary>Session behaviour: bad input, zero allocations, streaming equivalence, determinism.</summary>
public class SessionTests
{
    [Fact]
    public void Same_seed_same_weights_other_seed_other_weights()
    {
        Assert.Equal(new LstmClassifier(seed: 5).Parameters, new LstmClassifier(seed: 5).Parameters);
        Assert.NotEqual(new LstmClassifier(seed: 5).Parameters, new LstmClassifier(seed: 6).Parameters);
    }

    [Fact]
    public void Initialization_follows_pytorch_bounds()
    {
        var model = new LstmClassifier(seed: 3);
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            float bound = tensor.Name.StartsWith("rnn.") ? 1f / MathF.Sqrt(LstmClassifier.HiddenSize) : 1f / MathF.Sqrt(LstmClassifier.LayerOutputSize);
            float[] values = model.Parameters.AsSpan(tensor.Offset, tensor.Length).ToArray();
            Assert.All(values, v => Assert.InRange(v, -bound, bound));
            Assert.True(values.Max() - values.Min() > bound * 0.5f, $"{tensor.Name} looks degenerate");
        }
    }

    [Fact]
    public void Parameter_tensors_tile_the_buffer_in_pytorch_order()
    {
        var model = new LstmClassifier();
        var names = model.ParameterTensors.Select(t => t.Name).ToArray();
        Assert.Equal(new[]
        {
            "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
            "rnn.weight_ih_l0_reverse", "rnn.weight_hh_l0_reverse", "rnn.bias_ih_l0_reverse", "rnn.bias_hh_l0_reverse",
            "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
            "rnn.weight_ih_l1_reverse", "rnn.weight_hh_l1_reverse", "rnn.bias_ih_l1_reverse", "rnn.bias_hh_l1_reverse",
            "head.weight", "head.bias",
        }, names);
        int offset = 0;
        foreach (ParameterTensor t in model.ParameterTensors)
        {
            Assert.Equal(offset, t.Offset);
            offset += t.Length;
        }
        Assert.Equal(LstmClassifier.ParameterCount, offset);
        Assert.Equal(new[] { 16, 3 }, model.ParameterTensors[0].Shape);
        Assert.Equal(new[] { 16, 8 }, model.ParameterTensors[8].Shape);
        Assert.Equal(new[] { 5, 8 }, model.ParameterTensors[16].Shape);
    }

    [Fact]
    public void Forward_loss_backward_and_step_allocate_nothing_after_warm_up()
    {
        var model = new SoftmaxManyToMany(seed: 1);
        var session = model.CreateSession(4, 16);
        float[] x = TestData.Uniform(4 * 16 * SoftmaxManyToMany.InputSize, 2);
        int[] y = TestData.Classes(4 * 16, SoftmaxManyToMany.OutputSize, 3);
        int[] lengths = { 16, 9, 1, 12 };
        float[] stepInput = TestData.Uniform(4 * SoftmaxManyToMany.InputSize, 4);
        var adam = new RnnGen.Training.Adam(SoftmaxManyToMany.ParameterCount, learningRate: 1e-3f);

        void Work()
        {
            session.Forward(x, 4, 16, lengths);
            session.Loss(y);
            session.Backward();
            RnnGen.Training.ModelTrainingExtensions.ApplyGradients(model, adam, maxGradientNorm: 1f);
            session.Forward(x, 4, 16, lengths);
            session.Backward(default, default, default, computeInputGradient: true);
            session.Step(stepInput, 4);
        }

        // two warm-up calls: JIT, tiering, the GEMM's thread-local packing buffers
        Assert.Equal(0, SteadyState.AllocatedBytes(Work, callsPerWindow: 5, warmUpCalls: 2));
    }

    [Fact]
    public void Streaming_steps_equal_forward_over_the_whole_sequence()
    {
        var model = new LinearManyToMany(seed: 4);
        var session = model.CreateSession(2, 7);
        const int T = 7;
        float[] x = TestData.Uniform(2 * T * LinearManyToMany.InputSize, 5);
        session.Forward(x, 2, T);
        float[] full = session.HeadOutput.ToArray();
        float[] finalHidden = session.FinalHidden.ToArray();

        var streaming = model.CreateSession(2, 1);
        streaming.ResetState();
        var stepInput = new float[2 * LinearManyToMany.InputSize];
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < 2; b++)
            {
                x.AsSpan((b * T + t) * LinearManyToMany.InputSize, LinearManyToMany.InputSize).CopyTo(stepInput.AsSpan(b * LinearManyToMany.InputSize));
            }
            streaming.Step(stepInput, 2);
            for (int b = 0; b < 2; b++)
            {
                for (int o = 0; o < LinearManyToMany.OutputSize; o++)
                {
                    Assert.Equal(full[(b * T + t) * LinearManyToMany.OutputSize + o], streaming.HeadOutput[b * LinearManyToMany.OutputSize + o], 5);
                }
            }
        }
        Assert.Equal(finalHidden, streaming.FinalHidden.ToArray(), (a, b) => MathF.Abs(a - b) < 1e-5f);

        // Resetting one sequence restarts it alone.
        streaming.ResetState(1);
        x.AsSpan(0, LinearManyToMany.InputSize).CopyTo(stepInput);
        x.AsSpan(T * LinearManyToMany.InputSize, LinearManyToMany.InputSize).CopyTo(stepInput.AsSpan(LinearManyToMany.InputSize));
        streaming.Step(stepInput, 2);
        for (int o = 0; o < LinearManyToMany.OutputSize; o++)
        {
            Assert.Equal(full[(1 * T + 0) * LinearManyToMany.OutputSize + o], streaming.HeadOutput[LinearManyToMany.OutputSize + o], 5);
        }
    }

    [Fact]
    public void Outputs_past_each_length_are_zero()
    {
        var model = new GruEncoder(seed: 2);
        var session = model.CreateSession(3, 5);
        session.Forward(TestData.Uniform(3 * 5 * 3, 1), 3, 5, new[] { 5, 2, 4 });
        float[] y = session.Output.ToArray();
        Assert.All(y.AsSpan(1 * 5 * 8 + 2 * 8, 3 * 8).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(y.AsSpan(2 * 5 * 8 + 4 * 8, 8).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(y.AsSpan(1 * 5 * 8 + 1 * 8, 8).ToArray(), v => v != 0f);
    }

    [Fact]
    public void Save_then_load_roundtrips_and_another_architecture_is_refused_without_changes()
    {
        string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnngen-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            string path = System.IO.Path.Combine(directory, "model.safetensors");
            var model = new LstmClassifier(seed: 9);
            model.Save(path);
            Assert.Equal(model.Parameters, LstmClassifier.Load(path).Parameters);

            var other = new LinearManyToOne(seed: 2);
            float[] before = (float[])other.Parameters.Clone();
            var error = Assert.ThrowsAny<Exception>(() => RnnGen.Serialization.ModelSerializer.Load(other, path));
            Assert.Contains(LstmClassifier.ArchitectureDescription, error.Message);
            Assert.Contains(LinearManyToOne.ArchitectureDescription, error.Message);
            Assert.Equal(before, other.Parameters);

            byte[] bytes = System.IO.File.ReadAllBytes(path);
            System.IO.File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 10).ToArray());
            var truncated = Assert.ThrowsAny<Exception>(() => LstmClassifier.Load(path));
            Assert.Contains("model.safetensors", truncated.Message);
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Bad_input_names_what_was_wrong()
    {
        var model = new LstmClassifier();
        var session = model.CreateSession(2, 4);
        float[] x = new float[2 * 4 * 3];

        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(new float[3 * 4 * 3], 3, 4));
        Assert.Equal("batch", e1.ParamName);
        Assert.Contains("1..2", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(new float[2 * 5 * 3], 2, 5));
        Assert.Equal("steps", e2.ParamName);
        var e3 = Assert.Throws<ArgumentException>(() => session.Forward(new float[7], 2, 4));
        Assert.Equal("input", e3.ParamName);
        Assert.Contains("24", e3.Message);
        Assert.Contains("7", e3.Message);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(x, 2, 4, new[] { 4, 0 }));
        Assert.Contains("lengths[1]", e4.Message);
        var e5 = Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(x, 2, 4, new[] { 5, 1 }));
        Assert.Contains("lengths[0] in 1..4", e5.Message);
        var e6 = Assert.Throws<ArgumentException>(() => session.Forward(x, 2, 4, new[] { 4 }));
        Assert.Equal("lengths", e6.ParamName);

        x[1 * 4 * 3 + 2 * 3 + 1] = float.NaN;
        var e7 = Assert.Throws<ArgumentException>(() => session.Forward(x, 2, 4));
        Assert.Contains("input[1, 2, 1] is NaN", e7.Message);
        session.Forward(x, 2, 4, new[] { 4, 2 }); // NaN sits in padding: ignored

        var e8 = Assert.Throws<ArgumentException>(() => session.Loss(new[] { 1, 2, 3 }));
        Assert.Equal("targets", e8.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Loss(new[] { 1, 5 }));

        var fresh = model.CreateSession(1, 1);
        var e9 = Assert.Throws<InvalidOperationException>(() => fresh.Backward());
        Assert.Contains("Forward", e9.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateSession(0, 4));
    }
}
