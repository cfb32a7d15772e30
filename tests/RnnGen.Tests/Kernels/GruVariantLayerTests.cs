using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>Owns every buffer of one direction of one variant GRU layer (y in a [B·T, 2H] buffer, ldy = 2H).</summary>
internal sealed class GruVariantHarness : IVariantLayer
{
    public readonly LayerDims Dims;
    public readonly GruVariantOptions Options;
    public readonly bool Reverse;
    public readonly int[] Lengths;
    public readonly int Ldy, YOffset;

    public readonly float[] Wih, Whh, Bih, Bhh, LnGw, LnGb, X, H0, Mask;
    public readonly float[] Cache, Scratch;
    public readonly float[] DWih, DWhh, DBih, DBhh, DLnGw, DLnGb, DX, DH0;
    public float[] Y { get; }
    public float[] HN { get; }
    public float[] CN { get; } = Array.Empty<float>();

    public GruVariantHarness(LayerDims dims, GruVariantOptions options, bool reverse, int[] lengths, int seed,
        bool withH0 = true, bool withMask = false)
    {
        Dims = dims;
        Options = options;
        Reverse = reverse;
        Lengths = lengths;
        int b = dims.Batch, t = dims.Steps, i = dims.InputSize, h = dims.HiddenSize, g3 = 3 * h;
        Ldy = 2 * h;
        YOffset = reverse ? h : 0;
        var rng = new Random(seed);
        Wih = VariantFill.Uniform(rng, g3 * i, 0.6f);
        Whh = VariantFill.Uniform(rng, g3 * h, 0.6f);
        Bih = VariantFill.Uniform(rng, g3, 0.4f);
        Bhh = VariantFill.Uniform(rng, g3, 0.4f);
        LnGw = options.LayerNorm ? VariantFill.Uniform(rng, g3, 0.3f, 1f) : Array.Empty<float>();
        LnGb = options.LayerNorm ? VariantFill.Uniform(rng, g3, 0.3f) : Array.Empty<float>();
        X = VariantFill.Uniform(rng, b * t * i, 1f);
        H0 = withH0 ? VariantFill.Uniform(rng, b * h, 0.7f) : Array.Empty<float>();
        Mask = withMask ? VariantFill.DropoutMask(rng, b, h, 0.3) : Array.Empty<float>();
        Y = new float[b * t * Ldy];
        HN = new float[b * h];
        Cache = new float[GruVariantLayer.CacheLength(b, t, h, options)];
        Scratch = new float[GruVariantLayer.ScratchLength(b, t, h, options)];
        DWih = new float[Wih.Length];
        DWhh = new float[Whh.Length];
        DBih = new float[Bih.Length];
        DBhh = new float[Bhh.Length];
        DLnGw = new float[LnGw.Length];
        DLnGb = new float[LnGb.Length];
        DX = new float[X.Length];
        DH0 = new float[b * h];
    }

    public GruVariantWeights Weights => new(new RecurrentWeights(Wih, Whh, Bih, Bhh), LnGw, LnGb);

    public GruVariantGradients Gradients => new(new RecurrentGradients(DWih, DWhh, DBih, DBhh), DLnGw, DLnGb);

    public void Forward() =>
        GruVariantLayer.Forward(Dims, Options, Reverse, Lengths, X, Weights, Mask, H0, Y.AsSpan(YOffset), Ldy, HN, Cache);

    public void Backward(float[] dy, float[] dhN, float[] dcN, bool wantDx = true, bool wantDh0 = true)
    {
        ReadOnlySpan<float> dySpan = dy.Length == 0 ? ReadOnlySpan<float>.Empty : dy.AsSpan(YOffset);
        GruVariantLayer.Backward(Dims, Options, Reverse, Lengths, X, Weights, Mask, H0, Cache, dySpan, Ldy, dhN,
            Gradients, wantDx ? DX : Span<float>.Empty, wantDh0 ? DH0 : Span<float>.Empty, Scratch);
    }

    public IReadOnlyList<(string Name, float[] Value, float[] Grad, bool Accumulates)> Tensors
    {
        get
        {
            var list = new List<(string, float[], float[], bool)>
            {
                ("weight_ih", Wih, DWih, true), ("weight_hh", Whh, DWhh, true),
                ("bias_ih", Bih, DBih, true), ("bias_hh", Bhh, DBhh, true),
                ("layer_norm_gates_weight", LnGw, DLnGw, true), ("layer_norm_gates_bias", LnGb, DLnGb, true),
                ("x", X, DX, true),
            };
            if (H0.Length > 0) list.Add(("h0", H0, DH0, false));
            return list;
        }
    }

    public float YAt(int b, int t, int j) => Y[(b * Dims.Steps + t) * Ldy + YOffset + j];

    /// <summary>Naive double reference of the documented equations. Returns y [B, T, H], hN [B, H].</summary>
    public (double[] Y, double[] HN) Reference()
    {
        int batch = Dims.Batch, steps = Dims.Steps, inSize = Dims.InputSize, h = Dims.HiddenSize;
        bool before = Options.ResetBefore, ln = Options.LayerNorm;
        var y = new double[batch * steps * h];
        var hNOut = new double[batch * h];
        for (int b = 0; b < batch; b++)
        {
            var hs = new double[h];
            for (int j = 0; j < h; j++) hs[j] = H0.Length > 0 ? H0[b * h + j] : 0;
            int len = Lengths[b];
            for (int k = 0; k < len; k++)
            {
                int t = Reverse ? len - 1 - k : k;
                var hr = new double[h];
                for (int j = 0; j < h; j++) hr[j] = hs[j] * (Mask.Length > 0 ? Mask[b * h + j] : 1.0);
                double InputPart(int gRow)
                {
                    double v = Bih[gRow];
                    for (int q = 0; q < inSize; q++) v += Wih[gRow * inSize + q] * (double)X[(b * steps + t) * inSize + q];
                    return v;
                }
                double HiddenPart(int gRow, double[] vec)
                {
                    double v = Bhh[gRow];
                    for (int q = 0; q < h; q++) v += Whh[gRow * h + q] * vec[q];
                    return v;
                }
                var a = new double[3 * h];
                for (int gRow = 0; gRow < 2 * h; gRow++) a[gRow] = InputPart(gRow) + HiddenPart(gRow, hr);
                if (ln)
                {
                    LstmVariantHarness.Normalize(a, 0, h, LnGw, LnGb, 0);
                    LstmVariantHarness.Normalize(a, h, h, LnGw, LnGb, h);
                }
                var r = new double[h];
                for (int j = 0; j < h; j++) r[j] = LstmVariantHarness.Sigmoid(a[j]);
                var rh = new double[h];
                for (int j = 0; j < h; j++) rh[j] = r[j] * hr[j];
                for (int j = 0; j < h; j++)
                {
                    int gRow = 2 * h + j;
                    a[gRow] = before ? InputPart(gRow) + HiddenPart(gRow, rh) : InputPart(gRow) + r[j] * HiddenPart(gRow, hr);
                }
                if (ln) LstmVariantHarness.Normalize(a, 2 * h, h, LnGw, LnGb, 2 * h);
                var hNew = new double[h];
                for (int j = 0; j < h; j++)
                {
                    double z = LstmVariantHarness.Sigmoid(a[h + j]);
                    double n = Math.Tanh(a[2 * h + j]);
                    hNew[j] = (1 - z) * n + z * hs[j];
                }
                hs = hNew;
                Array.Copy(hs, 0, y, (b * steps + t) * h, h);
            }
            Array.Copy(hs, 0, hNOut, b * h, h);
        }
        return (y, hNOut);
    }
}

/// <summary>Behaviour of <see cref="GruVariantLayer"/>: equations, option-off equivalence, allocation, validation.</summary>
public class GruVariantLayerTests
{
    private static readonly LayerDims Dims = new(Batch: 3, Steps: 5, InputSize: 3, HiddenSize: 9);
    private static readonly int[] Lengths = { 5, 2, 4 };

    public static IEnumerable<object[]> OptionCases()
    {
        foreach (bool before in new[] { false, true })
        foreach (bool ln in new[] { false, true })
        foreach (bool mask in new[] { false, true })
        foreach (bool reverse in new[] { false, true })
        {
            yield return new object[] { before, ln, mask, reverse };
        }
    }

    [Theory]
    [MemberData(nameof(OptionCases))]
    public void Forward_matches_a_naive_double_reference(bool resetBefore, bool layerNorm, bool mask, bool reverse)
    {
        var layer = new GruVariantHarness(Dims, new GruVariantOptions(resetBefore, layerNorm), reverse, Lengths, seed: 78, withMask: mask);
        Array.Fill(layer.Y, float.NaN);
        Array.Fill(layer.Cache, float.NaN);
        layer.Forward();
        var (y, hN) = layer.Reference();
        for (int b = 0; b < Dims.Batch; b++)
        for (int t = 0; t < Dims.Steps; t++)
        for (int j = 0; j < Dims.HiddenSize; j++)
        {
            double e = y[(b * Dims.Steps + t) * Dims.HiddenSize + j];
            float a = layer.YAt(b, t, j);
            Assert.True(Math.Abs(e - a) <= 2e-5 * Math.Max(1.0, Math.Abs(e)), $"y[{b},{t},{j}]: expected {e:G9}, got {a:G9}");
        }
        for (int k = 0; k < hN.Length; k++)
        {
            Assert.True(Math.Abs(hN[k] - layer.HN[k]) <= 2e-5 * Math.Max(1.0, Math.Abs(hN[k])), $"hN[{k}]: expected {hN[k]:G9}, got {layer.HN[k]:G9}");
        }
    }

    [Fact]
    public void Reset_before_differs_from_reset_after()
    {
        var after = new GruVariantHarness(Dims, new GruVariantOptions(false, false), false, Lengths, seed: 3);
        var before = new GruVariantHarness(Dims, new GruVariantOptions(true, false), false, Lengths, seed: 3);
        after.Forward();
        before.Forward();
        double diff = 0;
        for (int k = 0; k < after.HN.Length; k++) diff = Math.Max(diff, Math.Abs(after.HN[k] - before.HN[k]));
        Assert.True(diff > 1e-3, $"reset-before and reset-after agree to {diff}");
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void With_all_options_off_equals_the_standard_GruLayer(bool reverse, bool withH0)
    {
        var v = new GruVariantHarness(Dims, default, reverse, Lengths, seed: 6, withH0: withH0);
        var rng = new Random(3);
        float[] dy = VariantFill.Uniform(rng, v.Y.Length, 1f);
        float[] dhN = VariantFill.Uniform(rng, v.HN.Length, 1f);
        v.Forward();
        v.Backward(dy, dhN, Array.Empty<float>());

        int b = Dims.Batch, t = Dims.Steps, h = Dims.HiddenSize;
        var y = new float[v.Y.Length];
        var hN = new float[b * h];
        var cache = new float[GruLayer.CacheLength(b, t, h)];
        var scratch = new float[GruLayer.ScratchLength(b, t, h)];
        var w = new RecurrentWeights(v.Wih, v.Whh, v.Bih, v.Bhh);
        var dWih = new float[v.Wih.Length];
        var dWhh = new float[v.Whh.Length];
        var dBih = new float[v.Bih.Length];
        var dBhh = new float[v.Bhh.Length];
        var dx = new float[v.X.Length];
        var dh0 = new float[b * h];
        GruLayer.Forward(Dims, reverse, Lengths, v.X, w, v.H0, y.AsSpan(v.YOffset), v.Ldy, hN, cache);
        GruLayer.Backward(Dims, reverse, Lengths, v.X, w, v.H0, cache, dy.AsSpan(v.YOffset), v.Ldy, dhN,
            new RecurrentGradients(dWih, dWhh, dBih, dBhh), dx, dh0, scratch);

        VariantAssert.Same(y, v.Y, "y");
        VariantAssert.Same(hN, v.HN, "hN");
        VariantAssert.Same(dWih, v.DWih, "dW_ih");
        VariantAssert.Same(dWhh, v.DWhh, "dW_hh");
        VariantAssert.Same(dBih, v.DBih, "db_ih");
        VariantAssert.Same(dBhh, v.DBhh, "db_hh");
        VariantAssert.Same(dx, v.DX, "dx");
        VariantAssert.Same(dh0, v.DH0, "dh0");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_mask_of_ones_equals_no_mask(bool resetBefore)
    {
        var options = new GruVariantOptions(resetBefore, true);
        var plain = new GruVariantHarness(Dims, options, reverse: true, Lengths, seed: 9);
        var ones = new GruVariantHarness(Dims, options, reverse: true, Lengths, seed: 9, withMask: true);
        Array.Fill(ones.Mask, 1f);
        var rng = new Random(4);
        float[] dy = VariantFill.Uniform(rng, plain.Y.Length, 1f);
        float[] dhN = VariantFill.Uniform(rng, plain.HN.Length, 1f);
        foreach (var l in new[] { plain, ones })
        {
            l.Forward();
            l.Backward(dy, dhN, Array.Empty<float>());
        }
        VariantAssert.Same(plain.Y, ones.Y, "y");
        VariantAssert.Same(plain.DWhh, ones.DWhh, "dW_hh");
        VariantAssert.Same(plain.DH0, ones.DH0, "dh0");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_and_backward_do_not_allocate_after_warm_up(bool resetBefore)
    {
        var layer = new GruVariantHarness(Dims, new GruVariantOptions(resetBefore, true), reverse: true, Lengths, seed: 4, withMask: true);
        var rng = new Random(1);
        float[] dy = VariantFill.Uniform(rng, layer.Y.Length, 1f);
        float[] dhN = VariantFill.Uniform(rng, layer.HN.Length, 1f);
        for (int k = 0; k < 3; k++)
        {
            layer.Forward();
            layer.Backward(dy, dhN, Array.Empty<float>());
        }
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            layer.Forward();
            layer.Backward(dy, dhN, Array.Empty<float>());
            layer.Backward(Array.Empty<float>(), Array.Empty<float>(), Array.Empty<float>(), wantDx: false, wantDh0: false);
        }, callsPerWindow: 10, warmUpCalls: 0));
    }

    [Fact]
    public void Missing_layer_norm_parameters_are_reported_by_name()
    {
        var layer = new GruVariantHarness(Dims, new GruVariantOptions(false, true), reverse: false, Lengths, seed: 1);
        var ex = Assert.Throws<ArgumentException>(() =>
            GruVariantLayer.Forward(Dims, layer.Options, false, Lengths, layer.X,
                new GruVariantWeights(new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh)),
                default, default, layer.Y, layer.Ldy, default, layer.Cache));
        Assert.Equal("weights.LayerNormGatesWeight", ex.ParamName);
    }
}
