using System;
using RnnGen.Initialization;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

public class DropoutTests
{
    [Fact]
    public void Mask_KeepsAboutOneMinusP_ScaledByInverse()
    {
        const int n = 200_000;
        const float p = 0.3f;
        var mask = new float[n];
        var random = new SeededRandom(42);
        Dropout.DrawMask(p, ref random, mask);
        int kept = 0;
        foreach (float m in mask)
        {
            if (m != 0f)
            {
                Assert.Equal(1f / (1f - p), m);
                kept++;
            }
        }
        double fraction = (double)kept / n;
        // binomial standard deviation ≈ 0.001; allow 5σ
        Assert.InRange(fraction, 0.7 - 0.005, 0.7 + 0.005);

        // the expectation is preserved
        float[] x = TestData.Uniform(n, 3);
        var y = new float[n];
        random = new SeededRandom(43);
        Dropout.Forward(x, p, ref random, mask, y);
        double sx = 0, sy = 0;
        for (int i = 0; i < n; i++) { sx += Math.Abs(x[i]); sy += Math.Abs(y[i]); }
        Assert.InRange(sy / sx, 0.98, 1.02);
    }

    [Fact]
    public void SameSeed_SameMask_DifferentSeed_DifferentMask()
    {
        var a = new float[1000];
        var b = new float[1000];
        var c = new float[1000];
        var r1 = new SeededRandom(7);
        var r2 = new SeededRandom(7);
        var r3 = new SeededRandom(8);
        Dropout.DrawMask(0.5f, ref r1, a);
        Dropout.DrawMask(0.5f, ref r2, b);
        Dropout.DrawMask(0.5f, ref r3, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // the generator advanced: the next mask differs from the first
        Dropout.DrawMask(0.5f, ref r1, b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void PZero_IsIdentity_AndDrawsNothing()
    {
        float[] x = TestData.Uniform(50, 1);
        var mask = new float[50];
        var y = new float[50];
        var random = new SeededRandom(5);
        var state = random.State;
        Dropout.Forward(x, 0f, ref random, mask, y);
        Assert.Equal(x, y);
        Assert.Equal(state, random.State);
    }

    [Fact]
    public void Backward_IsDyTimesMask_WrittenOrAccumulated()
    {
        float[] x = TestData.Uniform(64, 1);
        float[] dy = TestData.Uniform(64, 2);
        var mask = new float[64];
        var y = new float[64];
        var random = new SeededRandom(9);
        Dropout.Forward(x, 0.25f, ref random, mask, y);
        var dx = new float[64];
        Array.Fill(dx, 3f);
        Dropout.Backward(dy, mask, dx);
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(x[i] * mask[i], y[i]);
            Assert.Equal(dy[i] * mask[i], dx[i]);
        }
        Dropout.Backward(dy, mask, dx, accumulate: true);
        for (int i = 0; i < 64; i++) Assert.Equal(2 * dy[i] * mask[i], dx[i], 6);

        // d(Σ r ⊙ y)/dx = r ⊙ mask, the same as backward (y is linear in x for a fixed mask)
        var applied = new float[64];
        Dropout.Apply(x, mask, applied);
        Assert.Equal(y, applied);
    }

    [Fact]
    public void ProbabilityOutsideZeroOne_Throws()
    {
        var random = new SeededRandom(1);
        var mask = new float[4];
        foreach (float p in new[] { 1f, -0.1f, float.NaN, 2f })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            {
                var r = new SeededRandom(1);
                Dropout.DrawMask(p, ref r, mask);
            });
            Assert.Contains("[0, 1)", ex.Message);
        }
        Assert.Throws<ArgumentException>(() => Dropout.Forward(new float[4], 0.5f, ref random, new float[3], new float[4]));
    }

    [Fact]
    public void Kernels_DoNotAllocate()
    {
        var x = new float[100];
        var mask = new float[100];
        var y = new float[100];
        var random = new SeededRandom(1);
        Dropout.Forward(x, 0.5f, ref random, mask, y);
        Dropout.Backward(y, mask, x);
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            Dropout.Forward(x, 0.5f, ref random, mask, y);
            Dropout.Backward(y, mask, x, accumulate: true);
        }, callsPerWindow: 1, warmUpCalls: 0));
    }
}
