using System;
using System.IO;
using System.Linq;
using RnnGen.Seq2Seq;
using RnnGen.Training;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>The shared epoch loop driving an encoder–decoder: learning, early stopping, checkpoints that resume bit for bit.</summary>
public class Seq2SeqTrainerTests(ITestOutputHelper log)
{
    private static Seq2SeqData ReversalData(int count, long seed)
    {
        var random = new RnnGen.Initialization.SeededRandom(seed);
        var sources = new int[count][];
        var targets = new int[count][];
        for (int i = 0; i < count; i++)
        {
            int length = 2 + random.NextInt(4);
            sources[i] = Enumerable.Range(0, length).Select(_ => 4 + random.NextInt(6)).ToArray();
            targets[i] = sources[i].Reverse().Append(3).ToArray();
        }
        return new Seq2SeqData(sources, targets);
    }

    private static TrainingOptions Options(int epochs, int threads = 1, string? checkpoint = null) => new()
    {
        Epochs = epochs, BatchSize = 16, Seed = 3, MaxGradientNorm = 1f, Threads = threads, CheckpointPath = checkpoint,
    };

    [Fact]
    public void Fit_learns_and_reports_teacher_forced_metrics_with_two_threads()
    {
        var model = new ReverseTranslator(seed: 2);
        using var trainer = new Seq2SeqTrainer(model, new Adam(model.ParameterCount, 0.01f), Options(epochs: 6, threads: 2));
        Seq2SeqData training = ReversalData(320, 1), validation = ReversalData(64, 2);
        Metrics before = trainer.Evaluate(validation);
        TrainingResult result = trainer.Fit(training, validation);
        Metrics after = result.History[^1].Validation!;
        log.WriteLine($"validation loss {before.Loss:F3} → {after.Loss:F3}, token accuracy {before.Accuracy:P1} → {after.Accuracy:P1}");
        Assert.Equal(6, result.EpochsCompleted);
        Assert.True(after.Loss < before.Loss / 2, $"loss {before.Loss} → {after.Loss}");
        Assert.True(after.Accuracy > 0.8, $"token accuracy {after.Accuracy}");
        Assert.Equal(Math.Exp(after.Loss), after.Perplexity, 6);
    }

    [Fact]
    public void A_run_resumed_from_a_checkpoint_equals_an_uninterrupted_one_bit_for_bit()
    {
        string path = Path.Combine(Path.GetTempPath(), "rnngen-s2s-trainer-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            Seq2SeqData training = ReversalData(96, 5);
            var straight = new ReverseTranslator(seed: 4);
            using (var trainer = new Seq2SeqTrainer(straight, new Adam(straight.ParameterCount, 0.01f), Options(epochs: 3)) { SamplingProbability = 0.3f })
                trainer.Fit(training);

            var first = new ReverseTranslator(seed: 4);
            using (var trainer = new Seq2SeqTrainer(first, new Adam(first.ParameterCount, 0.01f), Options(epochs: 2, checkpoint: path)) { SamplingProbability = 0.3f })
                trainer.Fit(training);
            var resumed = new ReverseTranslator(seed: 99);
            using (var trainer = new Seq2SeqTrainer(resumed, new Adam(resumed.ParameterCount, 0.01f), Options(epochs: 3)) { SamplingProbability = 0.3f })
            {
                trainer.LoadCheckpoint(path);
                Assert.Equal(2, trainer.Epoch);
                trainer.Fit(training);
            }
            Assert.Equal(straight.Parameters, resumed.Parameters);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Early_stopping_on_accuracy_and_bad_options()
    {
        var model = new ReverseTranslator(seed: 2);
        var options = Options(epochs: 30);
        options.EarlyStopping = new EarlyStopping(Metric.Accuracy, patience: 1);
        using var trainer = new Seq2SeqTrainer(model, new Adam(model.ParameterCount, 0.05f), options);
        TrainingResult result = trainer.Fit(ReversalData(64, 1), ReversalData(32, 2));
        Assert.True(result.StoppedEarly);
        Assert.True(result.EpochsCompleted < 30);

        var rmse = Options(epochs: 1);
        rmse.EarlyStopping = new EarlyStopping(Metric.RootMeanSquaredError);
        Assert.Throws<ArgumentException>(() => new Seq2SeqTrainer(model, new Adam(model.ParameterCount), rmse));
        Assert.Throws<ArgumentException>(() => new Seq2SeqData(new[] { new[] { 4 } }, new[] { Array.Empty<int>() }));
    }
}
