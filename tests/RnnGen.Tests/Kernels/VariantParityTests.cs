using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.Kernels;
using RnnGen.Serialization;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// PyTorch parity of <see cref="LstmVariantLayer"/> with a projection against torch.nn.LSTM(proj_size=P)
/// (fixtures from tests/fixtures/variants/make_variant_fixtures.py: bidirectional, packed unequal lengths,
/// nonzero h0/c0, 1 and 2 layers). The test runs the kernel layer by layer and direction by direction,
/// feeding each layer the concatenated [B, T, 2P] outputs of the one below, and backpropagates the same way.
/// </summary>
public class VariantParityTests(ITestOutputHelper log)
{
    /// <summary>Element-wise |ours − torch| ≤ 1e-4 · max(|torch|, 1e-2 · max|torch over the tensor|).</summary>
    private const double RelativeTolerance = 1e-4;

    private static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "fixtures", "variants");

    [Theory]
    [InlineData("lstm_proj_l1_bi_unequal_h0")]
    [InlineData("lstm_proj_l2_bi_unequal_h0")]
    public void Projection_lstm_matches_pytorch(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(FixtureDirectory, name + ".safetensors"));
        int batch = int.Parse(file.Metadata["batch"]), steps = int.Parse(file.Metadata["steps"]);
        int inputSize = int.Parse(file.Metadata["input_size"]), hidden = int.Parse(file.Metadata["hidden_size"]);
        int proj = int.Parse(file.Metadata["proj_size"]), layers = int.Parse(file.Metadata["num_layers"]);
        const int directions = 2;
        var options = new LstmVariantOptions(ProjectionSize: proj);
        int[] lengths = file.ReadInt64s("lengths").Select(v => (int)v).ToArray();
        float[] input = file.ReadFloats("input");
        float[] h0All = file.ReadFloats("h_0"), c0All = file.ReadFloats("c_0");
        int bp = batch * proj, bh = batch * hidden;

        var outputs = new float[layers][];
        var caches = new float[layers, directions][];
        var hN = new float[layers * directions * bp];
        var cN = new float[layers * directions * bh];
        string Key(string tensor, int l, int d) => $"rnn.{tensor}_l{l}{(d == 1 ? "_reverse" : "")}";
        LstmVariantWeights Weights(int l, int d) => new(
            new RecurrentWeights(file.ReadFloats(Key("weight_ih", l, d)), file.ReadFloats(Key("weight_hh", l, d)),
                file.ReadFloats(Key("bias_ih", l, d)), file.ReadFloats(Key("bias_hh", l, d))),
            projection: file.ReadFloats(Key("weight_hr", l, d)));

        for (int l = 0; l < layers; l++)
        {
            int inSize = l == 0 ? inputSize : directions * proj;
            float[] x = l == 0 ? input : outputs[l - 1];
            var dims = new LayerDims(batch, steps, inSize, hidden);
            outputs[l] = new float[batch * steps * directions * proj];
            for (int d = 0; d < directions; d++)
            {
                int k = l * directions + d;
                caches[l, d] = new float[LstmVariantLayer.CacheLength(batch, steps, hidden, options)];
                LstmVariantLayer.Forward(dims, options, d == 1, lengths, x, Weights(l, d), default,
                    h0All.AsSpan(k * bp, bp), c0All.AsSpan(k * bh, bh),
                    outputs[l].AsSpan(d * proj), directions * proj, hN.AsSpan(k * bp, bp), cN.AsSpan(k * bh, bh), caches[l, d]);
            }
        }

        var failures = new List<string>();
        Compare("output", outputs[layers - 1], file.ReadFloats("output"), failures);
        Compare("h_n", hN, file.ReadFloats("h_n"), failures);
        Compare("c_n", cN, file.ReadFloats("c_n"), failures);

        float[] dy = file.ReadFloats("grad_output");
        float[] dhNAll = file.ReadFloats("grad_h_n"), dcNAll = file.ReadFloats("grad_c_n");
        var dh0 = new float[layers * directions * bp];
        var dc0 = new float[layers * directions * bh];
        var scratch = new float[LstmVariantLayer.ScratchLength(batch, steps, hidden, options)];
        for (int l = layers - 1; l >= 0; l--)
        {
            int inSize = l == 0 ? inputSize : directions * proj;
            float[] x = l == 0 ? input : outputs[l - 1];
            var dims = new LayerDims(batch, steps, inSize, hidden);
            var dx = new float[batch * steps * inSize];
            for (int d = 0; d < directions; d++)
            {
                int k = l * directions + d;
                var gWih = new float[4 * hidden * inSize];
                var gWhh = new float[4 * hidden * proj];
                var gBih = new float[4 * hidden];
                var gBhh = new float[4 * hidden];
                var gWhr = new float[proj * hidden];
                LstmVariantLayer.Backward(dims, options, d == 1, lengths, x, Weights(l, d), default,
                    h0All.AsSpan(k * bp, bp), c0All.AsSpan(k * bh, bh), caches[l, d],
                    dy.AsSpan(d * proj), directions * proj, dhNAll.AsSpan(k * bp, bp), dcNAll.AsSpan(k * bh, bh),
                    new LstmVariantGradients(new RecurrentGradients(gWih, gWhh, gBih, gBhh), projection: gWhr),
                    dx, dh0.AsSpan(k * bp, bp), dc0.AsSpan(k * bh, bh), scratch);
                Compare("grad." + Key("weight_ih", l, d), gWih, file.ReadFloats("grad." + Key("weight_ih", l, d)), failures);
                Compare("grad." + Key("weight_hh", l, d), gWhh, file.ReadFloats("grad." + Key("weight_hh", l, d)), failures);
                Compare("grad." + Key("bias_ih", l, d), gBih, file.ReadFloats("grad." + Key("bias_ih", l, d)), failures);
                Compare("grad." + Key("bias_hh", l, d), gBhh, file.ReadFloats("grad." + Key("bias_hh", l, d)), failures);
                Compare("grad." + Key("weight_hr", l, d), gWhr, file.ReadFloats("grad." + Key("weight_hr", l, d)), failures);
            }
            dy = dx; // gradient on this layer's input = the concatenated outputs of the layer below
        }
        Compare("grad_input", dy, file.ReadFloats("grad_input"), failures);
        Compare("grad_h_0", dh0, file.ReadFloats("grad_h_0"), failures);
        Compare("grad_c_0", dc0, file.ReadFloats("grad_c_0"), failures);
        Assert.True(failures.Count == 0, name + ": " + string.Join("; ", failures));
    }

    private void Compare(string what, ReadOnlySpan<float> ours, float[] torch, List<string> failures)
    {
        if (ours.Length != torch.Length)
        {
            failures.Add($"{what}: {ours.Length} values, PyTorch has {torch.Length}");
            return;
        }
        double largest = 0;
        foreach (float v in torch) largest = Math.Max(largest, Math.Abs(v));
        double maxDiff = 0, maxRel = 0;
        int bad = 0;
        for (int k = 0; k < torch.Length; k++)
        {
            double diff = Math.Abs(ours[k] - (double)torch[k]);
            double scale = Math.Max(Math.Abs(torch[k]), 1e-2 * largest);
            maxDiff = Math.Max(maxDiff, diff);
            if (scale > 0) maxRel = Math.Max(maxRel, diff / scale);
            if (diff > RelativeTolerance * scale) bad++;
        }
        log.WriteLine($"{what}: max |diff| = {maxDiff:E2}, max relative = {maxRel:E2} (largest |torch| {largest:G4})");
        if (bad > 0) failures.Add($"{what}: {bad} values off (max |diff| {maxDiff:E2}, relative {maxRel:E2})");
    }
}
