using System;
using RnnGen.Decoding;

namespace RnnGen.Tests.Decoding;

public class BeamSearchTests
{
    private const int Eos = 0, A = 1, B = 2, Sos = 3;

    // From <sos> "a" is most likely, but after "a" the mass is spread, while "b" is nearly always followed by <eos>.
    private static readonly double[,] GreedyTrap =
    {
        //        eos    a     b    sos
        /*eos*/ { 1.0,  0.0,  0.0,  0.0 },
        /*a  */ { 0.30, 0.36, 0.34, 0.0 },
        /*b  */ { 0.90, 0.05, 0.05, 0.0 },
        /*sos*/ { 0.10, 0.50, 0.40, 0.0 },
    };

    [Fact]
    public void Greedy_follows_the_argmax_path()
    {
        var source = new MarkovStepSource(GreedyTrap, 1);
        var greedy = new GreedyDecoder(source, 3);
        greedy.Generate([Sos], endId: Eos);
        Assert.Equal(new[] { A, A, A }, greedy.Tokens.ToArray());
        Assert.False(greedy.EndedWithEos);
        double expected = source.LogP(Sos, A) + (double)source.LogP(A, A) + source.LogP(A, A);
        Assert.Equal(expected, greedy.LogProbability, 12);
    }

    [Fact]
    public void Beam_search_finds_a_more_probable_sequence_than_greedy()
    {
        var source = new MarkovStepSource(GreedyTrap, 2);
        var greedy = new GreedyDecoder(source, 3);
        greedy.Generate([Sos], endId: Eos);
        var beam = new BeamSearchDecoder(source, beamWidth: 2, maxLength: 3);
        Assert.Equal(1, beam.Search([Sos], endId: Eos));
        Assert.Equal(new[] { B }, beam.TokensOf(0).ToArray());
        Assert.True(beam[0].EndedWithEos);
        Assert.Equal(2, beam[0].Length);
        Assert.Equal(Math.Log(0.4 * 0.9), beam[0].LogProbability, 5);
        Assert.True(beam[0].LogProbability > greedy.LogProbability + 1);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    [InlineData(4L)]
    public void Beam_width_one_equals_greedy(long seed)
    {
        var source = new MarkovStepSource(MarkovStepSource.RandomTable(6, seed), 1);
        var greedy = new GreedyDecoder(source, 8);
        var beam = new BeamSearchDecoder(source, 1, 8);
        foreach (int endId in new[] { -1, Eos })
        {
            for (int start = 0; start < 6; start++)
            {
                greedy.Generate([start], endId: endId);
                Assert.Equal(1, beam.Search([start], endId: endId));
                Assert.Equal(greedy.Tokens.ToArray(), beam.TokensOf(0).ToArray());
                Assert.Equal(greedy.EndedWithEos, beam[0].EndedWithEos);
                Assert.Equal(greedy.LogProbability, beam[0].LogProbability, 12);
            }
        }
    }

    public static TheoryData<int, long> Penalties => new() { { 0, 11L }, { 1, 12L }, { 2, 13L }, { 0, 14L }, { 1, 15L }, { 2, 16L } };

    [Theory]
    [MemberData(nameof(Penalties))]
    public void A_wide_beam_finds_the_exhaustive_best(int penaltyKind, long seed)
    {
        LengthPenalty penalty = penaltyKind switch { 0 => LengthPenalty.None, 1 => LengthPenalty.Power(1.0), _ => LengthPenalty.Gnmt(0.7) };
        const int V = 4, MaxLength = 4;
        var source = new MarkovStepSource(MarkovStepSource.RandomTable(V, seed), 64);
        var all = source.Enumerate(start: 2, MaxLength, Eos, penalty);
        var beam = new BeamSearchDecoder(source, beamWidth: 64, MaxLength) { Penalty = penalty };
        int n = beam.Search([2], endId: Eos, best: 5);
        Assert.Equal(5, n);
        for (int r = 0; r < n; r++)
        {
            Assert.Equal(all[r].Tokens, beam.TokensOf(r).ToArray());
            Assert.Equal(all[r].Ended, beam[r].EndedWithEos);
            Assert.Equal(all[r].LogP, beam[r].LogProbability, 9);
            Assert.Equal(all[r].Score, beam[r].Score, 9);
            if (r > 0) Assert.True(beam[r - 1].Score >= beam[r].Score);
        }
    }

    [Fact]
    public void Length_normalization_changes_the_winner()
    {
        // Stopping at once has probability 0.5; "a a a" (the maximum length) 0.5·0.9·0.9 = 0.405 but over 3 tokens.
        double[,] table =
        {
            //        eos   a    b    sos
            /*eos*/ { 1.0, 0.0, 0.0, 0.0 },
            /*a  */ { 0.1, 0.9, 0.0, 0.0 },
            /*b  */ { 1.0, 0.0, 0.0, 0.0 },
            /*sos*/ { 0.5, 0.5, 0.0, 0.0 },
        };
        var source = new MarkovStepSource(table, 4);
        var beam = new BeamSearchDecoder(source, beamWidth: 4, maxLength: 3);

        beam.Search([Sos], endId: Eos, best: 0);
        Assert.Empty(beam.TokensOf(0).ToArray());             // log 0.5 = −0.69 beats log 0.405 = −0.90
        Assert.True(beam[0].EndedWithEos);
        Assert.Equal(1, beam[0].Length);

        foreach (LengthPenalty penalty in new[] { LengthPenalty.Power(1.0), LengthPenalty.Gnmt(2.0) })
        {
            beam.Penalty = penalty;
            beam.Search([Sos], endId: Eos, best: 0);
            Assert.Equal(new[] { A, A, A }, beam.TokensOf(0).ToArray());   // −0.90 / 3 = −0.30 beats −0.69 / 1
            Assert.False(beam[0].EndedWithEos);
            Assert.Equal(Math.Log(0.405) / penalty.Of(3), beam[0].Score, 5);
            var all = source.Enumerate(Sos, 3, Eos, penalty);
            Assert.Equal(all[0].Tokens, beam.TokensOf(0).ToArray());
        }
    }

    [Theory]
    [InlineData(0.90, 0, 0.0, false)]   // none: log 0.405 = −0.904 < log 0.5 = −0.693
    [InlineData(0.90, 1, 1.0, true)]    // L^1: −0.904 / 3 = −0.301
    [InlineData(0.90, 1, 0.5, true)]    // L^0.5: −0.904 / 1.732 = −0.522
    [InlineData(0.90, 2, 0.6, false)]   // GNMT(0.6): −0.904 / (8/6)^0.6 = −0.761, still below −0.693
    [InlineData(0.97, 2, 0.6, true)]    // GNMT(0.6): log 0.470 = −0.754, / 1.189 = −0.635
    [InlineData(0.97, 0, 0.0, false)]   // none: −0.754 < −0.693
    public void Length_normalization_flips_the_winner_exactly_where_the_formula_says(double stay, int kind, double alpha, bool longWins)
    {
        // <eos> at once (P = 0.5) against "a a a" (P = 0.5 · stay², cut at the maximum length, L = 3 for both penalties)
        double[,] table =
        {
            //        eos         a     b    sos
            /*eos*/ { 1.0,        0.0,  0.0, 0.0 },
            /*a  */ { 1.0 - stay, stay, 0.0, 0.0 },
            /*b  */ { 1.0,        0.0,  0.0, 0.0 },
            /*sos*/ { 0.5,        0.5,  0.0, 0.0 },
        };
        LengthPenalty penalty = kind switch { 0 => LengthPenalty.None, 1 => LengthPenalty.Power(alpha), _ => LengthPenalty.Gnmt(alpha) };
        var source = new MarkovStepSource(table, 4);
        var beam = new BeamSearchDecoder(source, beamWidth: 4, maxLength: 3) { Penalty = penalty };
        beam.Search([Sos], endId: Eos, best: 0);
        Assert.Equal(longWins ? new[] { A, A, A } : Array.Empty<int>(), beam.TokensOf(0).ToArray());
        Assert.Equal(!longWins, beam[0].EndedWithEos);
        double shortScore = Math.Log(0.5), longScore = Math.Log(0.5 * stay * stay) / penalty.Of(3);
        Assert.Equal(Math.Max(shortScore, longScore), beam[0].Score, 5);
        Assert.Equal(source.Enumerate(Sos, 3, Eos, penalty)[0].Tokens, beam.TokensOf(0).ToArray());
    }

    [Fact]
    public void Penalty_formulas()
    {
        Assert.Equal(1.0, LengthPenalty.None.Of(7));
        Assert.Equal(Math.Pow(7, 0.6), LengthPenalty.Power(0.6).Of(7), 12);
        Assert.Equal(Math.Pow(12, 0.6) / Math.Pow(6, 0.6), LengthPenalty.Gnmt(0.6).Of(7), 12);
        Assert.Equal(-2.0 / Math.Pow(4, 0.5), LengthPenalty.Power(0.5).Score(-2.0, 4), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthPenalty.Power(-1));
    }

    [Fact]
    public void Without_eos_every_hypothesis_has_the_maximum_length()
    {
        var source = new MarkovStepSource(MarkovStepSource.RandomTable(5, 21), 3);
        var beam = new BeamSearchDecoder(source, 3, 6);
        Assert.Equal(3, beam.Search([1], best: 3));
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(6, beam.TokensOf(r).Length);
            Assert.False(beam[r].EndedWithEos);
        }
        Assert.Equal(1 + 5, source.Steps);   // the prompt, then one step per token but the last
    }

    [Fact]
    public void Bad_arguments_are_clear_errors()
    {
        var source = new MarkovStepSource(GreedyTrap, 2);
        Assert.Throws<ArgumentException>(() => new BeamSearchDecoder(source, 3, 5));   // source too narrow
        var beam = new BeamSearchDecoder(source, 2, 5);
        Assert.Throws<ArgumentException>(() => beam.Search([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => beam.Search([9]));
        Assert.Throws<ArgumentOutOfRangeException>(() => beam.Search([Sos], maxLength: 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => beam.Search([Sos], endId: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => beam.Search([Sos], best: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GreedyDecoder(source, 0));
    }
}
