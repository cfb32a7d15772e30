using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using RnnGen.Data;
using RnnGen.Initialization;
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
        int[][] sources = new int[data.Train.Count][], targets = new int[data.Train.Count][];
        for (int i = 0; i < data.Train.Count; i++)
        {
            sources[i] = DateVocabularies.Source.Encode(data.Train[i].Human);
            targets[i] = DateVocabularies.Target.Encode(data.Train[i].Iso, addEnd: true);
        }

        var model = new DateTranslator(options.Seed);
        var optimizer = new Adam(model.ParameterCount, options.LearningRate);
        int batchesPerEpoch = (data.Train.Count + options.BatchSize - 1) / options.BatchSize;
        var schedule = new StepDecaySchedule(options.LearningRate, stepSize: 4 * batchesPerEpoch, gamma: 0.5f);
        var batch = new Seq2SeqBatch(options.BatchSize, MaxSourceSteps, MaxTargetSteps);
        using var parallel = new Seq2SeqDataParallel(model, options.Threads, options.BatchSize, MaxSourceSteps, MaxTargetSteps);
        parallel.SeedSampling(options.Seed);
        var evaluator = new DateNormalizerModel(model);
        var random = new SeededRandom(options.Seed);
        int[] order = new int[data.Train.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;

        var state = new CheckpointState { BestMetric = -1 };
        log($"{model.ParameterCount:N0} parameters; {data.Train.Count:N0} training pairs, {options.Threads} thread(s)");
        int epoch = 0;
        double best = 0;
        for (epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            parallel.SamplingProbability = Math.Min(options.MaxSamplingProbability, options.SamplingIncrement * (epoch - 1));
            SeededShuffle.Shuffle(order.AsSpan(), ref random);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                batch.Clear();
                for (int i = start; i < Math.Min(order.Length, start + options.BatchSize); i++) batch.Add(sources[order[i]], targets[order[i]]);
                float loss = parallel.ComputeGradients(batch);
                if (!float.IsFinite(loss))
                    throw new TrainingDivergedException(
                        $"The loss became {loss} in epoch {epoch}, batch {batches + 1}; the last good checkpoint ({checkpointPath}) is unchanged.");
                GradientClipping.ClipByGlobalNorm(model.Gradients, options.ClipNorm);
                optimizer.LearningRate = schedule.GetLearningRate(state.GlobalStep++);
                optimizer.Step(model.Parameters, model.Gradients);
                lossSum += loss;
                batches++;
            }

            double exact = ExactMatch(evaluator, data.Validation);
            string saved = "";
            if (exact > best)
            {
                best = exact;
                state.Epoch = epoch;
                state.BestEpoch = epoch;
                state.BestMetric = exact;
                state.EpochRandomState = random.State;
                Checkpoint.Save(checkpointPath, model, optimizer, state);
                saved = "  (checkpoint saved)";
            }
            log($"epoch {epoch,2}: loss {lossSum / batches:F4}, sampling {parallel.SamplingProbability:F2}, validation exact match {exact:P2}, {clock.Elapsed.TotalSeconds:F0} s{saved}");
            if (exact >= options.StopAtExactMatch) break;
        }

        // continue from the best epoch's weights
        Checkpoint.Load(checkpointPath, model, new Adam(model.ParameterCount, options.LearningRate));
        return new DateTrainingResult(model, data, Math.Min(epoch, options.MaxEpochs), best, clock.Elapsed);
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
