using System;
using RnnGen.Decoding;
using Xunit.Abstractions;

namespace RnnGen.Tests.Decoding;

/// <summary>
/// Beam search with a width that keeps every hypothesis equals exhaustive search — on sources whose state matters, so
/// the beams' <see cref="ITokenStepSource.Reorder"/> bookkeeping is part of what is checked.
/// </summary>
public class ExhaustiveBeamTests(ITestOutputHelper log)
{
    private const int Eos = 0;

    public static TheoryData<int, long> Penalties => new() { { 0, 31L }, { 1, 32L }, { 2, 33L }, { 3, 34L } };

    private static LengthPenalty PenaltyOf(int kind) => kind switch
    {
        0 => LengthPenalty.None,
        1 => LengthPenalty.Power(1.0),
        2 => LengthPenalty.Gnmt(0.7),
        _ => LengthPenalty.Power(0.5),
    };

    [Theory]
    [MemberData(nameof(Penalties))]
    public void A_beam_holding_every_hypothesis_returns_the_exhaustive_ranking_of_a_second_order_table(int penaltyKind, long seed)
    {
        const int V = 4, MaxLength = 4, Width = 81;   // (V − 1)^MaxLength: no live prefix is ever dropped
        LengthPenalty penalty = PenaltyOf(penaltyKind);
        int[] prompt = [2];
        var source = new SecondOrderStepSource(V, seed, Width);
        var all = ExhaustiveSearch.Enumerate(source, prompt, MaxLength, Eos, penalty);
        Assert.Equal(1 + 3 + 9 + 27 + 81, all.Count);   // <eos> after 0..3 tokens, or 4 tokens without it

        var beam = new BeamSearchDecoder(source, Width, MaxLength) { Penalty = penalty };
        int n = beam.Search(prompt, endId: Eos, best: 0);
        Assert.Equal(Width, n);
        ExhaustiveSearch.AssertSameBest(beam, n, all, tolerance: 1e-12);
        // asking for fewer lets the search stop early (once no live beam can still reach the 3rd score): same top 3
        Assert.Equal(3, beam.Search(prompt, endId: Eos, best: 3));
        ExhaustiveSearch.AssertSameBest(beam, 3, all, tolerance: 1e-12);
        log.WriteLine($"{penalty}: best {all[0]}, 81st {all[80]}");

        // The same search on a source whose Reorder does nothing: the rows keep stale older tokens, and the
        // comparison above notices (so it really checks the state handling, not just the arithmetic).
        var broken = new SecondOrderStepSource(V, seed, Width) { IgnoreReorder = true };
        var wrong = new BeamSearchDecoder(broken, Width, MaxLength) { Penalty = penalty };
        wrong.Search(prompt, endId: Eos, best: 0);
        Assert.NotNull(Record.Exception(() => ExhaustiveSearch.AssertSameBest(wrong, wrong.Count, all, 1e-12)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_wide_beam_on_a_token_lstm_returns_the_exhaustive_ranking(int penaltyKind)
    {
        // The generated LSTM language model, restricted to 4 ids: every hypothesis of up to 4 tokens fits in 81 beams.
        const int V = 4, End = 3, MaxLength = 4, Width = 81;
        LengthPenalty penalty = PenaltyOf(penaltyKind);
        var model = new DecodingLm(seed: 8);
        var source = SessionStepSource.Create(model, maxBatch: Width, activeVocabulary: V);
        int[] prompt = [2, 1];
        var all = ExhaustiveSearch.Enumerate(source, prompt, MaxLength, End, penalty);
        var beam = new BeamSearchDecoder(source, Width, MaxLength) { Penalty = penalty };
        int n = beam.Search(prompt, endId: End, best: 0);
        Assert.Equal(Width, n);
        ExhaustiveSearch.AssertSameBest(beam, n, all, tolerance: 1e-5);
        Assert.Equal(3, beam.Search(prompt, endId: End, best: 3));
        ExhaustiveSearch.AssertSameBest(beam, 3, all, tolerance: 1e-5);
        log.WriteLine($"{penalty}: best {all[0]}; beam #1 log P {beam[0].LogProbability:F6}");

        // and the winner's log P is what a plain Forward over the whole sequence gives (renormalized over the 4 ids)
        int[] tokens = beam.TokensOf(0).ToArray();
        var sequence = new int[prompt.Length + beam[0].Length];
        prompt.CopyTo(sequence, 0);
        tokens.CopyTo(sequence, prompt.Length);
        if (beam[0].EndedWithEos) sequence[^1] = End;
        var check = model.CreateSession(1, sequence.Length);
        check.Forward(sequence.AsSpan(0, sequence.Length - 1), 1, sequence.Length - 1);
        double logP = 0;
        for (int t = prompt.Length; t < sequence.Length; t++)
        {
            ReadOnlySpan<float> p = check.HeadOutput.Slice((t - 1) * DecodingLm.OutputSize, V);
            double sum = 0;
            foreach (float q in p) sum += q;
            logP += Math.Log(p[sequence[t]] / sum);
        }
        Assert.Equal(logP, beam[0].LogProbability, 4);
    }
}
