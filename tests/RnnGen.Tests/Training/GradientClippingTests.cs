using System;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

/// <summary>Expected values from the "gradient clipping" section of optimizer_reference.py
/// (torch.nn.utils.clip_grad_norm_ / clip_grad_value_ on g = [3, −4, 12], norm 13).</summary>
public class GradientClippingTests
{
    [Fact]
    public void ClipByGlobalNorm_AboveThreshold_ScalesLikePyTorch()
    {
        float[] g = [3f, -4f, 12f];
        float norm = GradientClipping.ClipByGlobalNorm(g, 5f);
        Assert.Equal(13f, norm);
        // clip_grad_norm_ max_norm=5: total_norm=13 grads={ 1.15384603f, -1.53846145f, 4.6153841f }
        OptimizerReferenceTests.AssertClose([1.15384603f, -1.53846145f, 4.6153841f], g, "clipped");
    }

    [Fact]
    public void ClipByGlobalNorm_BelowThreshold_LeavesGradientsUnchanged()
    {
        float[] g = [3f, -4f, 12f];
        Assert.Equal(13f, GradientClipping.ClipByGlobalNorm(g, 20f));
        Assert.Equal([3f, -4f, 12f], g);
    }

    [Fact]
    public void ClipByGlobalNorm_LongBuffer_UsesVectorBodyAndTail()
    {
        var g = new float[1003];
        for (int i = 0; i < g.Length; i++) g[i] = (i % 7 - 3) * 0.5f;
        double expected = 0;
        foreach (float v in g) expected += v * (double)v;
        expected = Math.Sqrt(expected);
        float[] original = (float[])g.Clone();
        float norm = GradientClipping.ClipByGlobalNorm(g, 1f);
        Assert.Equal(expected, norm, 1e-4);
        float coef = 1f / (norm + 1e-6f);
        for (int i = 0; i < g.Length; i++) Assert.Equal(original[i] * coef, g[i]);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(g), 1e-5);
    }

    [Fact]
    public void ClipByGlobalNorm_NaNGradient_PoisonsEverything_AsPyTorch()
    {
        // clip_grad_norm_ with NaN: total_norm=nan grads=[nan, nan, nan]
        float[] g = [1f, float.NaN, 2f];
        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm(g, 1f)));
        Assert.All(g, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void ClipByValue_ClampsSymmetrically()
    {
        float[] g = [3f, -4f, 12f];
        GradientClipping.ClipByValue(g, 3.5f);
        // clip_grad_value_ 3.5: { 3f, -3.5f, 3.5f }
        Assert.Equal([3f, -3.5f, 3.5f], g);
        float[] withNaN = [float.NaN, 10f];
        GradientClipping.ClipByValue(withNaN, 1f);
        Assert.True(float.IsNaN(withNaN[0]));
        Assert.Equal(1f, withNaN[1]);
    }

    [Fact]
    public void NonFiniteDetection_FindsFirstNaNOrInfinity()
    {
        var values = new float[37];
        Assert.False(GradientClipping.ContainsNonFinite(values));
        Assert.Equal(-1, GradientClipping.IndexOfNonFinite(values));
        values[20] = float.PositiveInfinity;
        values[30] = float.NaN;
        Assert.True(GradientClipping.ContainsNonFinite(values));
        Assert.Equal(20, GradientClipping.IndexOfNonFinite(values));
        values[20] = 0f;
        Assert.Equal(30, GradientClipping.IndexOfNonFinite(values));
        values[30] = 0f;
        values[36] = float.NegativeInfinity; // in the scalar tail
        Assert.Equal(36, GradientClipping.IndexOfNonFinite(values));
        Assert.False(GradientClipping.ContainsNonFinite([float.MaxValue, -float.MaxValue, float.Epsilon]));
    }

    [Fact]
    public void InvalidThresholds_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[3], -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[3], float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(new float[3], -1f));
    }
}
