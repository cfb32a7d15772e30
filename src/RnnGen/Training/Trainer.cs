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
    private readonly TrainingLoop _loop;
    private DataParallelGradients? _engine;
    private TrainerBatch? _batch;
    private IRnnSession? _evalSession;
    private TrainerBatch? _evalBatch;
    private MetricsAccumulator? _metrics;
    private int[] _identity = Array.Empty<int>();
    private Backend? _backend;

    public Trainer(IRnnNetwork model, IOptimizer optimizer, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (model.Head == Head.None)
            throw new ArgumentException("The model has no head, so there is no loss to train: declare Head = Linear, Sigmoid or Softmax.", nameof(model));
        _model = model;
        _optimizer = optimizer;
        _options = options ?? new TrainingOptions();
        _options.Validate();
        if (_options.EarlyStopping is { } es && !es.Metric.AppliesTo(model.Head, model.Sequence))
            throw new ArgumentException($"Early stopping watches {es.Metric}, which a {model.Head} head with {model.Sequence} does not report.", nameof(options));
        _loop = new TrainingLoop(model, optimizer, _options);
    }

    public IRnnNetwork Model => _model;
    public IOptimizer Optimizer => _optimizer;
    public TrainingOptions Options => _options;

    /// <summary>The epoch being trained, 0-based (= epochs finished when <see cref="BatchInEpoch"/> is 0).</summary>
    public int Epoch => _loop.State.Epoch;

    /// <summary>Next batch of <see cref="Epoch"/>.</summary>
    public int BatchInEpoch => _loop.State.BatchInEpoch;

    /// <summary>Training steps taken by <see cref="Fit"/> (restored from checkpoints).</summary>
    public long GlobalStep => _loop.State.GlobalStep;

    /// <summary>Early stopping ended training; further <see cref="Fit"/> calls return at once.</summary>
    public bool Finished => _loop.State.Finished;

    /// <summary>A copy of the resumable state (as a checkpoint stores it).</summary>
    public CheckpointState State => _loop.State.Clone();

    /// <summary>Writes a checkpoint of the current state to <paramref name="path"/> (atomically).</summary>
    public void SaveCheckpoint(string path) => _loop.SaveCheckpoint(path);

    /// <summary>
    /// Restores a checkpoint written by this trainer type (see <see cref="Checkpoint.Load(string, IRnnModel, IOptimizer)"/>):
    /// the model's parameters, the optimizer, the position, the shuffling state and early stopping. The next
    /// <see cref="Fit"/> continues from there. On any problem nothing changes.
    /// </summary>
    public void LoadCheckpoint(string path) => _loop.LoadCheckpoint(path);

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
        if (_options.EarlyStopping is not null && validation is null)
            throw new ArgumentException("Early stopping needs validation data.", nameof(validation));
        if (training.Count < 1) throw new ArgumentException("The training data is empty.", nameof(training));
        EnsureTraining(training);
        return _loop.Fit(BackendFor(training, validation), validation is not null, progress, cancellationToken);
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
        return _loop.Step(BackendFor(data, null), indices, _loop.State.Epoch, _loop.State.BatchInEpoch);
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

    private float ComputeGradients(ITrainerData data, ReadOnlySpan<int> indices)
    {
        TrainerBatch batch = _batch!;
        if (indices.Length < 1 || indices.Length > batch.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(indices), indices.Length, $"A batch must hold 1..{batch.MaxBatch} sequences.");
        batch.Prepare(indices.Length);
        data.Fill(indices, batch);
        batch.FinishFill();
        return _engine!.Compute(batch);
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
    }

    private Backend BackendFor(ITrainerData training, ITrainerData? validation)
    {
        _backend ??= new Backend(this);
        _backend.Training = training;
        _backend.Validation = validation;
        return _backend;
    }

    /// <summary>The generated-model side of the shared epoch loop (one instance, reused: TrainStep allocates nothing).</summary>
    private sealed class Backend(Trainer trainer) : ITrainingBackend
    {
        public ITrainerData Training = null!;
        public ITrainerData? Validation;
        public int Count => Training.Count;
        public float ComputeGradients(ReadOnlySpan<int> indices) => trainer.ComputeGradients(Training, indices);
        public Metrics? Evaluate() => Validation is null ? null : trainer.Evaluate(Validation);
    }
}
