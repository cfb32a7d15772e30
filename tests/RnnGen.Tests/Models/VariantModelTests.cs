using System;
using System.IO;
using System.Linq;
using RnnGen.Serialization;
using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Models;

/// <summary>Peepholes, projection, layer norm, the reset-before GRU and recurrent dropout through generated models.</summary>
public class VariantModelTests(ITestOutputHelper log)
{
    private const int B = 3, T = 5;
    private static readonly int[] Lengths = { 5, 2, 4 };

    [Theory]
    [InlineData("lstm_proj_l1_bi_unequal_h0")]
    [InlineData("lstm_proj_l2_bi_unequal_h0")]
    public void Projection_lstm_matches_pytorch_proj_size(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(AppContext.BaseDirectory, "fixtures", "variants", name + ".safetensors"));
        IRnnNetwork model = name.Contains("_l1_") ? new ProjectionLstmL1() : new ProjectionLstmL2();
        model.Load(file, allowUnexpectedTensors: true);
        int[] lengths = file.ReadInt64s("lengths").Select(v => (int)v).ToArray();
        IRnnSession session = model.CreateSession(B, T);
        session.Forward(file.ReadFloats("input"), B, T, lengths, file.ReadFloats("h_0"), file.ReadFloats("c_0"));
        Close("output", session.Output, file.ReadFloats("output"));
        Close("h_n", session.FinalHidden, file.ReadFloats("h_n"));
        Close("c_n", session.FinalCell, file.ReadFloats("c_n"));
        Array.Clear(model.Gradients);
        session.Backward(file.ReadFloats("grad_output"), file.ReadFloats("grad_h_n"), file.ReadFloats("grad_c_n"), computeInputGradient: true);
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            Close("grad." + tensor.Name, model.Gradients.AsSpan(tensor.Offset, tensor.Length), file.ReadFloats("grad." + tensor.Name));
        }
        Close("grad_input", session.InputGradient, file.ReadFloats("grad_input"));
        Close("grad_h_0", session.InitialHiddenGradient, file.ReadFloats("grad_h_0"));
        Close("grad_c_0", session.InitialCellGradient, file.ReadFloats("grad_c_0"));
    }

    [Fact]
    public void Peepholes_layer_norm_and_projection_gradients()
    {
        var model = new PeepholeLayerNormLstm(seed: 2);
        Assert.Contains(model.ParameterTensors, t => t.Name == "rnn.weight_peephole_l1" && t.ShapeText == "[3, 5]");
        Assert.Contains(model.ParameterTensors, t => t.Name == "rnn.layer_norm_cell_weight_l0" && t.ShapeText == "[5]");
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 4);
        int[] y = TestData.Classes(B, 3, 5);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Reset_before_gru_gradients()
    {
        var model = new ResetBeforeGru(seed: 2);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 4);
        float[] y = TestData.Uniform(B * T * 2, 5);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Recurrent_dropout_fixed_mask_gradients_and_inference_is_deterministic()
    {
        var model = new LayerNormDropoutGru(seed: 2);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 4);
        float[] y = TestData.Uniform(B * T * 2, 5);
        session.Forward(x, B, T, Lengths);
        float inference = session.Loss(y);
        session.Forward(x, B, T, Lengths);
        Assert.Equal(inference, session.Loss(y));
        session.Training = true;
        session.SeedDropout(3);
        session.Forward(x, B, T, Lengths);
        Assert.NotEqual(inference, session.Loss(y));
        Check(model, () => { session.SeedDropout(11); session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);

        var lstm = new PeepholeRecurrentDropoutLstm(seed: 2);
        var lstmSession = lstm.CreateSession(B, T);
        lstmSession.Training = true;
        float[] target = TestData.Uniform(B * 2, 6);
        Check(lstm, () => { lstmSession.SeedDropout(5); lstmSession.Forward(x, B, T, Lengths); return lstmSession.Loss(target); }, lstmSession.Backward);
    }

    [Fact]
    public void Variant_streaming_equals_forward()
    {
        var model = new PeepholeRecurrentDropoutLstm(seed: 8);
        var session = model.CreateSession(1, 5);
        float[] x = TestData.Uniform(5 * 3, 4);
        var stream = model.CreateSession(1, 1);
        for (int t = 0; t < 5; t++)
        {
            session.Forward(x.AsSpan(0, (t + 1) * 3), 1, t + 1);
            stream.Step(x.AsSpan(t * 3, 3), 1);
            Assert.Equal(session.HeadOutput[0], stream.HeadOutput[0], 5);
            Assert.Equal(session.HeadOutput[1], stream.HeadOutput[1], 5);
        }
    }

    private void Check(IRnnModel model, Func<float> loss, Action backward) =>
        GradientCheck.Assert(log, model, loss, backward, tolerance: 3e-2, epsilon: 5e-3f);

    private void Close(string what, ReadOnlySpan<float> ours, float[] torch) => Reference.AssertClose(log, what, ours, torch);
}
