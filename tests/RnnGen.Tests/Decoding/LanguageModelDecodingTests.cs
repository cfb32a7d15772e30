using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Decoding;
using RnnGen.Tests.Support;

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

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    public void Generating_n_tokens_from_a_one_token_prompt_costs_exactly_n_model_steps(int n)
    {
        // Counted where it matters, in the model's session: streaming steps, tokens fed, and full Forward passes.
        var model = new DecodingLm(seed: 9);
        var session = new CountingSession(model.CreateSession(3, 1));
        var source = new SessionStepSource(session, DecodingLm.OutputSize);
        int[] prompt = [2];

        var greedy = new GreedyDecoder(source, n);
        session.Clear();
        int[] tokens = greedy.Generate(prompt).ToArray();
        Assert.Equal(n, tokens.Length);
        Assert.Equal((n, n, 0), (session.StepCalls, (int)session.TokensFed, session.Forwards));

        var sampler = new SamplingDecoder(source, n, seed: 4) { Temperature = 1.5f, TopK = 8 };
        session.Clear();
        Assert.Equal(n, sampler.Generate(prompt).Length);
        Assert.Equal((n, n, 0), (session.StepCalls, (int)session.TokensFed, session.Forwards));

        var beam = new BeamSearchDecoder(source, 3, n);
        session.Clear();
        beam.Search(prompt, best: 3);
        Assert.Equal(n, beam.TokensOf(0).Length);
        Assert.Equal(n, session.StepCalls);                        // one batched step per token, for all beams at once
        Assert.InRange(session.TokensFed, n, 1 + 3L * (n - 1));     // the prompt, then ≤ 3 rows per step
        Assert.Equal(0, session.Forwards);

        if (n < 10) return;
        // Ending at <eos>: stop at the first occurrence of a token the unconstrained run produced late.
        int end = tokens.Distinct().OrderBy(t => Array.IndexOf(tokens, t)).Last(), at = Array.IndexOf(tokens, end);
        session.Clear();
        Assert.Equal(tokens.Take(at), greedy.Generate(prompt, endId: end).ToArray());
        Assert.True(greedy.EndedWithEos);
        Assert.Equal(at + 1, greedy.Length);                      // N = the tokens and the <eos>
        Assert.Equal(at + 1, session.StepCalls);
    }

    [Fact]
    public void A_prompt_far_longer_than_the_session_streams_through_and_matches_forward()
    {
        // SessionStepSource.Create makes a session of maxSteps = 1: a prompt has no workspace limit, it streams.
        var model = new DecodingLm(seed: 10);
        var source = SessionStepSource.Create(model, maxBatch: 1);
        Assert.Equal(1, source.Session.MaxSteps);
        int[] prompt = Enumerable.Range(0, 300).Select(i => (i * 7 + i / 5) % 12).ToArray();
        var greedy = new GreedyDecoder(source, 4);
        int[] tokens = greedy.Generate(prompt).ToArray();

        int total = prompt.Length + tokens.Length - 1;
        int[] sequence = prompt.Concat(tokens).ToArray();
        var full = model.CreateSession(1, total);
        full.Forward(sequence.AsSpan(0, total), 1, total);
        for (int k = 0; k < tokens.Length; k++)
        {
            ReadOnlySpan<float> p = full.HeadOutput.Slice((prompt.Length - 1 + k) * DecodingLm.OutputSize, DecodingLm.OutputSize);
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p), tokens[k]);
        }
    }

    /// <summary>The tokens q allows after <paramref name="logP"/>: tempered, top-k (ties by id), then the nucleus.
    /// Written independently of TokenSampler.</summary>
    private static HashSet<int> Allowed(float[] logP, float temperature, int topK, float topP)
    {
        double max = logP.Max();
        double[] w = logP.Select(lp => Math.Exp((lp - max) / temperature)).ToArray();
        int[] order = Enumerable.Range(0, w.Length).OrderByDescending(i => w[i]).ThenBy(i => i).ToArray();
        int keep = topK > 0 ? Math.Min(topK, w.Length) : w.Length;
        double mass = order.Take(keep).Sum(i => w[i]), running = 0;
        var allowed = new HashSet<int>();
        foreach (int i in order.Take(keep))
        {
            allowed.Add(i);
            running += w[i];
            if (topP < 1 && running >= topP * mass) break;
        }
        return allowed;
    }

    [Theory]
    [InlineData(2.0f, 3, 1.0f)]
    [InlineData(1.0f, 0, 0.5f)]
    [InlineData(1.5f, 5, 0.7f)]
    public void Sampling_a_language_model_never_leaves_the_top_k_and_nucleus_of_each_step(float temperature, int topK, float topP)
    {
        var model = new DecodingLm(seed: 11);
        var recorder = new RecordingStepSource(SessionStepSource.Create(model, maxBatch: 1));
        int[] prompt = [2, 5];
        const int N = 400;
        var sampler = new SamplingDecoder(recorder, N, seed: 12) { Temperature = temperature, TopK = topK, TopP = topP };
        int[] tokens = sampler.Generate(prompt).ToArray();
        Assert.Equal(N, tokens.Length);
        Assert.Equal(prompt.Length + N - 1, recorder.Rows.Count);
        int restricted = 0;
        for (int i = 0; i < N; i++)
        {
            HashSet<int> allowed = Allowed(recorder.Rows[prompt.Length - 1 + i], temperature, topK, topP);
            Assert.Contains(tokens[i], allowed);
            restricted += allowed.Count < DecodingLm.OutputSize ? 1 : 0;
        }
        Assert.True(restricted > N / 2, $"the truncation removed tokens at only {restricted} of {N} steps");

        // The check has teeth: without truncation, the same temperature and seed leave those sets.
        var free = new SamplingDecoder(recorder, N, seed: 12) { Temperature = temperature };
        int[] loose = free.Generate(prompt).ToArray();
        int outside = Enumerable.Range(0, N).Count(i => !Allowed(recorder.Rows[prompt.Length - 1 + i], temperature, topK, topP).Contains(loose[i]));
        Assert.True(outside > 0, "untruncated sampling never left the allowed sets: the test would not notice a broken truncation");

        // and the same seed gives the same text, through the whole model
        var again = new SamplingDecoder(SessionStepSource.Create(model, maxBatch: 1), N, seed: 12) { Temperature = temperature, TopK = topK, TopP = topP };
        Assert.Equal(tokens, again.Generate(prompt).ToArray());
        var other = new SamplingDecoder(SessionStepSource.Create(model, maxBatch: 1), N, seed: 13) { Temperature = temperature, TopK = topK, TopP = topP };
        Assert.NotEqual(tokens, other.Generate(prompt).ToArray());
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
        int[] row = [1, 2, 3, 4, 5];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => source.Step(row, 5), callsPerWindow: 5));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => greedy.Generate(prompt, endId: 3), callsPerWindow: 5));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sampling.Generate(prompt, endId: 3), callsPerWindow: 5));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => beam.Search(prompt, endId: 3, best: 3), callsPerWindow: 5));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => beam.Search(prompt, best: 5), callsPerWindow: 5));
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
