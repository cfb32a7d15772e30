using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using RnnGen.Training;

namespace RnnGen.Serialization;

/// <summary>
/// Everything besides the weights and the optimizer that a training run needs to continue exactly where it
/// stopped: the position (epoch, batch, step), the shuffling generator's state at the start of the current epoch,
/// early-stopping bookkeeping and the running loss of the current epoch.
/// </summary>
public sealed class CheckpointState
{
    /// <summary>The epoch being trained (0-based); equals the number of finished epochs when <see cref="BatchInEpoch"/> is 0.</summary>
    public int Epoch { get; set; }

    /// <summary>Index of the next training batch of <see cref="Epoch"/> (0 = the epoch has not started; = batch count:
    /// its batches are done and only validation remains).</summary>
    public int BatchInEpoch { get; set; }

    /// <summary>Training steps (optimizer updates) taken by the trainer so far.</summary>
    public long GlobalStep { get; set; }

    /// <summary><see cref="Initialization.SeededRandom.State"/> of the shuffling generator before the shuffle of <see cref="Epoch"/>.</summary>
    public (ulong Low, ulong High) EpochRandomState { get; set; }

    /// <summary>Best value of the early-stopping metric so far (NaN: none yet).</summary>
    public double BestMetric { get; set; } = double.NaN;

    /// <summary>Epoch (0-based) that reached <see cref="BestMetric"/>, −1 when none.</summary>
    public int BestEpoch { get; set; } = -1;

    /// <summary>Consecutive epochs without improvement (early stopping's patience counter).</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>True once training has stopped for good (early stopping or all epochs done).</summary>
    public bool Finished { get; set; }

    /// <summary>Sum of the batch losses of <see cref="Epoch"/> so far (for the epoch's mean training loss).</summary>
    public double EpochLossSum { get; set; }

    /// <summary>Number of batches summed in <see cref="EpochLossSum"/>.</summary>
    public int EpochLossCount { get; set; }

    /// <summary>Copy of the parameters at <see cref="BestEpoch"/> (only kept when early stopping restores the best weights).</summary>
    public float[]? BestParameters { get; set; }

    internal CheckpointState Clone()
    {
        var copy = (CheckpointState)MemberwiseClone();
        copy.BestParameters = (float[]?)BestParameters?.Clone();
        return copy;
    }
}

/// <summary>
/// A complete training checkpoint in one safetensors file: the model's parameters (under their PyTorch names, so
/// <see cref="ModelSerializer.Load(IRnnModel, string, bool)"/> with <c>allowUnexpectedTensors</c> reads the weights),
/// every optimizer state buffer as <c>optimizer.&lt;name&gt;</c>, optionally the best weights
/// (<c>trainer.best_parameters</c>), and the scalars (architecture, optimizer type, hyperparameters, step count,
/// learning rate, position, random state, best metric) in <c>__metadata__</c>.
/// Saving is atomic (temporary file, flush to disk, rename); loading validates everything before changing anything.
/// </summary>
public static class Checkpoint
{
    public const string FormatName = "rnngen-checkpoint";
    public const string Version = "1";
    public const string OptimizerPrefix = "optimizer.";
    public const string BestParametersName = "trainer.best_parameters";

    private const string KeyVersion = "checkpoint_version";
    private const string KeyOptimizerType = "optimizer.type";
    private const string KeyOptimizerHyper = "optimizer.hyperparameters";
    private const string KeyOptimizerSteps = "optimizer.step_count";
    private const string KeyOptimizerLr = "optimizer.learning_rate";
    private const string KeyEpoch = "trainer.epoch";
    private const string KeyBatch = "trainer.batch_in_epoch";
    private const string KeyGlobalStep = "trainer.global_step";
    private const string KeyRandom = "trainer.epoch_random_state";
    private const string KeyBestMetric = "trainer.best_metric";
    private const string KeyBestEpoch = "trainer.best_epoch";
    private const string KeyPatience = "trainer.epochs_without_improvement";
    private const string KeyFinished = "trainer.finished";
    private const string KeyLossSum = "trainer.epoch_loss_sum";
    private const string KeyLossCount = "trainer.epoch_loss_count";

    /// <summary>
    /// A writer referencing (not copying) the model's parameters, the optimizer's buffers and the best weights, with all
    /// metadata set. Do not change them until the writer has saved. <see cref="Save"/> is <c>CreateWriter(…).Save(path)</c>.
    /// </summary>
    public static SafeTensorsWriter CreateWriter(IRnnModel model, IOptimizer optimizer, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        if (optimizer.ParameterCount != model.ParameterCount)
            throw new ArgumentException(
                $"The optimizer was built for {optimizer.ParameterCount} parameters but the model has {model.ParameterCount}.", nameof(optimizer));
        SafeTensorsWriter writer = ModelSerializer.CreateWriter(model);
        writer.SetMetadata(ModelSerializer.FormatKey, FormatName);
        writer.SetMetadata(KeyVersion, Version);
        writer.SetMetadata(KeyOptimizerType, OptimizerType(optimizer));
        writer.SetMetadata(KeyOptimizerHyper, DescribeHyperparameters(optimizer));
        writer.SetMetadata(KeyOptimizerSteps, Format(optimizer.StepCount));
        writer.SetMetadata(KeyOptimizerLr, optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture));
        writer.SetMetadata(KeyEpoch, Format(state.Epoch));
        writer.SetMetadata(KeyBatch, Format(state.BatchInEpoch));
        writer.SetMetadata(KeyGlobalStep, Format(state.GlobalStep));
        writer.SetMetadata(KeyRandom, state.EpochRandomState.Low.ToString(CultureInfo.InvariantCulture) + "," +
                                      state.EpochRandomState.High.ToString(CultureInfo.InvariantCulture));
        writer.SetMetadata(KeyBestMetric, state.BestMetric.ToString("R", CultureInfo.InvariantCulture));
        writer.SetMetadata(KeyBestEpoch, Format(state.BestEpoch));
        writer.SetMetadata(KeyPatience, Format(state.EpochsWithoutImprovement));
        writer.SetMetadata(KeyFinished, state.Finished ? "true" : "false");
        writer.SetMetadata(KeyLossSum, state.EpochLossSum.ToString("R", CultureInfo.InvariantCulture));
        writer.SetMetadata(KeyLossCount, Format(state.EpochLossCount));
        int[] shape = { model.ParameterCount };
        foreach (KeyValuePair<string, float[]> buffer in SortedState(optimizer))
            writer.Add(OptimizerPrefix + buffer.Key, shape, buffer.Value);
        if (state.BestParameters is { } best)
        {
            if (best.Length != model.ParameterCount)
                throw new ArgumentException(
                    $"BestParameters has {best.Length} elements but the model has {model.ParameterCount} parameters.", nameof(state));
            writer.Add(BestParametersName, shape, best);
        }
        return writer;
    }

    /// <summary>Writes a checkpoint to <paramref name="path"/> atomically: a crash or an error while writing leaves an
    /// earlier file at <paramref name="path"/> intact (see <see cref="SafeTensorsWriter.Save"/>). Creates the directory if needed.</summary>
    public static void Save(string path, IRnnModel model, IOptimizer optimizer, CheckpointState state)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensorsWriter writer = CreateWriter(model, optimizer, state);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        writer.Save(path);
    }

    /// <summary>
    /// Restores a checkpoint into <paramref name="model"/> (parameters) and <paramref name="optimizer"/> (buffers, step count,
    /// learning rate) and returns the trainer state. Everything is checked first — format, architecture, optimizer type and
    /// hyperparameters (all but the learning rate, which is restored), tensor names, dtypes and shapes, every scalar — and
    /// everything is read into staging buffers; the model and the optimizer change only when all of that succeeded.
    /// Gradients are left alone.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged or does not fit the model or optimizer; the message lists every problem.</exception>
    public static CheckpointState Load(string path, IRnnModel model, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(path);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        return Load(file, model, optimizer);
    }

    /// <inheritdoc cref="Load(string, IRnnModel, IOptimizer)"/>
    public static CheckpointState Load(SafeTensorsFile file, IRnnModel model, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var problems = new List<string>();
        IReadOnlyDictionary<string, string> meta = file.Metadata;
        string? Get(string key)
        {
            if (meta.TryGetValue(key, out string? value)) return value;
            problems.Add($"metadata '{key}' is missing");
            return null;
        }

        string? format = Get(ModelSerializer.FormatKey);
        if (format is not null && format != FormatName)
            throw new InvalidDataException($"{file.Source}: not an RnnGen training checkpoint (format is '{format}', expected '{FormatName}').");
        string? version = Get(KeyVersion);
        if (version is not null && version != Version)
            problems.Add($"checkpoint_version is '{version}', this RnnGen reads version {Version}");
        string? architecture = Get(ModelSerializer.ArchitectureKey);
        if (architecture is not null && architecture != model.Architecture)
            problems.Add($"the checkpoint is for architecture '{architecture}' but the model's architecture is '{model.Architecture}'");
        string? count = Get(ModelSerializer.ParameterCountKey);
        if (count is not null && count != Format(model.ParameterCount))
            problems.Add($"the checkpoint has {count} parameters but the model has {model.ParameterCount}");
        if (optimizer.ParameterCount != model.ParameterCount)
            problems.Add($"the optimizer was built for {optimizer.ParameterCount} parameters but the model has {model.ParameterCount}");
        string? type = Get(KeyOptimizerType);
        if (type is not null && type != OptimizerType(optimizer))
            problems.Add($"the checkpoint's optimizer is {type} but the given optimizer is {OptimizerType(optimizer)}");
        string? hyper = Get(KeyOptimizerHyper);
        if (hyper is not null && type == OptimizerType(optimizer) && hyper != DescribeHyperparameters(optimizer))
            problems.Add($"the checkpoint's optimizer hyperparameters are '{hyper}' but the given optimizer has '{DescribeHyperparameters(optimizer)}'");

        long stepCount = ParseLong(Get(KeyOptimizerSteps), KeyOptimizerSteps, 0, problems);
        float learningRate = 0;
        string? lrText = Get(KeyOptimizerLr);
        if (lrText is not null && !(float.TryParse(lrText, NumberStyles.Float, CultureInfo.InvariantCulture, out learningRate)
                                    && learningRate >= 0 && float.IsFinite(learningRate)))
            problems.Add($"metadata '{KeyOptimizerLr}' is '{lrText}', expected a finite number ≥ 0");
        var state = new CheckpointState
        {
            Epoch = (int)ParseLong(Get(KeyEpoch), KeyEpoch, 0, problems, int.MaxValue),
            BatchInEpoch = (int)ParseLong(Get(KeyBatch), KeyBatch, 0, problems, int.MaxValue),
            GlobalStep = ParseLong(Get(KeyGlobalStep), KeyGlobalStep, 0, problems),
            BestEpoch = (int)ParseLong(Get(KeyBestEpoch), KeyBestEpoch, -1, problems, int.MaxValue),
            EpochsWithoutImprovement = (int)ParseLong(Get(KeyPatience), KeyPatience, 0, problems, int.MaxValue),
            EpochLossCount = (int)ParseLong(Get(KeyLossCount), KeyLossCount, 0, problems, int.MaxValue),
            BestMetric = ParseDouble(Get(KeyBestMetric), KeyBestMetric, problems),
            EpochLossSum = ParseDouble(Get(KeyLossSum), KeyLossSum, problems),
        };
        string? finished = Get(KeyFinished);
        if (finished is "true" or "false") state.Finished = finished == "true";
        else if (finished is not null) problems.Add($"metadata '{KeyFinished}' is '{finished}', expected true or false");
        string? random = Get(KeyRandom);
        if (random is not null)
        {
            string[] parts = random.Split(',');
            if (parts.Length == 2
                && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong low)
                && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong high)
                && (low | high) != 0)
                state.EpochRandomState = (low, high);
            else
                problems.Add($"metadata '{KeyRandom}' is '{random}', expected two non-zero-in-total unsigned integers 'low,high'");
        }

        // Tensors: every parameter, exactly the optimizer's buffers, optionally the best weights, nothing else.
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterTensor p in model.ParameterTensors)
        {
            known.Add(p.Name);
            CheckTensor(file, p.Name, p.Shape, problems);
        }
        int[] flat = { model.ParameterCount };
        foreach (KeyValuePair<string, float[]> buffer in SortedState(optimizer))
        {
            known.Add(OptimizerPrefix + buffer.Key);
            CheckTensor(file, OptimizerPrefix + buffer.Key, flat, problems);
        }
        bool hasBest = file.Contains(BestParametersName);
        if (hasBest)
        {
            known.Add(BestParametersName);
            CheckTensor(file, BestParametersName, flat, problems);
        }
        foreach (SafeTensorInfo t in file.Tensors)
        {
            if (known.Contains(t.Name)) continue;
            problems.Add(t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                ? $"tensor '{t.Name}' is optimizer state that {OptimizerType(optimizer)} does not keep (it keeps [{string.Join(", ", SortedNames(optimizer))}])"
                : $"unexpected tensor '{t.Name}'");
        }

        if (problems.Count > 0)
        {
            var message = new StringBuilder();
            message.Append(file.Source).Append(": cannot resume from this checkpoint: ").AppendJoin("; ", problems).Append('.');
            throw new InvalidDataException(message.ToString());
        }

        // Stage everything (reads can still fail, e.g. a file that shrank), then commit.
        float[] parameters = new float[model.ParameterCount];
        foreach (ParameterTensor p in model.ParameterTensors)
            file.ReadFloats(file.GetTensor(p.Name), parameters.AsSpan(p.Offset, p.Length));
        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, float[]> buffer in optimizer.State)
        {
            float[] staged = new float[model.ParameterCount];
            file.ReadFloats(OptimizerPrefix + buffer.Key, staged);
            buffers.Add(buffer.Key, staged);
        }
        if (hasBest)
        {
            state.BestParameters = new float[model.ParameterCount];
            file.ReadFloats(BestParametersName, state.BestParameters);
        }

        optimizer.LoadState(stepCount, buffers); // names and lengths were checked above, so this cannot fail half-way
        optimizer.LearningRate = learningRate;
        parameters.AsSpan().CopyTo(model.Parameters);
        return state;
    }

    /// <summary>The optimizer's type as recorded in and compared against checkpoints (the full .NET type name).</summary>
    public static string OptimizerType(IOptimizer optimizer) => optimizer.GetType().FullName ?? optimizer.GetType().Name;

    /// <summary>
    /// The hyperparameters a checkpoint records and requires to match on load (all but the learning rate, which is
    /// state a schedule may change): e.g. <c>beta1=0.9;beta2=0.999;eps=1E-08;weight_decay=0</c> for Adam. Optimizers
    /// other than <see cref="Sgd"/>, <see cref="Adam"/> and <see cref="AdamW"/> are recorded by type and state only.
    /// </summary>
    public static string DescribeHyperparameters(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer switch
        {
            Adam a => "beta1=" + F(a.Beta1) + ";beta2=" + F(a.Beta2) + ";eps=" + F(a.Epsilon) + ";weight_decay=" + F(a.WeightDecay),
            Sgd s => "momentum=" + F(s.Momentum) + ";dampening=" + F(s.Dampening) + ";nesterov=" + (s.Nesterov ? "true" : "false") +
                     ";weight_decay=" + F(s.WeightDecay),
            RmsProp r => "alpha=" + F(r.Alpha) + ";eps=" + F(r.Epsilon) + ";weight_decay=" + F(r.WeightDecay) + ";momentum=" + F(r.Momentum) +
                         ";centered=" + (r.Centered ? "true" : "false"),
            Adagrad g => "lr_decay=" + F(g.LearningRateDecay) + ";weight_decay=" + F(g.WeightDecay) +
                         ";initial_accumulator_value=" + F(g.InitialAccumulatorValue) + ";eps=" + F(g.Epsilon),
            _ => "",
        };

        static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void CheckTensor(SafeTensorsFile file, string name, IReadOnlyList<int> shape, List<string> problems)
    {
        if (!file.TryGetTensor(name, out SafeTensorInfo? t))
            problems.Add($"tensor '{name}' is missing");
        else if (t.DType != SafeTensorsDType.F32)
            problems.Add($"tensor '{name}' has dtype {t.DType.ToText()}, expected F32");
        else if (!t.ShapeEquals(shape))
            problems.Add($"tensor '{name}' has shape {t.ShapeText}, expected [{string.Join(", ", shape)}]");
    }

    private static List<KeyValuePair<string, float[]>> SortedState(IOptimizer optimizer)
    {
        var list = new List<KeyValuePair<string, float[]>>(optimizer.State);
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    private static List<string> SortedNames(IOptimizer optimizer)
    {
        var names = new List<string>(optimizer.State.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static long ParseLong(string? text, string key, long min, List<string> problems, long max = long.MaxValue)
    {
        if (text is null) return min;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
            return value;
        problems.Add($"metadata '{key}' is '{text}', expected an integer in [{min}, {max}]");
        return min;
    }

    private static double ParseDouble(string? text, string key, List<string> problems)
    {
        if (text is null) return double.NaN;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        problems.Add($"metadata '{key}' is '{text}', expected a number");
        return double.NaN;
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
