using System;
using RnnGen.Decoding;

namespace RnnGen.Tests.Decoding;

public class LanguageModelDecodingTests
{
    [Fact]
    public void Streaming_generation_equals_forward_over_the_growing_prefix()
    {
        var model = new DecodingLm(seed: 3);
        var source = SessionStepSource.Create(model, maxBatch: 1);
        var greedy = new GreedyDecoder(source, 10);
        int[] prompt = [2, 7, 5];
        int[] generated = greedy.Generate(prompt).ToArray();
        Assert.Equal(10, generated.Length);

        var full = model.CreateSession(1, prompt.Length + generated.Length);
        var prefix = new int[prompt.Length + generated.Length];
        prompt.CopyTo(prefix, 0);
        double logP = 0;
        for (int k = 0; k < generated.Length; k++)
        {
            int steps = prompt.Length + k;
            full.Forward(prefix.AsSpan(0, steps), 1, steps);
            ReadOnlySpan<float> last = full.HeadOutput.Slice((steps - 1) * DecodingLm.OutputSize, DecodingLm.OutputSize);
            int argMax = 0;
            for (int i = 1; i < last.Length; i++) if (last[i] > last[argMax]) argMax = i;
            Assert.Equal(argMax, generated[k]);
            logP += Math.Log(last[argMax]);
            prefix[steps] = generated[k];
        }
        Assert.Equal(logP, greedy.LogProbability, 4);
    }

    [Fact]
    public void Generating_n_tokens_costs_one_step_per_token()
    {
        var model = new DecodingLm(seed: 4);
        var source = SessionStepSource.Create(model, maxBatch: 3);
        int[] prompt = [2, 4, 6, 8];
        source.StepCount = 0;
        new GreedyDecoder(source, 20).Generate(prompt);
        Assert.Equal(prompt.Length + 20 - 1, source.StepCount);
        source.StepCount = 0;
        new SamplingDecoder(source, 15, seed: 1).Generate(prompt);
        Assert.Equal(prompt.Length + 15 - 1, source.StepCount);
        source.StepCount = 0;
        var beam = new BeamSearchDecoder(source, 3, 12);
        beam.Search(prompt);                    // no <eos>: runs to the maximum length
        Assert.Equal(prompt.Length + 12 - 1, source.StepCount);
    }

    [Fact]
    public void Beam_search_on_the_model_keeps_each_beam_state_and_scores_exactly()
    {
        var model = new DecodingLm(seed: 5);
        var source = SessionStepSource.Create(model, maxBatch: 4);
        var beam = new BeamSearchDecoder(source, 4, 6) { Penalty = LengthPenalty.Gnmt(0.6) };
        int n = beam.Search([2, 9], endId: 3, best: 4);
        Assert.Equal(4, n);
        var check = model.CreateSession(1, 8);
        for (int r = 0; r < n; r++)
        {
            // re-score the hypothesis with a plain Forward over prompt + tokens (+ <eos>)
            BeamHypothesis h = beam[r];
            var sequence = new int[2 + h.Length];
            sequence[0] = 2;
            sequence[1] = 9;
            beam.TokensOf(r).CopyTo(sequence.AsSpan(2));
            if (h.EndedWithEos) sequence[^1] = 3;
            check.Forward(sequence.AsSpan(0, sequence.Length - 1), 1, sequence.Length - 1);
            double logP = 0;
            for (int t = 2; t < sequence.Length; t++) logP += Math.Log(check.HeadOutput[(t - 1) * DecodingLm.OutputSize + sequence[t]]);
            Assert.Equal(logP, h.LogProbability, 4);
            Assert.Equal(logP / LengthPenalty.Gnmt(0.6).Of(h.Length), h.Score, 4);
            if (r > 0) Assert.True(beam[r - 1].Score >= h.Score);
        }
        // width 1 on the model equals greedy
        var narrow = new BeamSearchDecoder(source, 1, 6);
        narrow.Search([2, 9], endId: 3);
        var greedy = new GreedyDecoder(source, 6);
        greedy.Generate([2, 9], endId: 3);
        Assert.Equal(greedy.Tokens.ToArray(), narrow.TokensOf(0).ToArray());
    }

    [Fact]
    public void Decoding_allocates_nothing_after_warm_up()
    {
        var model = new DecodingLm(seed: 6);
        var source = SessionStepSource.Create(model, maxBatch: 5);
        var greedy = new GreedyDecoder(source, 30);
        var sampling = new SamplingDecoder(source, 30, seed: 2) { Temperature = 0.8f, TopK = 6, TopP = 0.9f };
        var beam = new BeamSearchDecoder(source, 5, 30) { Penalty = LengthPenalty.Power(0.7) };
        int[] prompt = [2, 5, 7];
        long Allocated(Action run)
        {
            run();
            run();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) run();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        int[] row = [1, 2, 3, 4, 5];
        Assert.Equal(0, Allocated(() => source.Step(row, 5)));
        Assert.Equal(0, Allocated(() => greedy.Generate(prompt, endId: 3)));
        Assert.Equal(0, Allocated(() => sampling.Generate(prompt, endId: 3)));
        Assert.Equal(0, Allocated(() => beam.Search(prompt, endId: 3, best: 3)));
        Assert.Equal(0, Allocated(() => beam.Search(prompt, best: 5)));
    }

    [Fact]
    public void The_source_checks_the_model_and_can_restrict_the_vocabulary()
    {
        var model = new DecodingLm(seed: 7);
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionStepSource.Create(model, 0));
        Assert.Throws<ArgumentException>(() => SessionStepSource.Create(new RnnGen.Tests.Models.GruEmbeddingParity(), 1));   // no head
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionStepSource.Create(model, 1, activeVocabulary: 13));
        var source = SessionStepSource.Create(model, 2, activeVocabulary: 5);
        Assert.Equal(5, source.VocabularySize);
        source.Reset();
        source.Step([1, 2], 2);
        for (int b = 0; b < 2; b++)
        {
            double sum = 0;
            for (int i = 0; i < 5; i++) sum += Math.Exp(source.LogProbabilities[b * 5 + i]);
            Assert.Equal(1.0, sum, 5);
        }
        var sampling = new SamplingDecoder(source, 50, seed: 1) { Temperature = 2f };
        foreach (int token in sampling.Generate([1])) Assert.InRange(token, 0, 4);
    }
}
