using System;
using System.Linq;
using RnnGen.Decoding;

namespace RnnGen.Tests.Decoding;

public class SamplingTests
{
    private static readonly float[] LogP = new[] { 0.30, 0.25, 0.20, 0.12, 0.08, 0.05 }.Select(p => (float)Math.Log(p)).ToArray();

    /// <summary>The reference distribution, written independently of TokenSampler: temper, top-k, top-p, renormalize.</summary>
    private static double[] Expected(float temperature, int topK, float topP)
    {
        int v = LogP.Length;
        double[] w = LogP.Select(lp => Math.Exp(lp / temperature)).ToArray();
        int[] order = Enumerable.Range(0, v).OrderByDescending(i => w[i]).ThenBy(i => i).ToArray();
        int keep = topK > 0 ? Math.Min(topK, v) : v;
        double mass = order.Take(keep).Sum(i => w[i]);
        double running = 0;
        int nucleus = 0;
        foreach (int i in order.Take(keep))
        {
            running += w[i];
            nucleus++;
            if (running >= topP * mass) break;
        }
        var result = new double[v];
        double kept = order.Take(nucleus).Sum(i => w[i]);
        foreach (int i in order.Take(nucleus)) result[i] = w[i] / kept;
        return result;
    }

    [Theory]
    [InlineData(1.0f, 0, 1.0f)]
    [InlineData(0.5f, 0, 1.0f)]
    [InlineData(2.0f, 0, 1.0f)]
    [InlineData(1.0f, 3, 1.0f)]
    [InlineData(1.0f, 0, 0.7f)]
    [InlineData(0.8f, 4, 0.6f)]
    [InlineData(1.5f, 2, 0.9f)]
    public void Frequencies_approach_the_tempered_truncated_distribution(float temperature, int topK, float topP)
    {
        double[] expected = Expected(temperature, topK, topP);
        var sampler = new TokenSampler(LogP.Length, seed: 42) { Temperature = temperature, TopK = topK, TopP = topP };
        var exact = new float[LogP.Length];
        sampler.Distribution(LogP, exact);
        for (int i = 0; i < exact.Length; i++) Assert.Equal(expected[i], exact[i], 5);

        const int Draws = 200_000;
        var counts = new int[LogP.Length];
        for (int n = 0; n < Draws; n++) counts[sampler.Sample(LogP)]++;
        for (int i = 0; i < counts.Length; i++)
        {
            if (expected[i] == 0) Assert.Equal(0, counts[i]);   // top-k / top-p never emit a token outside the kept set
            else Assert.InRange((double)counts[i] / Draws, expected[i] - 0.006, expected[i] + 0.006);
        }
    }

    [Fact]
    public void Sampling_is_reproducible_by_seed()
    {
        int[] Draw(long seed)
        {
            var sampler = new TokenSampler(LogP.Length, seed) { Temperature = 0.9f, TopP = 0.95f };
            return Enumerable.Range(0, 200).Select(_ => sampler.Sample(LogP)).ToArray();
        }
        Assert.Equal(Draw(7), Draw(7));
        Assert.NotEqual(Draw(7), Draw(8));

        var source = new MarkovStepSource(MarkovStepSource.RandomTable(6, 5), 1);
        var decoder = new SamplingDecoder(source, 40, seed: 3) { Temperature = 1.2f, TopK = 4 };
        int[] first = decoder.Generate([1]).ToArray();
        double firstLogP = decoder.LogProbability;
        decoder.Sampler.Reseed(3);
        Assert.Equal(first, decoder.Generate([1]).ToArray());
        Assert.Equal(firstLogP, decoder.LogProbability);
        Assert.NotEqual(first, decoder.Generate([1]).ToArray());   // the generator continues between calls
    }

    [Fact]
    public void Temperature_zero_is_greedy_and_impossible_tokens_are_never_drawn()
    {
        var source = new MarkovStepSource(MarkovStepSource.RandomTable(6, 9), 1);
        var greedy = new GreedyDecoder(source, 12);
        var sampling = new SamplingDecoder(source, 12) { Temperature = 0 };
        Assert.Equal(greedy.Generate([2], endId: 0).ToArray(), sampling.Generate([2], endId: 0).ToArray());

        float[] withImpossible = [float.NegativeInfinity, (float)Math.Log(0.5), float.NegativeInfinity, (float)Math.Log(0.5)];
        var sampler = new TokenSampler(4, 1) { Temperature = 3f };
        for (int n = 0; n < 10_000; n++) Assert.True(sampler.Sample(withImpossible) is 1 or 3);
    }

    [Fact]
    public void Bad_settings_throw()
    {
        var sampler = new TokenSampler(6);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Temperature = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.TopK = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.TopP = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.TopP = 1.5f);
        Assert.Throws<ArgumentException>(() => sampler.Sample(new float[5]));
        Assert.Throws<ArgumentException>(() => sampler.Sample(new float[] { 0, 0, 0, float.NaN, 0, 0 }));
    }
}
