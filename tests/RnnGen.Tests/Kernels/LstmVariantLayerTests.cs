using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// Owns every buffer of one direction of one variant LSTM layer. y/dy live in a [B·T, 2S] buffer at
/// column block <see cref="YOffset"/> (ldy = 2S), like one direction of a bidirectional layer.
/// </summary>
internal sealed class LstmVariantHarness : IVariantLayer
{
    public readonly LayerDims Dims;
    public readonly LstmVariantOptions Options;
    public readonly bool Reverse;
    public readonly int[] Lengths;
    public readonly int S, Ldy, YOffset;

    public readonly float[] Wih, Whh, Bih, Bhh, Peep, Whr, LnGw, LnGb, LnCw, LnCb, X, H0, C0, Mask;
    public readonly float[] Cache, Scratch;
    public readonly float[] DWih, DWhh, DBih, DBhh, DPeep, DWhr, DLnGw, DLnGb, DLnCw, DLnCb, DX, DH0, DC0;
    public float[] Y { get; }
    public float[] HN { get; }
    public float[] CN { get; }

    public LstmVariantHarness(LayerDims dims, LstmVariantOptions options, bool reverse, int[] lengths, int seed,
        bool withH0 = true, bool withMask = false)
    {
        Dims = dims;
        Options = options;
        Reverse = reverse;
        Lengths = lengths;
        int b = dims.Batch, t = dims.Steps, i = dims.InputSize, h = dims.HiddenSize, g4 = 4 * h;
        S = options.StateSize(h);
        Ldy = 2 * S;
        YOffset = reverse ? S : 0;
        var rng = new Random(seed);
        Wih = VariantFill.Uniform(rng, g4 * i, 0.6f);
        Whh = VariantFill.Uniform(rng, g4 * S, 0.6f);
        Bih = VariantFill.Uniform(rng, g4, 0.4f);
        Bhh = VariantFill.Uniform(rng, g4, 0.4f);
        Peep = options.Peepholes ? VariantFill.Uniform(rng, 3 * h, 0.6f) : Array.Empty<float>();
        Whr = options.ProjectionSize > 0 ? VariantFill.Uniform(rng, S * h, 0.6f) : Array.Empty<float>();
        LnGw = options.LayerNorm ? VariantFill.Uniform(rng, g4, 0.3f, 1f) : Array.Empty<float>();
        LnGb = options.LayerNorm ? VariantFill.Uniform(rng, g4, 0.3f) : Array.Empty<float>();
        LnCw = options.LayerNorm ? VariantFill.Uniform(rng, h, 0.3f, 1f) : Array.Empty<float>();
        LnCb = options.LayerNorm ? VariantFill.Uniform(rng, h, 0.3f) : Array.Empty<float>();
        X = VariantFill.Uniform(rng, b * t * i, 1f);
        H0 = withH0 ? VariantFill.Uniform(rng, b * S, 0.7f) : Array.Empty<float>();
        C0 = withH0 ? VariantFill.Uniform(rng, b * h, 1f) : Array.Empty<float>();
        Mask = withMask ? VariantFill.DropoutMask(rng, b, S, 0.3) : Array.Empty<float>();
        Y = new float[b * t * Ldy];
        HN = new float[b * S];
        CN = new float[b * h];
        Cache = new float[LstmVariantLayer.CacheLength(b, t, h, options)];
        Scratch = new float[LstmVariantLayer.ScratchLength(b, t, h, options)];
        DWih = new float[Wih.Length];
        DWhh = new float[Whh.Length];
        DBih = new float[Bih.Length];
        DBhh = new float[Bhh.Length];
        DPeep = new float[Peep.Length];
        DWhr = new float[Whr.Length];
        DLnGw = new float[LnGw.Length];
        DLnGb = new float[LnGb.Length];
        DLnCw = new float[LnCw.Length];
        DLnCb = new float[LnCb.Length];
        DX = new float[X.Length];
        DH0 = new float[b * S];
        DC0 = new float[b * h];
    }

    public LstmVariantWeights Weights => new(new RecurrentWeights(Wih, Whh, Bih, Bhh), Peep, Whr, LnGw, LnGb, LnCw, LnCb);

    public LstmVariantGradients Gradients => new(new RecurrentGradients(DWih, DWhh, DBih, DBhh), DPeep, DWhr, DLnGw, DLnGb, DLnCw, DLnCb);

    public void Forward() =>
        LstmVariantLayer.Forward(Dims, Options, Reverse, Lengths, X, Weights, Mask, H0, C0, Y.AsSpan(YOffset), Ldy, HN, CN, Cache);

    public void Backward(float[] dy, float[] dhN, float[] dcN, bool wantDx = true, bool wantDh0 = true)
    {
        ReadOnlySpan<float> dySpan = dy.Length == 0 ? ReadOnlySpan<float>.Empty : dy.AsSpan(YOffset);
        LstmVariantLayer.Backward(Dims, Options, Reverse, Lengths, X, Weights, Mask, H0, C0, Cache, dySpan, Ldy, dhN, dcN,
            Gradients, wantDx ? DX : Span<float>.Empty, wantDh0 ? DH0 : Span<float>.Empty, wantDh0 ? DC0 : Span<float>.Empty, Scratch);
    }

    public IReadOnlyList<(string Name, float[] Value, float[] Grad, bool Accumulates)> Tensors
    {
        get
        {
            var list = new List<(string, float[], float[], bool)>
            {
                ("weight_ih", Wih, DWih, true), ("weight_hh", Whh, DWhh, true),
                ("bias_ih", Bih, DBih, true), ("bias_hh", Bhh, DBhh, true),
                ("weight_peephole", Peep, DPeep, true), ("weight_hr", Whr, DWhr, true),
                ("layer_norm_gates_weight", LnGw, DLnGw, true), ("layer_norm_gates_bias", LnGb, DLnGb, true),
                ("layer_norm_cell_weight", LnCw, DLnCw, true), ("layer_norm_cell_bias", LnCb, DLnCb, true),
                ("x", X, DX, true),
            };
            if (H0.Length > 0)
            {
                list.Add(("h0", H0, DH0, false));
                list.Add(("c0", C0, DC0, false));
            }
            return list;
        }
    }

    public float YAt(int b, int t, int j) => Y[(b * Dims.Steps + t) * Ldy + YOffset + j];

    /// <summary>
    /// Naive double-precision reference of the documented equations, one sequence at a time.
    /// Returns y [B, T, S] (zeros past the length), hN [B, S], cN [B, H].
    /// </summary>
    public (double[] Y, double[] HN, double[] CN) Reference()
    {
        int batch = Dims.Batch, steps = Dims.Steps, inSize = Dims.InputSize, h = Dims.HiddenSize, sw = S;
        bool peep = Options.Peepholes, proj = Options.ProjectionSize > 0, ln = Options.LayerNorm;
        var y = new double[batch * steps * sw];
        var hNOut = new double[batch * sw];
        var cNOut = new double[batch * h];
        for (int b = 0; b < batch; b++)
        {
            var hs = new double[sw];
            var cs = new double[h];
            for (int j = 0; j < sw; j++) hs[j] = H0.Length > 0 ? H0[b * sw + j] : 0;
            for (int j = 0; j < h; j++) cs[j] = C0.Length > 0 ? C0[b * h + j] : 0;
            int len = Lengths[b];
            for (int k = 0; k < len; k++)
            {
                int t = Reverse ? len - 1 - k : k;
                var a = new double[4 * h];
                for (int gRow = 0; gRow < 4 * h; gRow++)
                {
                    double v = Bih[gRow] + Bhh[gRow];
                    for (int q = 0; q < inSize; q++) v += Wih[gRow * inSize + q] * (double)X[(b * steps + t) * inSize + q];
                    for (int q = 0; q < sw; q++) v += Whh[gRow * sw + q] * hs[q] * (Mask.Length > 0 ? Mask[b * sw + q] : 1.0);
                    a[gRow] = v;
                }
                if (ln)
                {
                    for (int blk = 0; blk < 4; blk++) Normalize(a, blk * h, h, LnGw, LnGb, blk * h);
                }
                var cNew = new double[h];
                var rOut = new double[h];
                for (int j = 0; j < h; j++)
                {
                    double i = Sigmoid(a[j] + (peep ? Peep[j] * cs[j] : 0));
                    double f = Sigmoid(a[h + j] + (peep ? Peep[h + j] * cs[j] : 0));
                    double g = Math.Tanh(a[2 * h + j]);
                    cNew[j] = f * cs[j] + i * g;
                }
                var cNorm = (double[])cNew.Clone();
                if (ln) Normalize(cNorm, 0, h, LnCw, LnCb, 0);
                for (int j = 0; j < h; j++)
                {
                    double o = Sigmoid(a[3 * h + j] + (peep ? Peep[2 * h + j] * cNew[j] : 0));
                    rOut[j] = o * Math.Tanh(cNorm[j]);
                }
                var hNew = new double[sw];
                for (int p = 0; p < sw; p++)
                {
                    if (!proj) { hNew[p] = rOut[p]; continue; }
                    double v = 0;
                    for (int j = 0; j < h; j++) v += Whr[p * h + j] * rOut[j];
                    hNew[p] = v;
                }
                hs = hNew;
                cs = cNew;
                Array.Copy(hs, 0, y, (b * steps + t) * sw, sw);
            }
            Array.Copy(hs, 0, hNOut, b * sw, sw);
            Array.Copy(cs, 0, cNOut, b * h, h);
        }
        return (y, hNOut, cNOut);
    }

    internal static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    internal static void Normalize(double[] a, int offset, int n, float[] gamma, float[] beta, int paramOffset)
    {
        double mean = 0;
        for (int j = 0; j < n; j++) mean += a[offset + j];
        mean /= n;
        double variance = 0;
        for (int j = 0; j < n; j++) variance += (a[offset + j] - mean) * (a[offset + j] - mean);
        variance /= n;
        double rstd = 1.0 / Math.Sqrt(variance + 1e-5);
        for (int j = 0; j < n; j++) a[offset + j] = gamma[paramOffset + j] * (a[offset + j] - mean) * rstd + beta[paramOffset + j];
    }
}

/// <summary>Behaviour of <see cref="LstmVariantLayer"/>: equations, option-off equivalence, allocation, validation.</summary>
public class LstmVariantLayerTests
{
    private static readonly LayerDims Dims = new(Batch: 3, Steps: 5, InputSize: 3, HiddenSize: 9);
    private static readonly int[] Lengths = { 5, 2, 4 };

    public static IEnumerable<object[]> OptionCases()
    {
        foreach (bool peep in new[] { false, true })
        foreach (bool proj in new[] { false, true })
        foreach (bool ln in new[] { false, true })
        foreach (bool mask in new[] { false, true })
        foreach (bool reverse in new[] { false, true })
        {
            yield return new object[] { peep, proj, ln, mask, reverse };
        }
    }

    [Theory]
    [MemberData(nameof(OptionCases))]
    public void Forward_matches_a_naive_double_reference(bool peepholes, bool projection, bool layerNorm, bool mask, bool reverse)
    {
        var options = new LstmVariantOptions(peepholes, projection ? 4 : 0, layerNorm);
        var layer = new LstmVariantHarness(Dims, options, reverse, Lengths, seed: 77, withMask: mask);
        Array.Fill(layer.Y, float.NaN);
        Array.Fill(layer.Cache, float.NaN);
        layer.Forward();
        var (y, hN, cN) = layer.Reference();
        for (int b = 0; b < Dims.Batch; b++)
        for (int t = 0; t < Dims.Steps; t++)
        for (int j = 0; j < layer.S; j++)
        {
            AssertClose(y[(b * Dims.Steps + t) * layer.S + j], layer.YAt(b, t, j), $"y[{b},{t},{j}]");
        }
        for (int k = 0; k < hN.Length; k++) AssertClose(hN[k], layer.HN[k], $"hN[{k}]");
        for (int k = 0; k < cN.Length; k++) AssertClose(cN[k], layer.CN[k], $"cN[{k}]");
    }

    private static void AssertClose(double expected, float actual, string what)
    {
        Assert.True(Math.Abs(expected - actual) <= 2e-5 * Math.Max(1.0, Math.Abs(expected)),
            $"{what}: expected {expected:G9}, got {actual:G9}");
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void With_all_options_off_equals_the_standard_LstmLayer(bool reverse, bool withH0)
    {
        var v = new LstmVariantHarness(Dims, default, reverse, Lengths, seed: 5, withH0: withH0);
        var rng = new Random(3);
        float[] dy = VariantFill.Uniform(rng, v.Y.Length, 1f);
        float[] dhN = VariantFill.Uniform(rng, v.HN.Length, 1f);
        float[] dcN = VariantFill.Uniform(rng, v.CN.Length, 1f);
        v.Forward();
        v.Backward(dy, dhN, dcN);

        int b = Dims.Batch, t = Dims.Steps, h = Dims.HiddenSize;
        var y = new float[v.Y.Length];
        var hN = new float[b * h];
        var cN = new float[b * h];
        var cache = new float[LstmLayer.CacheLength(b, t, h)];
        var scratch = new float[LstmLayer.ScratchLength(b, t, h)];
        var w = new RecurrentWeights(v.Wih, v.Whh, v.Bih, v.Bhh);
        var dWih = new float[v.Wih.Length];
        var dWhh = new float[v.Whh.Length];
        var dBih = new float[v.Bih.Length];
        var dBhh = new float[v.Bhh.Length];
        var dx = new float[v.X.Length];
        var dh0 = new float[b * h];
        var dc0 = new float[b * h];
        LstmLayer.Forward(Dims, reverse, Lengths, v.X, w, v.H0, v.C0, y.AsSpan(v.YOffset), v.Ldy, hN, cN, cache);
        LstmLayer.Backward(Dims, reverse, Lengths, v.X, w, v.H0, v.C0, cache, dy.AsSpan(v.YOffset), v.Ldy, dhN, dcN,
            new RecurrentGradients(dWih, dWhh, dBih, dBhh), dx, dh0, dc0, scratch);

        VariantAssert.Same(y, v.Y, "y");
        VariantAssert.Same(hN, v.HN, "hN");
        VariantAssert.Same(cN, v.CN, "cN");
        VariantAssert.Same(dWih, v.DWih, "dW_ih");
        VariantAssert.Same(dWhh, v.DWhh, "dW_hh");
        VariantAssert.Same(dBih, v.DBih, "db_ih");
        VariantAssert.Same(dBhh, v.DBhh, "db_hh");
        VariantAssert.Same(dx, v.DX, "dx");
        VariantAssert.Same(dh0, v.DH0, "dh0");
        VariantAssert.Same(dc0, v.DC0, "dc0");
    }

    [Fact]
    public void A_mask_of_ones_equals_no_mask()
    {
        var options = new LstmVariantOptions(true, 4, true);
        var plain = new LstmVariantHarness(Dims, options, reverse: false, Lengths, seed: 9);
        var ones = new LstmVariantHarness(Dims, options, reverse: false, Lengths, seed: 9, withMask: true);
        Array.Fill(ones.Mask, 1f);
        var rng = new Random(4);
        float[] dy = VariantFill.Uniform(rng, plain.Y.Length, 1f);
        float[] dhN = VariantFill.Uniform(rng, plain.HN.Length, 1f);
        float[] dcN = VariantFill.Uniform(rng, plain.CN.Length, 1f);
        foreach (var l in new[] { plain, ones })
        {
            l.Forward();
            l.Backward(dy, dhN, dcN);
        }
        VariantAssert.Same(plain.Y, ones.Y, "y");
        VariantAssert.Same(plain.DWhh, ones.DWhh, "dW_hh");
        VariantAssert.Same(plain.DH0, ones.DH0, "dh0");
        VariantAssert.Same(plain.DWhr, ones.DWhr, "dW_hr");
    }

    [Fact]
    public void Streaming_state_may_alias_and_padding_is_ignored()
    {
        var options = new LstmVariantOptions(true, 4, true);
        var reference = new LstmVariantHarness(Dims, options, reverse: true, Lengths, seed: 12, withMask: true);
        var aliased = new LstmVariantHarness(Dims, options, reverse: true, Lengths, seed: 12, withMask: true);
        reference.Forward();
        float[] state = (float[])aliased.H0.Clone();
        float[] cell = (float[])aliased.C0.Clone();
        LstmVariantLayer.Forward(Dims, options, true, Lengths, aliased.X, aliased.Weights, aliased.Mask, state, cell,
            aliased.Y.AsSpan(aliased.YOffset), aliased.Ldy, state, cell, aliased.Cache);
        VariantAssert.Same(reference.HN, state, "hN aliasing h0");
        VariantAssert.Same(reference.CN, cell, "cN aliasing c0");
        for (int b = 0; b < Dims.Batch; b++)
        for (int t = Lengths[b]; t < Dims.Steps; t++)
        for (int j = 0; j < reference.S; j++)
        {
            Assert.Equal(0f, reference.YAt(b, t, j));
        }
    }

    [Fact]
    public void Forward_and_backward_do_not_allocate_after_warm_up()
    {
        var layer = new LstmVariantHarness(Dims, new LstmVariantOptions(true, 4, true), reverse: true, Lengths, seed: 4, withMask: true);
        var rng = new Random(1);
        float[] dy = VariantFill.Uniform(rng, layer.Y.Length, 1f);
        float[] dhN = VariantFill.Uniform(rng, layer.HN.Length, 1f);
        float[] dcN = VariantFill.Uniform(rng, layer.CN.Length, 1f);
        for (int k = 0; k < 3; k++)
        {
            layer.Forward();
            layer.Backward(dy, dhN, dcN);
        }
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            layer.Forward();
            layer.Backward(dy, dhN, dcN);
            layer.Backward(Array.Empty<float>(), Array.Empty<float>(), Array.Empty<float>(), wantDx: false, wantDh0: false);
        }, callsPerWindow: 10, warmUpCalls: 0));
    }

    /// <summary>The buffer sizes documented in docs/kernels-variants.md.</summary>
    [Theory]
    [InlineData(false, 0, false)]
    [InlineData(true, 3, false)]
    [InlineData(false, 0, true)]
    [InlineData(true, 5, true)]
    public void Cache_and_scratch_lengths_match_the_documented_formulas(bool peepholes, int projection, bool layerNorm)
    {
        int b = 3, t = 7, h = 8, bt = b * t;
        var o = new LstmVariantOptions(peepholes, projection, layerNorm);
        int s = o.StateSize(h);
        int cache = bt * (7 * h + s) + (projection > 0 ? bt * h : 0) + (layerNorm ? bt * (5 * h + 5) : 0) + b * (2 * s + h) + 4 * h;
        int scratch = bt * (4 * h + s) + (projection > 0 ? bt * projection + b * h : 0) + b * (2 * s + h) + 18 * h;
        Assert.Equal(cache, LstmVariantLayer.CacheLength(b, t, h, o));
        Assert.Equal(scratch, LstmVariantLayer.ScratchLength(b, t, h, o));
        var g = new GruVariantOptions(peepholes, layerNorm);
        Assert.Equal(5 * bt * h + (layerNorm ? bt * (3 * h + 3) : 0) + 5 * b * h, GruVariantLayer.CacheLength(b, t, h, g));
        Assert.Equal(7 * bt * h + 3 * b * h + 9 * h, GruVariantLayer.ScratchLength(b, t, h, g));
    }

    [Fact]
    public void Invalid_arguments_are_reported_by_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LstmVariantLayer.CacheLength(2, 3, 4, new LstmVariantOptions(ProjectionSize: 4)));
        var layer = new LstmVariantHarness(Dims, new LstmVariantOptions(true, 4, true), reverse: false, Lengths, seed: 1);
        var ex = Assert.Throws<ArgumentException>(() =>
            LstmVariantLayer.Forward(Dims, layer.Options, false, Lengths, layer.X,
                new LstmVariantWeights(new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh), layer.Peep),
                default, default, default, layer.Y, layer.Ldy, default, default, layer.Cache));
        Assert.Equal("weights.Projection", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() =>
            LstmVariantLayer.Forward(Dims, layer.Options, false, Lengths, layer.X, layer.Weights, new float[3],
                default, default, layer.Y, layer.Ldy, default, default, layer.Cache));
        Assert.Equal("recurrentMask", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() =>
            LstmVariantLayer.Forward(Dims, layer.Options, false, Lengths, layer.X, layer.Weights, default,
                new float[Dims.Batch * layer.S - 1], default, layer.Y, layer.Ldy, default, default, layer.Cache));
        Assert.Equal("h0", ex.ParamName);
    }
}

internal static class VariantAssert
{
    /// <summary>|expected − actual| ≤ 1e-5·max(1, |expected|) elementwise (float rounding only).</summary>
    public static void Same(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-5 * Math.Max(1.0, Math.Abs(expected[k])),
                $"{what}[{k}]: expected {expected[k]:G9}, got {actual[k]:G9}");
        }
    }
}
