using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using RnnGen.Initialization;
using RnnGen.Serialization;

namespace RnnGen.Training;

/// <summary>What a <see cref="TrainingLoop"/> needs from a kind of model and data.</summary>
internal interface ITrainingBackend
{
    /// <summary>Training examples (sequences or pairs).</summary>
    int Count { get; }

    /// <summary>Overwrites or adds into the model's (zeroed) gradients the gradient of the mean loss of the examples
    /// <paramref name="indices"/> and returns that loss.</summary>
    float ComputeGradients(ReadOnlySpan<int> indices);

    /// <summary>Validation metrics, or null without validation data.</summary>
    Metrics? Evaluate();
}

/// <summary>
/// The epoch loop shared by <see cref="Trainer"/> and <see cref="Seq2Seq.Seq2SeqTrainer"/>: shuffled mini-batches whose
/// order comes from a checkpointed random state, one optimizer step per batch (schedule, clipping, divergence guard),
/// validation and early stopping after each epoch, progress, cancellation and checkpoints from which a resumed run
/// reproduces an uninterrupted one bit for bit.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly IRnnModel _model;
    private readonly IOptimizer _optimizer;
    private readonly TrainingOptions _options;
    private CheckpointState _state;
    private int[] _order = Array.Empty<int>();
    private readonly bool _needsReplicaFactory;

    public TrainingLoop(IRnnModel model, IOptimizer optimizer, TrainingOptions options, bool needsReplicaFactory = true)
    {
        if (optimizer.ParameterCount != model.ParameterCount)
            throw new ArgumentException($"The optimizer was built for {optimizer.ParameterCount} parameters but the model has {model.ParameterCount}.", nameof(optimizer));
        _model = model;
        _optimizer = optimizer;
        _options = options;
        _needsReplicaFactory = needsReplicaFactory;
        _options.Validate(needsReplicaFactory);
        _state = new CheckpointState { EpochRandomState = new SeededRandom(_options.Seed).State };
    }

    public CheckpointState State => _state;

    public void SaveCheckpoint(string path) => Checkpoint.Save(path, _model, _optimizer, _state);

    public void LoadCheckpoint(string path)
    {
        CheckpointState state = Checkpoint.Load(path, _model, _optimizer);
        Array.Clear(_model.Gradients);
        _state = state;
    }

    public TrainingResult Fit(ITrainingBackend backend, bool hasValidation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        _options.Validate(_needsReplicaFactory);
        EarlyStopping? earlyStopping = _options.EarlyStopping;
        if (earlyStopping is not null && !hasValidation)
            throw new ArgumentException("Early stopping needs validation data.", "validation");
        if (backend.Count < 1) throw new ArgumentException("The training data is empty.", "training");
        if (_order.Length != backend.Count) _order = new int[backend.Count];
        var clock = Stopwatch.StartNew();
        var history = new List<EpochSummary>();
        bool stoppedEarly = false;
        int batchSize = _options.BatchSize;
        int batchCount = (backend.Count + batchSize - 1) / batchSize;

        while (!_state.Finished && _state.Epoch < _options.Epochs)
        {
            int epoch = _state.Epoch;
            (ulong, ulong) nextEpochRandom = ShuffleForEpoch(backend.Count);
            if (_state.BatchInEpoch > batchCount)
                throw new InvalidOperationException(
                    $"The checkpoint is at batch {_state.BatchInEpoch} of epoch {epoch} but the data has only {batchCount} batches per epoch: resume with the same data and batch size.");
            for (int b = _state.BatchInEpoch; b < batchCount; b++)
            {
                if (cancellationToken.IsCancellationRequested) return Cancel(history, clock);
                int start = b * batchSize;
                int count = Math.Min(batchSize, backend.Count - start);
                float loss = Step(backend, _order.AsSpan(start, count), epoch, b);
                _state.BatchInEpoch = b + 1;
                _state.GlobalStep++;
                _state.EpochLossSum += loss;
                _state.EpochLossCount++;
                progress?.Report(new TrainingProgress(TrainingProgressKind.Batch, epoch, b, batchCount, _state.GlobalStep, loss,
                    _state.EpochLossSum / _state.EpochLossCount, null, _optimizer.LearningRate, clock.Elapsed));
                if (_options.CheckpointPath is { } path && _options.CheckpointEverySteps > 0 && _state.GlobalStep % _options.CheckpointEverySteps == 0)
                    SaveCheckpoint(path);
            }
            if (cancellationToken.IsCancellationRequested) return Cancel(history, clock);

            double trainingLoss = _state.EpochLossCount > 0 ? _state.EpochLossSum / _state.EpochLossCount : double.NaN;
            Metrics? metrics = hasValidation ? backend.Evaluate() : null;
            bool improved = false;
            if (earlyStopping is not null && metrics is not null)
            {
                double value = metrics[earlyStopping.Metric];
                if (earlyStopping.IsImprovement(value, _state.BestMetric))
                {
                    improved = true;
                    _state.BestMetric = value;
                    _state.BestEpoch = epoch;
                    _state.EpochsWithoutImprovement = 0;
                    if (earlyStopping.RestoreBestWeights)
                    {
                        _state.BestParameters ??= new float[_model.ParameterCount];
                        _model.Parameters.AsSpan().CopyTo(_state.BestParameters);
                    }
                }
                else if (++_state.EpochsWithoutImprovement >= earlyStopping.Patience)
                {
                    stoppedEarly = true;
                }
            }
            history.Add(new EpochSummary(epoch, trainingLoss, metrics, improved));
            progress?.Report(new TrainingProgress(TrainingProgressKind.Epoch, epoch, batchCount - 1, batchCount, _state.GlobalStep,
                float.NaN, trainingLoss, metrics, _optimizer.LearningRate, clock.Elapsed));

            _state.Epoch = epoch + 1;
            _state.BatchInEpoch = 0;
            _state.EpochRandomState = nextEpochRandom;
            _state.EpochLossSum = 0;
            _state.EpochLossCount = 0;
            bool last = stoppedEarly || _state.Epoch >= _options.Epochs;
            if (last && earlyStopping is { RestoreBestWeights: true } && _state.BestParameters is { } best)
                best.AsSpan().CopyTo(_model.Parameters);
            if (stoppedEarly) _state.Finished = true;
            if (_options.CheckpointPath is { } epochPath && (_options.CheckpointEachEpoch || last))
                SaveCheckpoint(epochPath);
        }
        return Result(history, cancelled: false, stoppedEarly, clock);
    }

    /// <summary>One optimizer step on <paramref name="indices"/>: gradient, divergence check, schedule, clip and step.</summary>
    public float Step(ITrainingBackend backend, ReadOnlySpan<int> indices, int epoch, int batchIndex)
    {
        float loss = backend.ComputeGradients(indices);
        if (!float.IsFinite(loss))
        {
            Array.Clear(_model.Gradients);
            throw new TrainingDivergedException(
                $"Training diverged at epoch {epoch}, batch {batchIndex} (0-based; optimizer step {_optimizer.StepCount}): the loss is " +
                $"{loss.ToString(CultureInfo.InvariantCulture)}. The parameters were not updated: they are the last good ones. " +
                "Lower the learning rate, clip gradients (MaxGradientNorm), or check the inputs and targets.");
        }
        if (_options.Schedule is { } schedule) _optimizer.LearningRate = schedule.GetLearningRate(_optimizer.StepCount);
        try
        {
            _model.ApplyGradients(_optimizer, _options.MaxGradientNorm);
        }
        catch (TrainingDivergedException e)
        {
            throw new TrainingDivergedException($"At epoch {epoch}, batch {batchIndex} (0-based): {e.Message}");
        }
        return loss;
    }

    /// <summary>Fills <see cref="_order"/> for the current epoch from the epoch's random state; returns the state after the shuffle.</summary>
    private (ulong, ulong) ShuffleForEpoch(int count)
    {
        for (int i = 0; i < count; i++) _order[i] = i;
        var random = new SeededRandom(0) { State = _state.EpochRandomState };
        if (_options.Shuffle)
        {
            for (int i = count - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
        }
        return random.State;
    }

    private TrainingResult Cancel(List<EpochSummary> history, Stopwatch clock)
    {
        if (_options.CheckpointPath is { } path && _options.CheckpointOnCancel) SaveCheckpoint(path);
        return Result(history, cancelled: true, stoppedEarly: false, clock);
    }

    private TrainingResult Result(List<EpochSummary> history, bool cancelled, bool stoppedEarly, Stopwatch clock) =>
        new(history, cancelled, stoppedEarly, _state.BestEpoch, _state.BestMetric, _state.Epoch, _state.GlobalStep, clock.Elapsed);
}
