using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>Accuracy of the float σ/tanh/exp used by the fused cells, against double references.</summary>
public class ActivationMathTests
{
    private static IEnumerable<float> Sweep()
    {
        for (int k = -300_000; k <= 300_000; k++) yield return k * 1e-4f; // [-30, 30] step 1e-4
        foreach (float v in new[] { 0f, -0f, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 0.6249999f, 0.625f, -0.625f, 40f, -40f, 87f, -87f, 100f, -100f, 1e4f, -1e4f })
        {
            yield return v;
        }
    }

    [Fact]
    public void Sigmoid_and_tanh_are_within_documented_error_of_double()
    {
        double maxSigAbs = 0, maxTanhAbs = 0, maxTanhRel = 0, maxSigRel = 0;
        foreach (float x in Sweep())
        {
            double s = 1.0 / (1.0 + Math.Exp(-(double)x));
            double t = Math.Tanh(x);
            float fs = ActivationMath.Sigmoid(x), ft = ActivationMath.Tanh(x);
            maxSigAbs = Math.Max(maxSigAbs, Math.Abs(fs - s));
            maxTanhAbs = Math.Max(maxTanhAbs, Math.Abs(ft - t));
            if (Math.Abs(t) > 1e-30) maxTanhRel = Math.Max(maxTanhRel, Math.Abs(ft - t) / Math.Abs(t));
            if (s > 1e-30) maxSigRel = Math.Max(maxSigRel, Math.Abs(fs - s) / s);
        }
        // Asserted bounds, a little above the measured 8.9e-8 / 1.5e-7 (σ) and 1.5e-7 / 1.6e-7 (tanh): a few float ulps.
        Assert.True(maxSigAbs <= 1.5e-7, $"sigmoid max abs error {maxSigAbs:E2}");
        Assert.True(maxTanhAbs <= 2e-7, $"tanh max abs error {maxTanhAbs:E2}");
        Assert.True(maxTanhRel <= 3e-7, $"tanh max rel error {maxTanhRel:E2}");
        Assert.True(maxSigRel <= 3e-7, $"sigmoid max rel error {maxSigRel:E2}");
    }

    [Fact]
    public void Tanh_is_odd_and_exact_at_the_ends()
    {
        foreach (float x in Sweep())
        {
            Assert.Equal(-ActivationMath.Tanh(x), ActivationMath.Tanh(-x));
        }
        Assert.True(float.IsNegative(ActivationMath.Tanh(-0f)), "tanh(−0) is −0");
        Assert.Equal(1e-30f, ActivationMath.Tanh(1e-30f)); // tanh(x) = x below float resolution
        Assert.Equal(1f, ActivationMath.Tanh(20f));
        Assert.Equal(-1f, ActivationMath.Tanh(-1e4f));
        Assert.Equal(0.5f, ActivationMath.Sigmoid(0f));
        Assert.Equal(1f, ActivationMath.Sigmoid(1e4f));
        Assert.Equal(0f, ActivationMath.Sigmoid(-1e4f), 1e-37f);
    }

    [Fact]
    public void Exp_is_within_3e7_relative_on_its_range()
    {
        double maxRel = 0;
        for (float x = -87f; x <= 88f; x += 1e-3f)
        {
            double e = Math.Exp(x);
            maxRel = Math.Max(maxRel, Math.Abs(ActivationMath.Exp(x) - e) / e);
        }
        Assert.True(maxRel <= 3e-7, $"exp max rel error {maxRel:E2}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(37)]
    [InlineData(64)]
    public void Vector_body_and_scalar_tail_agree_bitwise(int n)
    {
        var rng = new Random(n);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * 12);
        x[0] = 0.3f; // small argument: expm1 without range reduction (n = 0)
        var s = new float[n];
        var t = new float[n];
        ActivationMath.Sigmoid(x, s);
        ActivationMath.Tanh(x, t);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(ActivationMath.Sigmoid(x[i]), s[i]);
            Assert.Equal(ActivationMath.Tanh(x[i]), t[i]);
        }
    }

    [Fact]
    public void Vector512_lanes_agree_bitwise_with_scalar()
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return; // no 512-bit path on this machine
        var rng = new Random(5);
        var x = new float[4096];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * (i % 3 == 0 ? 0.7 : 40));
        x[0] = 0.3f; x[1] = -0.624f; x[2] = 0.625f; x[3] = 88.5f; x[4] = -88.5f; x[5] = 0f; x[6] = -1e-30f;
        for (int i = 0; i < x.Length; i += 16)
        {
            var v = System.Runtime.Intrinsics.Vector512.Create(x, i);
            var s = ActivationMath.Sigmoid(v);
            var t = ActivationMath.Tanh(v);
            var e = ActivationMath.Exp(v);
            for (int k = 0; k < 16; k++)
            {
                Assert.Equal(ActivationMath.Sigmoid(x[i + k]), s[k]);
                Assert.Equal(ActivationMath.Tanh(x[i + k]), t[k]);
                Assert.Equal(ActivationMath.Exp(x[i + k]), e[k]);
            }
        }
    }
}

[CollectionDefinition(nameof(KernelOptionsCollection), DisableParallelization = true)]
public sealed class KernelOptionsCollection;

/// <summary>
/// The two-thread kernels (batch split of forward and BPTT, gate-row split of the weight gradients)
/// against the single-threaded ones, and every SIMD path of the GEMM under the layer kernels.
/// Runs alone (it flips process-wide options).
/// </summary>
[Collection(nameof(KernelOptionsCollection))]
public class ParallelKernelTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (CellKind cell in Enum.GetValues<CellKind>())
        {
            yield return new object[] { cell, false };
            yield return new object[] { cell, true };
        }
    }

    private static readonly LayerDims Dims = new(Batch: 5, Steps: 7, InputSize: 6, HiddenSize: 19);
    private static readonly int[] Lengths = { 7, 3, 5, 1, 6 };

    private static float[][] Run(CellKind cell, bool reverse)
    {
        var layer = new LayerHarness(cell, Dims, reverse, Lengths, seed: 11);
        layer.Forward();
        var rng = new Random(3);
        float[] dy = LayerHarness.Fill(rng, layer.Y.Length, 1f);
        float[] dhN = LayerHarness.Fill(rng, layer.HN.Length, 1f);
        float[] dcN = layer.IsLstm ? LayerHarness.Fill(rng, layer.HN.Length, 1f) : Array.Empty<float>();
        layer.Backward(dy, dhN, dcN);
        return new[] { layer.Y, layer.HN, layer.CN, layer.DWih, layer.DWhh, layer.DBih, layer.DBhh, layer.DX, layer.DH0, layer.DC0 };
    }

    private static float[][] RunWith(int threads, CellKind cell, bool reverse, GemmPath? path = null)
    {
        int savedThreads = KernelOptions.MaxThreads;
        long savedMin = ParallelPlan.MinParallelFlops;
        GemmPath? savedPath = Gemm.ForcedPath;
        try
        {
            KernelOptions.MaxThreads = threads;
            ParallelPlan.MinParallelFlops = 0;
            Gemm.ForcedPath = path;
            return Run(cell, reverse);
        }
        finally
        {
            KernelOptions.MaxThreads = savedThreads;
            ParallelPlan.MinParallelFlops = savedMin;
            Gemm.ForcedPath = savedPath;
        }
    }

    private static void AssertClose(float[][] expected, float[][] actual, double tol)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k].Length, actual[k].Length);
            for (int i = 0; i < expected[k].Length; i++)
            {
                double e = expected[k][i], a = actual[k][i];
                Assert.True(Math.Abs(e - a) <= tol * (1 + Math.Abs(e)), $"buffer {k}[{i}]: {e} vs {a}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Two_threads_match_one_thread_and_are_deterministic(CellKind cell, bool reverse)
    {
        float[][] one = RunWith(1, cell, reverse);
        float[][] two = RunWith(2, cell, reverse);
        float[][] twoAgain = RunWith(2, cell, reverse);
        AssertClose(one, two, 2e-5);
        for (int k = 0; k < two.Length; k++) Assert.Equal(two[k], twoAgain[k]); // bitwise
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.RnnTanh)]
    public void Every_supported_gemm_path_gives_the_same_layer_results(CellKind cell)
    {
        float[][] reference = RunWith(1, cell, reverse: false, GemmPath.Scalar);
        foreach (GemmPath path in Enum.GetValues<GemmPath>())
        {
            if (!Gemm.IsSupported(path)) continue;
            AssertClose(reference, RunWith(1, cell, reverse: false, path), 2e-5);
            AssertClose(reference, RunWith(2, cell, reverse: false, path), 2e-5);
        }
    }
}
