using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using RnnGen.Seq2Seq;
using RnnGen.Serialization;
using RnnGen.Training;
using RnnGen.Training.Schedules;

namespace DateNormalizer;

/// <summary>Knobs of <see cref="DateTraining.Train"/>; the defaults reach ≥ 99% exact match on held-out dates.</summary>
public sealed record DateTrainingOptions
{
    public int TrainPairs { get; init; } = 24_000;
    public int ValidationPairs { get; init; } = 1_000;
    public int TestPairs { get; init; } = 2_000;
    public int MaxEpochs { get; init; } = 12;
    public int BatchSize { get; init; } = 64;
    public float LearningRate { get; init; } = 4e-3f;
    public float ClipNorm { get; init; } = 1f;

    /// <summary>Scheduled sampling: probability of feeding the model's own previous prediction, raised by this much
    /// per epoch after the first, up to <see cref="MaxSamplingProbability"/>.</summary>
    public float SamplingIncrement { get; init; } = 0.05f;
    public float MaxSamplingProbability { get; init; } = 0.25f;

    /// <summary>Stop when the validation exact match reaches this.</summary>
    public double StopAtExactMatch { get; init; } = 0.998;
    public int Threads { get; init; } = Math.Min(2, Environment.ProcessorCount);
    public long Seed { get; init; } = 1;
}

/// <summary>What a training run did.</summary>
public sealed record DateTrainingResult(DateTranslator Model, DateData Data, int Epochs, double ValidationExactMatch, TimeSpan Elapsed);

/// <summary>
/// Trains a <see cref="DateTranslator"/> with Adam, gradient clipping, a step-decayed learning rate, scheduled sampling
/// and the batch split across the cores (<see cref="Seq2SeqDataParallel"/>). After every epoch the greedy exact match on
/// the validation set is measured and, when it improves, the model is checkpointed atomically (weights + Adam state);
/// a non-finite loss stops the run with the last good checkpoint intact.
/// </summary>
public static class DateTraining
{
    public const int MaxSourceSteps = DateNormalizerModel.MaxInputLength;
    public const int MaxTargetSteps = 11; // "yyyy-MM-dd" + <eos>

    public static DateTrainingResult Train(DateTrainingOptions options, string checkpointPath, Action<string> log,
        CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var data = new DateData(options.TrainPairs, options.ValidationPairs, options.TestPairs, options.Seed);
        Seq2SeqData training = Encode(data.Train), validation = Encode(data.Validation);

        var model = new DateTranslator(options.Seed);
        int batchesPerEpoch = (training.Count + options.BatchSize - 1) / options.BatchSize;
        var trainingOptions = new TrainingOptions
        {
            Epochs = options.MaxEpochs,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            MaxGradientNorm = options.ClipNorm,
            Schedule = new StepDecaySchedule(options.LearningRate, stepSize: 4 * batchesPerEpoch, gamma: 0.5f),
            Threads = options.Threads,
            CheckpointPath = checkpointPath,   // atomic, after every epoch and when stopped
        };
        using var trainer = new Seq2SeqTrainer(model, new Adam(model.ParameterCount, options.LearningRate), trainingOptions);
        var evaluator = new DateNormalizerModel(model);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        double exact = 0;
        log($"{model.ParameterCount:N0} parameters; {data.Train.Count:N0} training pairs, {options.Threads} thread(s)");

        // After each epoch: greedy exact match on the validation dates, then raise scheduled sampling a little;
        // reaching the target cancels the run (the trainer checkpoints on cancel).
        var progress = new SynchronousProgress(p =>
        {
            if (p.Kind != TrainingProgressKind.Epoch) return;
            exact = ExactMatch(evaluator, data.Validation);
            log($"epoch {p.Epoch + 1,2}: loss {p.EpochLoss:F4}, validation token accuracy {p.Validation!.Accuracy:P2}, " +
                $"exact match {exact:P2}, sampling {trainer.SamplingProbability:F2}, {clock.Elapsed.TotalSeconds:F0} s");
            trainer.SamplingProbability = Math.Min(options.MaxSamplingProbability, options.SamplingIncrement * (p.Epoch + 1));
            if (exact >= options.StopAtExactMatch) stop.Cancel();
        });
        TrainingResult result = trainer.Fit(training, validation, progress, stop.Token);
        cancellation.ThrowIfCancellationRequested();
        return new DateTrainingResult(model, data, result.EpochsCompleted, exact, clock.Elapsed);
    }

    private static Seq2SeqData Encode(System.Collections.Generic.List<DatePair> pairs)
    {
        var sources = new int[pairs.Count][];
        var targets = new int[pairs.Count][];
        for (int i = 0; i < pairs.Count; i++)
        {
            sources[i] = DateVocabularies.Source.Encode(pairs[i].Human);
            targets[i] = DateVocabularies.Target.Encode(pairs[i].Iso, addEnd: true);
        }
        return new Seq2SeqData(sources, targets);
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>Fraction of pairs whose greedy normalization equals the ISO date exactly.</summary>
    public static double ExactMatch(DateNormalizerModel model, System.Collections.Generic.IReadOnlyList<DatePair> pairs)
    {
        int hits = 0;
        foreach (DatePair pair in pairs) hits += model.Normalize(pair.Human) == pair.Iso ? 1 : 0;
        return (double)hits / pairs.Count;
    }

    /// <summary>Loads a model saved by <see cref="Train"/> (or <c>model.Save</c>), failing with a clear message when the
    /// file is missing, truncated, or of another architecture.</summary>
    public static DateTranslator Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No date model at {path}: train one first.", path);
        var model = new DateTranslator();
        ModelSerializer.Load(model, path, allowUnexpectedTensors: true); // a checkpoint also holds the optimizer state
        return model;
    }
}
