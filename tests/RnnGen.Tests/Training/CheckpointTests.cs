using System;
using System.IO;
using RnnGen.Serialization;
using RnnGen.Training;
using static RnnGen.Tests.Training.TrainerTestData;

namespace RnnGen.Tests.Training;

public class CheckpointTests
{
    private static (TrainerRegressor Model, Adam Optimizer, CheckpointState State) Trained(int seed)
    {
        var model = new TrainerRegressor(seed);
        var optimizer = new Adam(((IRnnModel)model).ParameterCount, learningRate: 0.01f, beta1: 0.8f);
        for (int i = 0; i < ((IRnnModel)model).ParameterCount; i++) model.Gradients[i] = MathF.Sin(i + seed);
        model.ApplyGradients(optimizer);
        optimizer.LearningRate = 0.0025f;
        var state = new CheckpointState
        {
            Epoch = 2, BatchInEpoch = 3, GlobalStep = 11, EpochRandomState = (123456789UL, 987654321UL),
            BestMetric = 0.125, BestEpoch = 1, EpochsWithoutImprovement = 1, EpochLossSum = 1.5, EpochLossCount = 3,
            BestParameters = (float[])model.Parameters.Clone(),
        };
        return (model, optimizer, state);
    }

    [Fact]
    public void RmsProp_and_Adagrad_checkpoints_restore_state_and_refuse_other_hyperparameters()
    {
        var model = new TrainerRegressor(seed: 1);
        int n = ((IRnnModel)model).ParameterCount;
        var optimizers = new (IOptimizer Saved, IOptimizer Same, IOptimizer Different)[]
        {
            (new RmsProp(n, momentum: 0.9f, centered: true), new RmsProp(n, momentum: 0.9f, centered: true), new RmsProp(n, momentum: 0.9f, centered: false)),
            (new Adagrad(n, learningRateDecay: 0.01f, initialAccumulatorValue: 0.1f), new Adagrad(n, learningRateDecay: 0.01f, initialAccumulatorValue: 0.1f),
             new Adagrad(n, learningRateDecay: 0.02f, initialAccumulatorValue: 0.1f)),
        };
        foreach (var (saved, same, different) in optimizers)
        {
            for (int i = 0; i < n; i++) model.Gradients[i] = MathF.Cos(i);
            model.ApplyGradients(saved);
            string path = TempPath("o.safetensors");
            try
            {
                Checkpoint.Save(path, model, saved, new CheckpointState { EpochRandomState = (1UL, 2UL) });
                Checkpoint.Load(path, new TrainerRegressor(seed: 5), same);
                Assert.Equal(saved.StepCount, same.StepCount);
                foreach (var buffer in saved.State)
                {
                    Assert.True(BitEqual(buffer.Value, same.State[buffer.Key]), buffer.Key);
                }
                var refused = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, new TrainerRegressor(seed: 5), different));
                Assert.Contains("hyperparameters", refused.Message);
            }
            finally
            {
                DeleteDirectoryOf(path);
            }
        }
    }

    [Fact]
    public void SaveAndLoad_RestoresWeightsOptimizerAndPosition()
    {
        var (model, optimizer, state) = Trained(1);
        string path = TempPath("c.safetensors");
        try
        {
            Checkpoint.Save(path, model, optimizer, state);
            var other = new TrainerRegressor(seed: 2);
            var otherOptimizer = new Adam(((IRnnModel)other).ParameterCount, learningRate: 0.5f, beta1: 0.8f);
            CheckpointState loaded = Checkpoint.Load(path, other, otherOptimizer);
            Assert.True(BitEqual(model.Parameters, other.Parameters));
            Assert.True(BitEqual(optimizer.State["exp_avg"], otherOptimizer.State["exp_avg"]));
            Assert.True(BitEqual(optimizer.State["exp_avg_sq"], otherOptimizer.State["exp_avg_sq"]));
            Assert.Equal(1, otherOptimizer.StepCount);
            Assert.Equal(0.0025f, otherOptimizer.LearningRate);
            Assert.Equal(2, loaded.Epoch);
            Assert.Equal(3, loaded.BatchInEpoch);
            Assert.Equal(11, loaded.GlobalStep);
            Assert.Equal((123456789UL, 987654321UL), loaded.EpochRandomState);
            Assert.Equal(0.125, loaded.BestMetric);
            Assert.Equal(1, loaded.BestEpoch);
            Assert.Equal(1, loaded.EpochsWithoutImprovement);
            Assert.Equal(1.5, loaded.EpochLossSum);
            Assert.Equal(3, loaded.EpochLossCount);
            Assert.True(BitEqual(state.BestParameters!, loaded.BestParameters!));

            // The weights inside a checkpoint are a plain RnnGen weights file too.
            var weightsOnly = new TrainerRegressor(seed: 3);
            Assert.Throws<InvalidDataException>(() => ModelSerializer.Load(weightsOnly, path)); // extra tensors refused by default
            ModelSerializer.Load(weightsOnly, path, allowUnexpectedTensors: true);
            Assert.True(BitEqual(model.Parameters, weightsOnly.Parameters));
        }
        finally
        {
            DeleteDirectoryOf(path);
        }
    }

    [Fact]
    public void FailedWrite_LeavesThePreviousCheckpointReadable()
    {
        var (model, optimizer, state) = Trained(1);
        string path = TempPath("c.safetensors");
        try
        {
            Checkpoint.Save(path, model, optimizer, state);
            byte[] before = File.ReadAllBytes(path);

            var (model2, optimizer2, state2) = Trained(5);
            SafeTensorsWriter writer = Checkpoint.CreateWriter(model2, optimizer2, state2);
            writer.AfterTensorWritten = name =>
            {
                if (name == "optimizer.exp_avg") throw new IOException("disk full (simulated)");
            };
            Assert.Throws<IOException>(() => writer.Save(path));

            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // the temporary file is gone
            var reloaded = new TrainerRegressor(seed: 9);
            Checkpoint.Load(path, reloaded, new Adam(((IRnnModel)reloaded).ParameterCount, beta1: 0.8f));
            Assert.True(BitEqual(model.Parameters, reloaded.Parameters));
        }
        finally
        {
            DeleteDirectoryOf(path);
        }
    }

    private static void AssertRefusedAndUntouched(string path, IRnnModel model, IOptimizer optimizer, params string[] messageParts)
    {
        float[] parameters = (float[])model.Parameters.Clone();
        var buffers = new System.Collections.Generic.Dictionary<string, float[]>();
        foreach (var (name, buffer) in optimizer.State) buffers[name] = (float[])buffer.Clone();
        long steps = optimizer.StepCount;
        float lr = optimizer.LearningRate;

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, model, optimizer));
        foreach (string part in messageParts) Assert.Contains(part, e.Message, StringComparison.Ordinal);

        Assert.True(BitEqual(parameters, model.Parameters));
        foreach (var (name, buffer) in optimizer.State) Assert.True(BitEqual(buffers[name], buffer));
        Assert.Equal(steps, optimizer.StepCount);
        Assert.Equal(lr, optimizer.LearningRate);
    }

    [Fact]
    public void Load_RefusesOtherArchitectureOptimizerOrDamage_WithoutChangingAnything()
    {
        var (model, optimizer, state) = Trained(1);
        string path = TempPath("c.safetensors");
        try
        {
            Checkpoint.Save(path, model, optimizer, state);

            var tagger = new TrainerTagger(seed: 4);
            AssertRefusedAndUntouched(path, tagger, new Adam(((IRnnModel)tagger).ParameterCount, beta1: 0.8f), "architecture", "gru");

            var (target, targetOptimizer, _) = Trained(7);
            AssertRefusedAndUntouched(path, target, new Sgd(((IRnnModel)target).ParameterCount, 0.1f, momentum: 0.9f), "RnnGen.Training.Adam", "RnnGen.Training.Sgd");
            AssertRefusedAndUntouched(path, target, new AdamW(((IRnnModel)target).ParameterCount), "RnnGen.Training.AdamW");
            AssertRefusedAndUntouched(path, target, new Adam(((IRnnModel)target).ParameterCount, beta1: 0.9f), "hyperparameters", "beta1=0.8");

            // Truncated (a write killed without the atomic rename) and corrupted files.
            byte[] bytes = File.ReadAllBytes(path);
            string damaged = Path.Combine(Path.GetDirectoryName(path)!, "damaged.safetensors");
            File.WriteAllBytes(damaged, bytes.AsSpan(0, bytes.Length - 100).ToArray());
            AssertRefusedAndUntouched(damaged, target, targetOptimizer);
            File.WriteAllBytes(damaged, bytes.AsSpan(0, 20).ToArray());
            AssertRefusedAndUntouched(damaged, target, targetOptimizer);

            // A plain weights file is not a checkpoint.
            string weights = Path.Combine(Path.GetDirectoryName(path)!, "weights.safetensors");
            model.Save(weights);
            AssertRefusedAndUntouched(weights, target, targetOptimizer, "not an RnnGen training checkpoint");

            // Metadata that does not parse is reported with the rest.
            SafeTensorsWriter writer = Checkpoint.CreateWriter(model, optimizer, state);
            writer.SetMetadata("trainer.epoch", "-3");
            writer.SetMetadata("trainer.epoch_random_state", "x");
            writer.Save(damaged);
            AssertRefusedAndUntouched(damaged, target, targetOptimizer, "trainer.epoch", "trainer.epoch_random_state");
        }
        finally
        {
            DeleteDirectoryOf(path);
        }
    }
}
