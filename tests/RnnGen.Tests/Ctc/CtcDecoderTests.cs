using System;
using RnnGen.Ctc;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Ctc;

public class CtcDecoderTests
{
    private static float[] Log(float[] probabilities)
    {
        var result = new float[probabilities.Length];
        for (int i = 0; i < result.Length; i++) result[i] = MathF.Log(probabilities[i]);
        return result;
    }

    [Fact]
    public void Greedy_CollapsesRepeatsAndDropsBlanks()
    {
        // classes: 0 = blank, 1 = a, 2 = b; best path a a _ b b _ a _ a → "abaa"
        float[] probabilities =
        {
            0.1f, 0.8f, 0.1f,
            0.2f, 0.7f, 0.1f,
            0.6f, 0.2f, 0.2f,
            0.1f, 0.1f, 0.8f,
            0.3f, 0.1f, 0.6f,
            0.9f, 0.05f, 0.05f,
            0.1f, 0.5f, 0.4f,
            0.7f, 0.2f, 0.1f,
            0.2f, 0.6f, 0.2f,
        };
        Assert.Equal(new[] { 1, 2, 1, 1 }, CtcGreedyDecoder.Decode(probabilities, 3));
        Assert.Equal(new[] { 1, 2, 1, 1 }, CtcGreedyDecoder.Decode(Log(probabilities), 3)); // same on log scale

        // blank = 2 instead: path a a 0 b b 0 a 0 a → labels 1 0 1 0 1 0 1 (b's are blanks now)
        Assert.Equal(new[] { 1, 0, 0, 1, 0, 1 }, CtcGreedyDecoder.Decode(probabilities, 3, blank: 2));

        var labels = new int[9];
        int n = 0;
        Assert.Equal(0, SteadyState.AllocatedBytes(() => n = CtcGreedyDecoder.Decode(probabilities, 9, 3, labels), callsPerWindow: 1, warmUpCalls: 0));
        Assert.Equal(4, n);
    }

    [Fact]
    public void BeamSearch_FindsBetterLabellingThanGreedy()
    {
        // blank 0.6 / a 0.4 at both steps: the best path is "" (0.36), but "a" collects
        // a a + a _ + _ a = 0.16 + 0.24 + 0.24 = 0.64.
        float[] probabilities = { 0.6f, 0.4f, 0.6f, 0.4f };
        Assert.Empty(CtcGreedyDecoder.Decode(probabilities, 2));

        var search = new CtcPrefixBeamSearch(maxSteps: 2, classes: 2, beamWidth: 4);
        CtcHypothesis[] best = search.DecodeNBest(Log(probabilities), 2, nBest: 3);
        Assert.Equal(new[] { 1 }, best[0].Labels);
        Assert.Equal(Math.Log(0.64), best[0].LogProbability, 5);
        Assert.Empty(best[1].Labels);
        Assert.Equal(Math.Log(0.36), best[1].LogProbability, 5);
        Assert.Equal(2, best.Length); // "aa" needs a blank between: impossible in 2 steps
    }

    [Fact]
    public void BeamSearch_ThreeSteps_MergesAlignments()
    {
        // classes 0 blank, 1 a, 2 b. Greedy picks _ at each step ("" ), the total mass favours "a".
        float[] probabilities =
        {
            0.5f, 0.4f, 0.1f,
            0.5f, 0.4f, 0.1f,
            0.5f, 0.4f, 0.1f,
        };
        Assert.Empty(CtcGreedyDecoder.Decode(probabilities, 3));
        var search = new CtcPrefixBeamSearch(3, 3, 8);
        CtcHypothesis[] best = search.DecodeNBest(Log(probabilities), 3, 1);
        Assert.Equal(new[] { 1 }, best[0].Labels);
    }

    /// <summary>With a beam wide enough to keep every prefix, each hypothesis's probability is exact:
    /// it equals exp(−CTC loss) of that labelling.</summary>
    [Fact]
    public void BeamSearch_ProbabilitiesEqualCtcLikelihood()
    {
        const int T = 4, C = 3;
        float[] logits = TestData.Uniform(T * C, 21, 2f);
        var logProbabilities = new float[T * C];
        Softmax.LogForward(T, C, logits, logProbabilities);
        var search = new CtcPrefixBeamSearch(T, C, beamWidth: 64);
        CtcHypothesis[] all = search.DecodeNBest(logProbabilities, T, 64);
        var ctc = new CtcLoss(T, C, T);
        double total = 0;
        for (int i = 0; i < all.Length; i++)
        {
            double exact = -ctc.Compute(logits, all[i].Labels, default);
            Assert.Equal(exact, all[i].LogProbability, 4);
            total += Math.Exp(exact);
            if (i > 0) Assert.True(all[i - 1].LogProbability >= all[i].LogProbability);
        }
        Assert.Equal(1.0, total, 4); // every labelling of length ≤ T is enumerated
    }

    [Fact]
    public void BeamSearch_DoesNotAllocate_AfterSetup()
    {
        const int T = 20, C = 6;
        float[] logits = TestData.Uniform(T * C, 4, 3f);
        var lp = new float[T * C];
        Softmax.LogForward(T, C, logits, lp);
        var search = new CtcPrefixBeamSearch(T, C, 5);
        var labels = new int[T];
        search.Decode(lp, T);
        int count = 0, n = 0;
        double logP = 0;
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            count = search.Decode(lp, T);
            n = search.GetLabels(0, labels);
            logP = search.GetLogProbability(0);
        }, callsPerWindow: 1, warmUpCalls: 0));
        Assert.True(count is > 0 and <= 5);
        Assert.True(n >= 0 && logP <= 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => search.Decode(lp, T + 1));
    }
}
