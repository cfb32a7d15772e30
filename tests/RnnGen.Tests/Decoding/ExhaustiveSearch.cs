using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Decoding;

namespace RnnGen.Tests.Decoding;

/// <summary>One complete hypothesis of an exhaustive search.</summary>
internal sealed record Hypothesis(int[] Tokens, bool Ended, double LogP, double Score)
{
    public override string ToString() => $"[{string.Join(' ', Tokens)}{(Ended ? " <eos>" : "")}] log P {LogP:F6} score {Score:F6}";
}

/// <summary>
/// Exhaustive search over any <see cref="ITokenStepSource"/>, written without the beam search's machinery: every
/// prefix is replayed from <see cref="ITokenStepSource.Reset"/> in row 0 with batch-1 steps (no <see cref="ITokenStepSource.Reorder"/>,
/// no multi-row batches), and every continuation that ends with <c>endId</c> or reaches <c>maxLength</c> tokens is
/// scored like the decoders score (float log-probabilities summed in double, divided by the length penalty of
/// L = tokens + 1 for the &lt;eos&gt;).
/// </summary>
internal static class ExhaustiveSearch
{
    public static List<Hypothesis> Enumerate(ITokenStepSource source, int[] prompt, int maxLength, int endId, LengthPenalty penalty)
    {
        int v = source.VocabularySize;
        var results = new List<Hypothesis>();
        var prefix = new List<int>();
        void Walk(double logP)
        {
            source.Reset();
            foreach (int token in prompt) source.Step(new[] { token }, 1);
            foreach (int token in prefix) source.Step(new[] { token }, 1);
            float[] distribution = source.LogProbabilities.Slice(0, v).ToArray();
            for (int token = 0; token < v; token++)
            {
                float lp = distribution[token];
                if (float.IsNegativeInfinity(lp)) continue;
                double total = logP + lp;
                if (token == endId)
                {
                    results.Add(new Hypothesis(prefix.ToArray(), true, total, penalty.Score(total, prefix.Count + 1)));
                    continue;
                }
                prefix.Add(token);
                if (prefix.Count == maxLength) results.Add(new Hypothesis(prefix.ToArray(), false, total, penalty.Score(total, prefix.Count)));
                else Walk(total);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        Walk(0);
        results.Sort((a, b) => b.Score.CompareTo(a.Score));
        return results;
    }

    /// <summary>
    /// Asserts that the decoder's last search returned exactly the <c>n</c> best hypotheses of <paramref name="all"/>:
    /// rank by rank the same score (within <paramref name="tolerance"/>), and as a set the same hypotheses (tokens,
    /// &lt;eos&gt;, log P) — hypotheses whose scores are closer than the tolerance may come in either order.
    /// </summary>
    public static void AssertSameBest(BeamSearchDecoder beam, int n, IReadOnlyList<Hypothesis> all, double tolerance)
    {
        Assert.True(all.Count >= n, $"only {all.Count} hypotheses exist");
        var seen = new HashSet<string>();
        for (int r = 0; r < n; r++)
        {
            BeamHypothesis h = beam[r];
            int[] tokens = beam.TokensOf(r).ToArray();
            Assert.True(Math.Abs(all[r].Score - h.Score) <= tolerance,
                $"rank {r}: beam score {h.Score:F9}, exhaustive {all[r]}");
            Hypothesis? match = all.FirstOrDefault(e => e.Tokens.AsSpan().SequenceEqual(tokens) && e.Ended == h.EndedWithEos);
            Assert.True(match is not null, $"rank {r}: the beam's [{string.Join(' ', tokens)}] is not a hypothesis");
            Assert.True(Math.Abs(match!.LogP - h.LogProbability) <= tolerance, $"rank {r}: log P {h.LogProbability:F9}, exhaustive {match}");
            Assert.True(Math.Abs(match.Score - all[r].Score) <= tolerance, $"rank {r}: the beam returned {match}, but rank {r} is {all[r]}");
            Assert.True(seen.Add(string.Join(' ', tokens) + (h.EndedWithEos ? " <eos>" : "")), $"rank {r}: returned twice");
        }
    }

    /// <summary>Whether the first <paramref name="n"/> results of the decoder are the first n of <paramref name="all"/>, token for token.</summary>
    public static bool SameTokens(BeamSearchDecoder beam, int n, IReadOnlyList<Hypothesis> all)
    {
        for (int r = 0; r < n; r++)
        {
            if (!beam.TokensOf(r).SequenceEqual(all[r].Tokens) || beam[r].EndedWithEos != all[r].Ended) return false;
        }
        return true;
    }
}
