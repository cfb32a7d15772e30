using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Tests.Support;
using RnnGen.Kernels;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The variant layers' fast forward path — recurrent weights packed into panels once per call, sequences split
/// across both cores — against one core (bitwise: every element is computed by the same code whichever core owns
/// its sequence), for every option combination, an odd hidden size and padded sequences. The naive double
/// references of LstmVariantLayerTests/GruVariantLayerTests check the panel path's values.
/// </summary>
[Collection(nameof(KernelOptionsCollection))] // changes process-wide kernel options
public class VariantConcurrencyTests
{
    // Each core's half (4 sequences × 7 steps = 28 rows) stays in the same GEMM shape class as the whole batch
    // (more than 24 rows: the packed kernel); a split into smaller GEMMs may round differently (docs/kernels-cells.md).
    private static readonly LayerDims Dims = new(Batch: 8, Steps: 7, InputSize: 6, HiddenSize: 37);
    private static readonly int[] Lengths = { 7, 3, 6, 1, 5, 7, 2, 4 };

    public static IEnumerable<object[]> LstmCases()
    {
        foreach (bool peep in new[] { false, true })
        foreach (bool proj in new[] { false, true })
        foreach (bool ln in new[] { false, true })
        {
            yield return new object[] { peep, proj, ln, !ln, peep }; // mask and reverse varied along
        }
    }

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void Lstm_variant_on_two_cores_equals_one_core_bit_for_bit(bool peepholes, bool projection, bool layerNorm, bool mask, bool reverse)
    {
        var options = new LstmVariantOptions(peepholes, projection ? 16 : 0, layerNorm);
        (float[] Y, float[] H, float[] C, float[] Cache) Run(int threads)
        {
            var layer = new LstmVariantHarness(Dims, options, reverse, Lengths, seed: 5, withMask: mask);
            WithThreads(threads, layer.Forward);
            return (layer.Y, layer.HN, layer.CN, layer.Cache);
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.H, two.H);
        Assert.Equal(one.C, two.C);
        Assert.Equal(one.Cache, two.Cache);
        Assert.Contains(two.Y, v => v != 0f);
    }

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void Lstm_variant_backward_on_two_cores_equals_one_core(bool peepholes, bool projection, bool layerNorm, bool mask, bool reverse)
    {
        // Every gradient bitwise, except the peephole and layer-norm parameters: each core sums its own sequences'
        // share, and the two sums are added after (float rounding of a different order, deterministic).
        var options = new LstmVariantOptions(peepholes, projection ? 16 : 0, layerNorm);
        LstmVariantHarness Run(int threads)
        {
            var layer = new LstmVariantHarness(Dims, options, reverse, Lengths, seed: 8, withMask: mask);
            float[] dy = TestData.Uniform(layer.Y.Length, 9);
            float[] dhN = TestData.Uniform(layer.HN.Length, 10), dcN = TestData.Uniform(layer.CN.Length, 11);
            WithThreads(threads, () =>
            {
                layer.Forward();
                layer.Backward(dy, dhN, dcN);
            });
            return layer;
        }

        var one = Run(1);
        var two = Run(2);
        foreach (var (name, _, grad, _) in one.Tensors)
        {
            float[] other = two.Tensors.Single(x => x.Name == name).Grad;
            if (name.StartsWith("weight_peephole", StringComparison.Ordinal) || name.StartsWith("layer_norm", StringComparison.Ordinal))
            {
                for (int k = 0; k < grad.Length; k++)
                {
                    Assert.True(Math.Abs(grad[k] - other[k]) <= 1e-5 * Math.Max(1.0, Math.Abs(grad[k])), $"{name}[{k}]: {grad[k]} vs {other[k]}");
                }
            }
            else
            {
                Assert.Equal(grad, other);
            }
        }
        Assert.Contains(two.DWhh, v => v != 0f);
    }

    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(true, false, true, false)]
    [InlineData(false, true, false, true)]
    [InlineData(true, true, true, true)]
    public void Gru_variant_on_two_cores_equals_one_core_bit_for_bit(bool resetBefore, bool layerNorm, bool mask, bool reverse)
    {
        var options = new GruVariantOptions(resetBefore, layerNorm);
        (float[] Y, float[] H, float[] Cache) Run(int threads)
        {
            var layer = new GruVariantHarness(Dims, options, reverse, Lengths, seed: 6, withMask: mask);
            WithThreads(threads, layer.Forward);
            return (layer.Y, layer.HN, layer.Cache);
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.H, two.H);
        Assert.Equal(one.Cache, two.Cache);
        Assert.Contains(two.Y, v => v != 0f);
    }

    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(true, false, true, false)]
    [InlineData(false, true, false, true)]
    [InlineData(true, true, true, true)]
    public void Gru_variant_backward_on_two_cores_equals_one_core(bool resetBefore, bool layerNorm, bool mask, bool reverse)
    {
        // Every gradient bitwise, except the layer-norm parameters (each core sums its own sequences' share).
        var options = new GruVariantOptions(resetBefore, layerNorm);
        GruVariantHarness Run(int threads)
        {
            var layer = new GruVariantHarness(Dims, options, reverse, Lengths, seed: 12, withMask: mask);
            float[] dy = TestData.Uniform(layer.Y.Length, 13);
            float[] dhN = TestData.Uniform(layer.HN.Length, 14);
            WithThreads(threads, () =>
            {
                layer.Forward();
                layer.Backward(dy, dhN, []);
            });
            return layer;
        }

        var one = Run(1);
        var two = Run(2);
        foreach (var (name, _, grad, _) in one.Tensors)
        {
            float[] other = two.Tensors.Single(x => x.Name == name).Grad;
            if (name.StartsWith("layer_norm", StringComparison.Ordinal))
            {
                for (int k = 0; k < grad.Length; k++)
                {
                    Assert.True(Math.Abs(grad[k] - other[k]) <= 1e-5 * Math.Max(1.0, Math.Abs(grad[k])), $"{name}[{k}]: {grad[k]} vs {other[k]}");
                }
            }
            else
            {
                Assert.Equal(grad, other);
            }
        }
        Assert.Contains(two.DWhh, v => v != 0f);
    }

    private static void WithThreads(int threads, Action run)
    {
        int savedThreads = KernelOptions.MaxThreads;
        long savedMin = ParallelPlan.MinParallelFlops;
        try
        {
            KernelOptions.MaxThreads = threads;
            ParallelPlan.MinParallelFlops = 0; // split however small
            run();
        }
        finally
        {
            KernelOptions.MaxThreads = savedThreads;
            ParallelPlan.MinParallelFlops = savedMin;
        }
    }
}
