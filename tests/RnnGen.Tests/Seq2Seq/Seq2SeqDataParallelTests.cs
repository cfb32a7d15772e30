using System;
using System.Linq;
using RnnGen.Seq2Seq;
using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>Batches, and gradients split across cores equal to one session's.</summary>
public class Seq2SeqDataParallelTests(ITestOutputHelper log)
{
    private static Seq2SeqBatch MakeBatch()
    {
        var batch = new Seq2SeqBatch(7, 6, 5);
        var random = new RnnGen.Initialization.SeededRandom(8);
        for (int i = 0; i < 7; i++)
        {
            int[] source = Enumerable.Range(0, 1 + random.NextInt(6)).Select(_ => 1 + random.NextInt(6)).ToArray();
            int[] target = Enumerable.Range(0, 1 + random.NextInt(5)).Select(_ => 1 + random.NextInt(5)).ToArray();
            batch.Add(source, target);
        }
        return batch;
    }

    [Fact]
    public void Two_threads_give_the_single_session_gradient_and_repeat_exactly()
    {
        var model = new TinyAdditiveGru(seed: 4);
        Seq2SeqBatch batch = MakeBatch();

        Seq2SeqSession session = model.CreateSession(7, 6, 5);
        session.Forward(batch);
        float expectedLoss = session.Loss();
        model.ZeroGradients();
        session.Backward();
        float[] expected = (float[])model.Gradients.Clone();

        using var parallel = new Seq2SeqDataParallel(model, threads: 2, maxBatch: 7, maxSourceSteps: 6, maxTargetSteps: 5);
        float loss = parallel.ComputeGradients(batch);
        float[] first = (float[])model.Gradients.Clone();
        Assert.Equal(expectedLoss, loss, 5);
        double worst = expected.Zip(first, (a, b) => Math.Abs(a - b) / Math.Max(1e-3, Math.Abs(a))).Max();
        log.WriteLine($"max relative difference, 2 threads vs 1: {worst:E2}");
        Assert.True(worst < 1e-4, $"2-thread gradient differs by {worst:E2}");

        parallel.ComputeGradients(batch);
        Assert.Equal(first, model.Gradients);

        Assert.Equal(0, SteadyState.AllocatedBytes(() => parallel.ComputeGradients(batch), callsPerWindow: 3, warmUpCalls: 3));
    }

    [Fact]
    public void Batch_pads_to_the_longest_pair_and_rejects_what_does_not_fit()
    {
        var batch = new Seq2SeqBatch(2, 4, 3);
        batch.Add(new[] { 5, 6 }, new[] { 7, 3 });
        batch.Add(new[] { 1, 2, 3 }, new[] { 3 });
        Assert.Equal(3, batch.SourceSteps);
        Assert.Equal(2, batch.TargetSteps);
        Assert.Equal(new[] { 5, 6, 0, 1, 2, 3 }, batch.Source(0, 2).ToArray());
        Assert.Equal(new[] { 7, 3, 3, 0 }, batch.Target(0, 2).ToArray());
        Assert.Equal(3, batch.TargetTokens(0, 2));
        Assert.Throws<InvalidOperationException>(() => batch.Add(new[] { 1 }, new[] { 3 }));
        batch.Clear();
        Assert.Contains("1..4", Assert.Throws<ArgumentException>(() => batch.Add(new[] { 1, 2, 3, 4, 5 }, new[] { 3 })).Message);
        Assert.Throws<ArgumentException>(() => batch.Add(ReadOnlySpan<int>.Empty, new[] { 3 }));
    }
}
