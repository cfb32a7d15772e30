using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

public class BidirectionalMergeTests
{
    private const int Rows = 4, H = 5;

    public static TheoryData<BidirectionalMergeMode> Modes() => new()
    {
        BidirectionalMergeMode.Concat, BidirectionalMergeMode.Sum, BidirectionalMergeMode.Mean, BidirectionalMergeMode.Product,
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Forward_ComputesTheMode(BidirectionalMergeMode mode)
    {
        float[] y = TestData.Uniform(Rows * 2 * H, 1);
        int w = BidirectionalMerge.OutputWidth(mode, H);
        var merged = new float[Rows * w];
        BidirectionalMerge.Forward(mode, Rows, H, y, merged);
        for (int r = 0; r < Rows; r++)
            for (int j = 0; j < w; j++)
            {
                float f = y[r * 2 * H + j % H], v = y[r * 2 * H + H + j % H];
                float expected = mode switch
                {
                    BidirectionalMergeMode.Concat => y[r * 2 * H + j],
                    BidirectionalMergeMode.Sum => f + v,
                    BidirectionalMergeMode.Mean => (f + v) * 0.5f,
                    _ => f * v,
                };
                Assert.Equal(expected, merged[r * w + j], 6);
            }
    }

    /// <summary>L = Σ R ⊙ merge(y): backward against central differences on every element of y.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public void Backward_MatchesFiniteDifferences(BidirectionalMergeMode mode)
    {
        float[] y = TestData.Uniform(Rows * 2 * H, 2);
        int w = BidirectionalMerge.OutputWidth(mode, H);
        float[] r = TestData.Uniform(Rows * w, 3);
        var dy = new float[y.Length];
        Array.Fill(dy, 7f); // overwritten
        BidirectionalMerge.Backward(mode, Rows, H, y, r, dy);

        double Loss()
        {
            var m = new float[Rows * w];
            BidirectionalMerge.Forward(mode, Rows, H, y, m);
            double s = 0;
            for (int i = 0; i < m.Length; i++) s += (double)m[i] * r[i];
            return s;
        }

        const float eps = 1e-2f;
        for (int i = 0; i < y.Length; i++)
        {
            float saved = y[i];
            y[i] = saved + eps;
            double plus = Loss();
            y[i] = saved - eps;
            double minus = Loss();
            y[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(numeric - dy[i]) <= 1e-3 * Math.Max(1, Math.Abs(numeric)),
                $"{mode}: dy[{i}] = {dy[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Validation_And_NoAllocation()
    {
        var y = new float[Rows * 2 * H];
        var ex = Assert.Throws<ArgumentException>(() =>
            BidirectionalMerge.Forward(BidirectionalMergeMode.Sum, Rows, H, y, new float[Rows * 2 * H]));
        Assert.Equal("merged", ex.ParamName);
        Assert.Throws<ArgumentException>(() =>
            BidirectionalMerge.Backward(BidirectionalMergeMode.Product, Rows, H, default, new float[Rows * H], new float[Rows * 2 * H]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BidirectionalMerge.Forward((BidirectionalMergeMode)9, Rows, H, y, new float[Rows * H]));

        var m = new float[Rows * H];
        var dy = new float[y.Length];
        BidirectionalMerge.Forward(BidirectionalMergeMode.Product, Rows, H, y, m);
        BidirectionalMerge.Backward(BidirectionalMergeMode.Product, Rows, H, y, m, dy);
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            BidirectionalMerge.Forward(BidirectionalMergeMode.Mean, Rows, H, y, m);
            BidirectionalMerge.Backward(BidirectionalMergeMode.Product, Rows, H, y, m, dy);
        }, callsPerWindow: 1, warmUpCalls: 0));
    }
}
