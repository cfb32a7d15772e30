using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using RnnGen.Serialization;
using RnnGen.Training;
using static RnnGen.Tests.Training.TrainerTestData;

namespace RnnGen.Tests.Training;

public class TrainerTests
{
    private static TrainingOptions TaggerOptions(int threads, string? checkpoint, bool checkpointOnCancel) => new()
    {
        Epochs = 3,
        BatchSize = 8,
        Seed = 42,
        Threads = threads,
        ReplicaFactory = () => new TrainerTagger(),
        Schedule = new TestStepSchedule(),
        MaxGradientNorm = 1f,
        EarlyStopping = new EarlyStopping(Metric.Perplexity, patience: 5),
        CheckpointPath = checkpoint,
        CheckpointEverySteps = 3,
        CheckpointOnCancel = checkpointOnCancel,
    };

    [Theory]
    [InlineData(true, 1)]   // resume from the checkpoint written on cancellation (step 8)
    [InlineData(false, 1)]  // resume from the last periodic checkpoint (step 6, mid-epoch): steps 7 and 8 are replayed
    [InlineData(false, 2)]  // same, data parallel
    public void StopAndResume_GivesBitForBitTheWeightsOfAnUninterruptedRun(bool checkpointOnCancel, int threads)
    {
        ArrayTrainerData train = Tagging(37, 6, seed: 1), validation = Tagging(12, 6, seed: 2);

        var straight = new TrainerTagger(seed: 7);
        var straightOptimizer = new Adam(((IRnnModel)straight).ParameterCount, learningRate: 0.02f);
        TrainingResult full;
        using (var trainer = new Trainer(straight, straightOptimizer, TaggerOptions(threads, null, false)))
            full = trainer.Fit(train, validation);
        Assert.False(full.Cancelled);
        Assert.Equal(3, full.History.Count);
        Assert.Equal(15, full.GlobalStep); // 3 epochs × ⌈37 / 8⌉ batches

        string path = TempPath("run.safetensors");
        try
        {
            var interrupted = new TrainerTagger(seed: 7);
            using var cts = new CancellationTokenSource();
            var progress = new SyncProgress<TrainingProgress>(p =>
            {
                if (p.Kind == TrainingProgressKind.Batch && p.GlobalStep == 8) cts.Cancel();
            });
            using (var trainer = new Trainer(interrupted, new Adam(((IRnnModel)interrupted).ParameterCount, learningRate: 0.02f),
                       TaggerOptions(threads, path, checkpointOnCancel)))
            {
                TrainingResult partial = trainer.Fit(train, validation, progress, cts.Token);
                Assert.True(partial.Cancelled);
                Assert.Equal(8, partial.GlobalStep); // returned right after the batch during which it was cancelled
                Assert.Equal(1, trainer.Epoch);
                Assert.Equal(3, trainer.BatchInEpoch);
            }

            var resumed = new TrainerTagger(seed: 1234); // different initial weights: all must come from the checkpoint
            var resumedOptimizer = new Adam(((IRnnModel)resumed).ParameterCount, learningRate: 0.5f);
            using (var trainer = new Trainer(resumed, resumedOptimizer, TaggerOptions(threads, path, checkpointOnCancel)))
            {
                trainer.LoadCheckpoint(path);
                Assert.Equal(checkpointOnCancel ? 8 : 6, trainer.GlobalStep);
                TrainingResult rest = trainer.Fit(train, validation);
                Assert.False(rest.Cancelled);
                Assert.Equal(15, rest.GlobalStep);
                Assert.Equal(full.BestEpoch, rest.BestEpoch);
                Assert.Equal(full.BestMetric, rest.BestMetric);
            }
            Assert.True(BitEqual(straight.Parameters, resumed.Parameters));
            Assert.Equal(straightOptimizer.StepCount, resumedOptimizer.StepCount);
            Assert.True(BitEqual(straightOptimizer.State["exp_avg"], resumedOptimizer.State["exp_avg"]));
            Assert.True(BitEqual(straightOptimizer.State["exp_avg_sq"], resumedOptimizer.State["exp_avg_sq"]));
            Assert.Equal(straightOptimizer.LearningRate, resumedOptimizer.LearningRate);
        }
        finally
        {
            DeleteDirectoryOf(path);
        }
    }

    [Fact]
    public void Training_ReducesTheLoss_AndReportsProgress()
    {
        var model = new TrainerRegressor(seed: 3);
        var reports = new List<TrainingProgress>();
        using var trainer = new Trainer(model, new Adam(((IRnnModel)model).ParameterCount, 0.01f),
            new TrainingOptions { Epochs = 4, BatchSize = 16 });
        TrainingResult result = trainer.Fit(Regression(64, 5, 1), Regression(32, 5, 2),
            new SyncProgress<TrainingProgress>(reports.Add));
        Assert.Equal(4 * 4 + 4, reports.Count);
        Assert.Equal(TrainingProgressKind.Batch, reports[0].Kind);
        Assert.Equal(0, reports[0].Epoch);
        Assert.Equal(4, reports[0].BatchCount);
        Assert.Equal(TrainingProgressKind.Epoch, reports[4].Kind);
        Assert.NotNull(reports[4].Validation);
        Assert.False(double.IsNaN(reports[4].Validation!.RootMeanSquaredError));
        Assert.True(reports[^1].Elapsed >= reports[0].Elapsed);
        Assert.True(result.History[^1].Validation!.Loss < result.History[0].Validation!.Loss);
        Assert.True(result.History[^1].TrainingLoss < result.History[0].TrainingLoss);
    }

    /// <summary>Poisons the targets of one Fill call with NaN.</summary>
    private sealed class PoisonedData(ITrainerData inner, int poisonedFill) : ITrainerData
    {
        private int _fills;
        public int Count => inner.Count;
        public int MaxSteps => inner.MaxSteps;

        public void Fill(ReadOnlySpan<int> indices, TrainerBatch batch)
        {
            inner.Fill(indices, batch);
            if (_fills++ == poisonedFill) batch.Targets[1] = float.NaN;
        }
    }

    [Fact]
    public void NaNLoss_StopsWithTheEpochAndBatch_KeepingTheLastGoodWeightsAndCheckpoint()
    {
        var model = new TrainerRegressor(seed: 3);
        var optimizer = new Adam(((IRnnModel)model).ParameterCount, 0.01f);
        string path = TempPath("diverge.safetensors");
        try
        {
            var options = new TrainingOptions { Epochs = 3, BatchSize = 8, CheckpointPath = path, CheckpointEverySteps = 1 };
            var lastGood = new float[((IRnnModel)model).ParameterCount];
            var progress = new SyncProgress<TrainingProgress>(_ => model.Parameters.AsSpan().CopyTo(lastGood));
            using var trainer = new Trainer(model, optimizer, options);
            // 4 batches per epoch: fill 6 is epoch 1, batch 2.
            var data = new PoisonedData(Regression(32, 4, 5), poisonedFill: 6);
            var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, progress: progress));
            Assert.Contains("epoch 1, batch 2", e.Message, StringComparison.Ordinal);
            Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
            Assert.True(BitEqual(lastGood, model.Parameters));
            Assert.Equal(6, optimizer.StepCount);
            Assert.All(model.Gradients, g => Assert.Equal(0f, g));

            var reloaded = new TrainerRegressor(seed: 9);
            var reloadedOptimizer = new Adam(((IRnnModel)reloaded).ParameterCount, 0.01f);
            CheckpointState state = Checkpoint.Load(path, reloaded, reloadedOptimizer);
            Assert.Equal(6, state.GlobalStep);
            Assert.True(BitEqual(lastGood, reloaded.Parameters));
        }
        finally
        {
            DeleteDirectoryOf(path);
        }
    }

    [Fact]
    public void Cancellation_ReturnsAfterTheCurrentBatch()
    {
        var model = new TrainerRegressor(seed: 3);
        using var trainer = new Trainer(model, new Sgd(((IRnnModel)model).ParameterCount, 0.01f), new TrainingOptions { Epochs = 5, BatchSize = 4 });
        using var cts = new CancellationTokenSource();
        int batches = 0;
        var progress = new SyncProgress<TrainingProgress>(p =>
        {
            if (p.Kind != TrainingProgressKind.Batch) return;
            if (++batches == 3) cts.Cancel();
        });
        TrainingResult result = trainer.Fit(Regression(40, 4, 1), null, progress, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(3, batches);
        Assert.Equal(3, result.GlobalStep);

        TrainingResult again = trainer.Fit(Regression(40, 4, 1), null, null, cts.Token);
        Assert.True(again.Cancelled);
        Assert.Equal(3, again.GlobalStep); // already cancelled: no batch runs
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatience_AndRestoresTheBestWeights()
    {
        var model = new TrainerRegressor(seed: 3);
        var atEpochEnd = new List<float[]>();
        var progress = new SyncProgress<TrainingProgress>(p =>
        {
            if (p.Kind == TrainingProgressKind.Epoch) atEpochEnd.Add((float[])model.Parameters.Clone());
        });
        // minDelta is huge: only the first epoch counts as an improvement.
        var options = new TrainingOptions
        {
            Epochs = 10, BatchSize = 8,
            EarlyStopping = new EarlyStopping(Metric.RootMeanSquaredError, patience: 2, minDelta: 1e9, restoreBestWeights: true),
        };
        using var trainer = new Trainer(model, new Adam(((IRnnModel)model).ParameterCount, 0.01f), options);
        TrainingResult result = trainer.Fit(Regression(24, 4, 1), Regression(8, 4, 2), progress);
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(0, result.BestEpoch);
        Assert.True(result.History[0].Improved);
        Assert.False(result.History[1].Improved);
        Assert.Equal(result.History[0].Validation!.RootMeanSquaredError, result.BestMetric);
        Assert.True(BitEqual(atEpochEnd[0], model.Parameters));
        Assert.False(BitEqual(atEpochEnd[2], model.Parameters));
        Assert.True(trainer.Finished);
        Assert.Empty(trainer.Fit(Regression(24, 4, 1), Regression(8, 4, 2)).History); // finished: nothing more to do
    }

    [Fact]
    public void EarlyStopping_OnAccuracy_TreatsHigherAsBetter()
    {
        var es = new EarlyStopping(Metric.Accuracy, patience: 1, minDelta: 0.01);
        Assert.True(es.IsImprovement(0.5, double.NaN));
        Assert.True(es.IsImprovement(0.52, 0.5));
        Assert.False(es.IsImprovement(0.505, 0.5));
        Assert.False(es.IsImprovement(double.NaN, 0.5));
        var loss = new EarlyStopping(Metric.Loss);
        Assert.True(loss.IsImprovement(0.4, 0.5));
        Assert.False(loss.IsImprovement(0.6, 0.5));
    }

    [Fact]
    public void Evaluate_IsTheMeanOverAllValidRows_HoweverBatched()
    {
        var model = new TrainerTagger(seed: 5);
        ArrayTrainerData data = Tagging(11, 6, seed: 3);
        using var small = new Trainer(model, new Sgd(((IRnnModel)model).ParameterCount, 0.1f), new TrainingOptions { ValidationBatchSize = 3 });
        using var whole = new Trainer(model, new Sgd(((IRnnModel)model).ParameterCount, 0.1f), new TrainingOptions { ValidationBatchSize = 11 });
        Metrics a = small.Evaluate(data), b = whole.Evaluate(data);
        Assert.Equal(b.Rows, a.Rows);
        Assert.Equal(b.Loss, a.Loss, 5);
        Assert.Equal(b.Accuracy, a.Accuracy, 12);
        Assert.Equal(Math.Exp(b.Loss), b.Perplexity, 12);
        Assert.True(double.IsNaN(b.MeanAbsoluteError));

        // against the session directly: one batch of everything
        var batch = new TrainerBatch(model, 11, 6);
        var indices = new int[11];
        for (int i = 0; i < 11; i++) indices[i] = i;
        batch.Batch = 11;
        data.Fill(indices, batch);
        var session = model.CreateSession(11, 6);
        session.Forward(batch.Input, 11, 6, batch.Lengths);
        float loss = session.Loss(batch.ClassTargets);
        Assert.Equal(loss, b.Loss, 6);
    }

    [Fact]
    public void Options_AreValidated()
    {
        var model = new TrainerRegressor();
        var optimizer = new Sgd(((IRnnModel)model).ParameterCount, 0.1f);
        Assert.Throws<ArgumentException>(() => new Trainer(model, optimizer, new TrainingOptions { Threads = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, optimizer, new TrainingOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new Trainer(model, optimizer,
            new TrainingOptions { EarlyStopping = new EarlyStopping(Metric.Perplexity) }));
        Assert.Throws<ArgumentException>(() => new Trainer(model, new Sgd(3, 0.1f)));
        using var trainer = new Trainer(model, optimizer, new TrainingOptions { EarlyStopping = new EarlyStopping() });
        Assert.Throws<ArgumentException>(() => trainer.Fit(Regression(4, 2, 1)));
    }
}
