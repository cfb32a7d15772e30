using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using RnnGen.Initialization;
using RnnGen.Serialization;

namespace RnnGen.Training;

/// <summary>
/// Trains an <see cref="IRnnNetwork"/> with a head: epochs of shuffled mini-batches drawn from an
/// <see cref="ITrainerData"/>, one optimizer step per batch (optionally data parallel, gradient clipping, a learning-rate
/// schedule), validation metrics after each epoch, early stopping, progress reports, cancellation, a divergence guard and
/// periodic checkpoints from which a resumed run reproduces an uninterrupted one bit for bit.
/// </summary>
/// <remarks>
/// Determinism: the order of epoch e is a Fisher–Yates shuffle of 0..Count−1 drawn from a <see cref="SeededRandom"/>
/// whose state at the start of each epoch is part of the checkpoint; together with the parameters, the optimizer's
/// buffers and step count (which also positions the schedule) and the batch index, nothing else influences the result.
/// A trainer is not thread-safe; <see cref="Fit"/> runs on the calling thread (plus the data-parallel workers).
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly IRnnNetwork _model;
    private readonly IOptimizer _optimizer;
    private readonly TrainingOptions _options;
    private CheckpointState _state;
    private DataParallelGradients? _engine;
    private TrainerBatch? _batch;
    private IRnnSession? _evalSession;
    private TrainerBatch? _evalBatch;
    private MetricsAccumulator? _metrics;
    private int[] _order = Array.Empty<int>();
    private int[] _identity = Array.Empty<int>();

    public Trainer(IRnnNetwork model, IOptimizer optimizer, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (model.Head == Head.None)
            throw new ArgumentException("The model has no head, so there is no loss to train: declare Head = Linear, Sigmoid or Softmax.", nameof(model));
        if (optimizer.ParameterCount != model.ParameterCount)
            throw new ArgumentException($"The optimizer was built for {optimizer.ParameterCount} parameters but the model has {model.ParameterCount}.", nameof(optimizer));
        _model = model;
        _optimizer = optimizer;
        _options = options ?? new TrainingOptions();
        _options.Validate();
        if (_options.EarlyStopping is { } es && !es.Metric.AppliesTo(model.Head, model.Sequence))
            throw new ArgumentException($"Early stopping watches {es.Metric}, which a {model.Head} head with {model.Sequence} does not report.", nameof(options));
        _state = new CheckpointState { EpochRandomState = new SeededRandom(_options.Seed).State };
    }

    public IRnnNetwork Model => _model;
    public IOptimizer Optimizer => _optimizer;
    public TrainingOptions Options => _options;

    /// <summary>The epoch being trained, 0-based (= epochs finished when <see cref="BatchInEpoch"/> is 0).</summary>
    public int Epoch => _state.Epoch;

    /// <summary>Next batch of <see cref="Epoch"/>.</summary>
    public int BatchInEpoch => _state.BatchInEpoch;

    /// <summary>Training steps taken by <see cref="Fit"/> (restored from checkpoints).</summary>
    public long GlobalStep => _state.GlobalStep;

    /// <summary>Early stopping ended training; further <see cref="Fit"/> calls return at once.</summary>
    public bool Finished => _state.Finished;

    /// <summary>A copy of the resumable state (as a checkpoint stores it).</summary>
    public CheckpointState State => _state.Clone();

    /// <summary>Writes a checkpoint of the current state to <paramref name="path"/> (atomically).</summary>
    public void SaveCheckpoint(string path) => Checkpoint.Save(path, _model, _optimizer, _state);

    /// <summary>
    /// Restores a checkpoint written by this trainer type (see <see cref="Checkpoint.Load(string, IRnnModel, IOptimizer)"/>):
    /// the model's parameters, the optimizer, the position, the shuffling state and early stopping. The next
    /// <see cref="Fit"/> continues from there. On any problem nothing changes.
    /// </summary>
    public void LoadCheckpoint(string path)
    {
        CheckpointState state = Checkpoint.Load(path, _model, _optimizer);
        Array.Clear(_model.Gradients);
        _state = state;
    }

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Epochs"/> epochs are done, early stopping ends training, or
    /// <paramref name="cancellationToken"/> is cancelled (checked before every batch: Fit returns after the current batch
    /// with <see cref="TrainingResult.Cancelled"/>, having written a checkpoint when <see cref="TrainingOptions.CheckpointOnCancel"/>).
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss or gradient was NaN or infinite; the message names the epoch and
    /// batch; the parameters and optimizer are those after the last good step, and the last checkpoint is intact.</exception>
    public TrainingResult Fit(ITrainerData training, ITrainerData? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        _options.Validate();
        EarlyStopping? earlyStopping = _options.EarlyStopping;
        if (earlyStopping is not null && validation is null)
            throw new ArgumentException("Early stopping needs validation data.", nameof(validation));
        if (training.Count < 1) throw new ArgumentException("The training data is empty.", nameof(training));
        EnsureTraining(training);
        var clock = Stopwatch.StartNew();
        var history = new List<EpochSummary>();
        bool stoppedEarly = false;
        int batchSize = _options.BatchSize;
        int batchCount = (training.Count + batchSize - 1) / batchSize;

        while (!_state.Finished && _state.Epoch < _options.Epochs)
        {
            int epoch = _state.Epoch;
            (ulong, ulong) nextEpochRandom = ShuffleForEpoch(training.Count);
            if (_state.BatchInEpoch > batchCount)
                throw new InvalidOperationException(
                    $"The checkpoint is at batch {_state.BatchInEpoch} of epoch {epoch} but the data has only {batchCount} batches per epoch: resume with the same data and batch size.");
            for (int b = _state.BatchInEpoch; b < batchCount; b++)
            {
                if (cancellationToken.IsCancellationRequested) return Cancel(history, clock);
                int start = b * batchSize;
                int count = Math.Min(batchSize, training.Count - start);
                float loss = TrainStepCore(training, _order.AsSpan(start, count), epoch, b);
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
            Metrics? metrics = validation is null ? null : Evaluate(validation);
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

    /// <summary>
    /// One optimizer step on the sequences <paramref name="indices"/> of <paramref name="data"/>, outside the epoch loop
    /// (the position, <see cref="GlobalStep"/> and checkpoints are not touched): fill the batch, compute the gradient
    /// (data parallel when configured), check the loss, set the scheduled learning rate, clip and step. Returns the
    /// batch's mean loss. Allocation-free after the first call.
    /// </summary>
    public float TrainStep(ITrainerData data, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnsureTraining(data);
        return TrainStepCore(data, indices, _state.Epoch, _state.BatchInEpoch);
    }

    /// <summary>
    /// Metrics of the model on <paramref name="data"/> in batches of <see cref="TrainingOptions.ValidationBatchSize"/>,
    /// in order (see <see cref="Metrics"/>). Uses its own session; parameters and gradients are not changed.
    /// </summary>
    public Metrics Evaluate(ITrainerData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int batchSize = _options.ValidationBatchSize > 0 ? _options.ValidationBatchSize : _options.BatchSize;
        if (_evalBatch is null || _evalBatch.MaxSteps < data.MaxSteps || _evalBatch.MaxBatch != batchSize)
        {
            _evalBatch = new TrainerBatch(_model, batchSize, data.MaxSteps);
            _evalSession = _model.CreateSession(batchSize, data.MaxSteps);
        }
        _metrics ??= new MetricsAccumulator(_model.Head, _model.Sequence, _model.OutputSize);
        _metrics.Reset();
        if (_identity.Length < data.Count)
        {
            _identity = new int[data.Count];
            for (int i = 0; i < _identity.Length; i++) _identity[i] = i;
        }
        IRnnSession session = _evalSession!;
        TrainerBatch batch = _evalBatch;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            batch.Prepare(count);
            data.Fill(_identity.AsSpan(start, count), batch);
            batch.FinishFill();
            batch.Forward(session, 0, count);
            float loss = batch.HasClassTargets ? session.Loss(batch.ClassTargets) : session.Loss(batch.Targets);
            _metrics.Add(count, batch.Steps, batch.Lengths, session.HeadOutput, batch.Targets, batch.ClassTargets, loss);
        }
        return _metrics.Result();
    }

    public void Dispose()
    {
        _engine?.Dispose();
        _engine = null;
    }

    /// <summary>The data-parallel engine (for tests).</summary>
    internal DataParallelGradients? Engine => _engine;

    private float TrainStepCore(ITrainerData data, ReadOnlySpan<int> indices, int epoch, int batchIndex)
    {
        TrainerBatch batch = _batch!;
        if (indices.Length < 1 || indices.Length > batch.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(indices), indices.Length, $"A batch must hold 1..{batch.MaxBatch} sequences.");
        batch.Prepare(indices.Length);
        data.Fill(indices, batch);
        batch.FinishFill();
        float loss = _engine!.Compute(batch);
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

    private void EnsureTraining(ITrainerData data)
    {
        int maxSteps = data.MaxSteps;
        if (maxSteps < 1) throw new ArgumentException("The data's MaxSteps must be ≥ 1.", nameof(data));
        int batchSize = _options.BatchSize;
        if (_engine is null || _batch is null || _batch.MaxSteps < maxSteps || _batch.MaxBatch != batchSize || _engine.Threads != _options.Threads)
        {
            _engine?.Dispose();
            _engine = null;
            _batch = new TrainerBatch(_model, batchSize, maxSteps);
            _engine = new DataParallelGradients(_model, _options.Threads, batchSize, maxSteps, _options.ReplicaFactory);
        }
        if (_order.Length != data.Count) _order = new int[data.Count];
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
