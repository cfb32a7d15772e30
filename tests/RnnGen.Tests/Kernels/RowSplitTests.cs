using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>Batch-1 LSTM forward split by hidden unit across two cores equals the single-threaded pass.</summary>
[Collection("KernelThreads")]
public class RowSplitTests
{
    [Theory]
    [InlineData(false, 9, false)]
    [InlineData(true, 9, true)]
    [InlineData(false, 6, true)]
    public void Two_cores_equal_one_core_for_a_single_sequence(bool reverse, int length, bool initialState)
    {
        const int T = 9, I = 5, H = 264; // H ≥ the split threshold (256) and not a multiple of 32
        var dims = new LayerDims(1, T, I, H);
        float[] x = TestData.Uniform(T * I, 1);
        float[] wih = TestData.Uniform(4 * H * I, 2, 0.2f), whh = TestData.Uniform(4 * H * H, 3, 0.1f);
        float[] bih = TestData.Uniform(4 * H, 4, 0.1f), bhh = TestData.Uniform(4 * H, 5, 0.1f);
        float[] h0 = initialState ? TestData.Uniform(H, 6) : Array.Empty<float>();
        float[] c0 = initialState ? TestData.Uniform(H, 7) : Array.Empty<float>();
        int[] lengths = { length };

        (float[] Y, float[] HN, float[] CN) Run(int threads)
        {
            int saved = KernelOptions.MaxThreads;
            KernelOptions.MaxThreads = threads;
            try
            {
                var y = new float[T * H];
                var hN = new float[H];
                var cN = new float[H];
                var cache = new float[LstmLayer.CacheLength(1, T, H)];
                LstmLayer.Forward(dims, reverse, lengths, x, new RecurrentWeights(wih, whh, bih, bhh), h0, c0, y, H, hN, cN, cache);
                return (y, hN, cN);
            }
            finally
            {
                KernelOptions.MaxThreads = saved;
            }
        }

        var one = Run(1);
        var two = Run(2);
        var again = Run(2);
        Assert.Equal(one.Y, two.Y, (a, b) => MathF.Abs(a - b) <= 1e-6f * Math.Max(1f, MathF.Abs(a)));
        Assert.Equal(one.HN, two.HN, (a, b) => MathF.Abs(a - b) <= 1e-6f * Math.Max(1f, MathF.Abs(a)));
        Assert.Equal(one.CN, two.CN, (a, b) => MathF.Abs(a - b) <= 1e-6f * Math.Max(1f, MathF.Abs(a)));
        Assert.Equal(two.Y, again.Y); // deterministic for a fixed thread count
        for (int t = length; t < T; t++)
        {
            Assert.All(two.Y.AsSpan(t * H, H).ToArray(), v => Assert.Equal(0f, v));
        }
    }
}
