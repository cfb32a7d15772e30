using System;
using RnnGen.Decoding;
using RnnGen.Seq2Seq;
using RnnGen.Tests.Decoding;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>
/// On tiny encoder–decoders (6 target ids, at most 3 tokens), beam search with a width that keeps every hypothesis
/// returns exactly what exhaustive search finds, and the winner's log-probability is the teacher-forced training
/// pass's: the decoder states (GRU; LSTM h and c; two stacked layers) follow the beams through Reorder.
/// </summary>
public class Seq2SeqExhaustiveBeamTests(ITestOutputHelper log)
{
    private const int MaxLength = 3, Width = 125;   // 5 non-<eos> ids, 5^3 hypotheses without <eos>

    public static TheoryData<string, int> Models => new()
    {
        { nameof(TinyAdditiveGru), 0 }, { nameof(TinyAdditiveGru), 2 },
        { nameof(TinyDotLstm), 0 }, { nameof(TinyDotLstm), 1 },
        { nameof(TinyPlainLstmBridge), 2 },
    };

    private static Seq2SeqNetwork Create(string name) => name switch
    {
        nameof(TinyAdditiveGru) => new TinyAdditiveGru(seed: 21),
        nameof(TinyDotLstm) => new TinyDotLstm(seed: 22),
        _ => new TinyPlainLstmBridge(seed: 23),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_beam_holding_every_hypothesis_returns_the_exhaustive_ranking(string name, int penaltyKind)
    {
        Seq2SeqNetwork model = Create(name);
        LengthPenalty penalty = penaltyKind switch { 0 => LengthPenalty.None, 1 => LengthPenalty.Power(1.0), _ => LengthPenalty.Gnmt(0.6) };
        int[] source = { 4, 1, 6, 5 };
        Seq2SeqStepSource steps = model.CreateStepSource(maxSourceSteps: 6, maxRows: Width);
        int[] prompt = { steps.StartId };
        steps.Encode(source);
        var all = ExhaustiveSearch.Enumerate(steps, prompt, MaxLength, steps.EndId, penalty);
        Assert.Equal(1 + 5 + 25 + 125, all.Count);

        var beam = new BeamSearchDecoder(steps, Width, MaxLength) { Penalty = penalty };
        int n = beam.Search(prompt, endId: steps.EndId, best: 0);
        Assert.Equal(Width, n);
        ExhaustiveSearch.AssertSameBest(beam, n, all, tolerance: 1e-5);
        Assert.Equal(4, beam.Search(prompt, endId: steps.EndId, best: 4));
        ExhaustiveSearch.AssertSameBest(beam, 4, all, tolerance: 1e-5);
        log.WriteLine($"{name}, {penalty}: {all[0]}");

        // the winner scored by the training pass (teacher forcing, logits [Ty, 1, Vt])
        int v = model.Shape.TargetVocabulary, length = beam[0].Length;
        int[] target = new int[length];
        beam.TokensOf(0).CopyTo(target);
        if (beam[0].EndedWithEos) target[^1] = steps.EndId;
        Seq2SeqSession session = model.CreateSession(1, source.Length, MaxLength);
        session.Forward(source, new[] { source.Length }, target, new[] { length }, 1, source.Length, length);
        double logP = 0;
        for (int t = 0; t < length; t++)
        {
            ReadOnlySpan<float> logits = session.Logits.Slice(t * v, v);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float z in logits) max = Math.Max(max, z);
            foreach (float z in logits) sum += Math.Exp(z - max);
            logP += logits[target[t]] - max - Math.Log(sum);
        }
        Assert.Equal(logP, beam[0].LogProbability, 4);
    }
}
