using System;
using RnnGen.Tests.Support;
using RnnGen.Training;
using static RnnGen.Tests.Training.TrainerTestData;

namespace RnnGen.Tests.Training;

public class DataParallelTests
{
    private static float MaxRelativeDifference(float[] a, float[] b)
    {
        float scale = 0, diff = 0;
        for (int i = 0; i < a.Length; i++)
        {
            scale = MathF.Max(scale, MathF.Abs(a[i]));
            diff = MathF.Max(diff, MathF.Abs(a[i] - b[i]));
        }
        return diff / scale;
    }

    private static float[] GradientOfOneBatch(int threads, ArrayTrainerData data, int batchSize)
    {
        var model = new TrainerTagger(seed: 11);
        using var engine = new DataParallelGradients(model, threads, batchSize, data.MaxSteps, () => new TrainerTagger());
        var batch = new TrainerBatch(model, batchSize, data.MaxSteps);
        var indices = new int[batchSize];
        for (int i = 0; i < batchSize; i++) indices[i] = i;
        batch.Prepare(batchSize);
        data.Fill(indices, batch);
        batch.FinishFill();
        engine.Compute(batch);
        return (float[])model.Gradients.Clone();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ShardedGradient_EqualsTheFullBatchMeanGradient(int threads)
    {
        ArrayTrainerData data = Tagging(13, 6, seed: 4, ragged: true); // unequal lengths: shards weighted by valid steps
        float[] single = GradientOfOneBatch(1, data, 13);
        float[] parallel = GradientOfOneBatch(threads, data, 13);
        Assert.True(MaxRelativeDifference(single, parallel) < 1e-5f);
        Assert.True(BitEqual(parallel, GradientOfOneBatch(threads, data, 13))); // deterministic
    }

    private static TrainerTagger Train(int threads)
    {
        var model = new TrainerTagger(seed: 11);
        var options = new TrainingOptions
        {
            Epochs = 2, BatchSize = 16, Seed = 3, Threads = threads, ReplicaFactory = () => new TrainerTagger(),
        };
        using var trainer = new Trainer(model, new Adam(((IRnnModel)model).ParameterCount, 0.005f), options);
        trainer.Fit(Tagging(48, 6, seed: 5));
        return model;
    }

    [Fact]
    public void TwoThreads_TrainLikeOne_AndDeterministically()
    {
        TrainerTagger one = Train(1), two = Train(2), twoAgain = Train(2);
        Assert.True(MaxRelativeDifference(one.Parameters, two.Parameters) < 1e-5f);
        Assert.True(BitEqual(two.Parameters, twoAgain.Parameters));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TrainingStep_DoesNotAllocateAfterWarmUp(int threads)
    {
        var model = new TrainerTagger(seed: 1);
        ArrayTrainerData data = Tagging(16, 6, seed: 2);
        var options = new TrainingOptions { BatchSize = 16, Threads = threads, ReplicaFactory = () => new TrainerTagger(), MaxGradientNorm = 1f };
        using var trainer = new Trainer(model, new Adam(((IRnnModel)model).ParameterCount, 0.001f), options);
        int[] indices = new int[16];
        for (int i = 0; i < 16; i++) indices[i] = i;
        for (int i = 0; i < 5; i++) trainer.TrainStep(data, indices); // warm-up: JIT tiers, lazily created wait objects
        // Counts the test thread and the workers (their own counters) in each window.
        DataParallelGradients engine = trainer.Engine!;
        long allocated = SteadyState.AllocatedBytes(() => trainer.TrainStep(data, indices), callsPerWindow: 5, warmUpCalls: 0,
            otherThreadsBytes: () => engine.WorkerAllocatedBytes);
        Assert.Equal(0, allocated);
    }
}
