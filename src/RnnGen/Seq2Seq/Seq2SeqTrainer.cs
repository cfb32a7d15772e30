using System;
using System.Threading;
using RnnGen.Serialization;
using RnnGen.Training;

namespace RnnGen.Seq2Seq;

/// <summary>
/// The runtime's <see cref="Trainer"/> for encoder–decoder models: the same epoch loop (shared code), options
/// (<see cref="TrainingOptions"/>: epochs, batch size, shuffling seed, schedule, clipping, <c>Threads</c> for
/// <see cref="Seq2SeqDataParallel"/>, early stopping on Loss, Accuracy or Perplexity, checkpoints every N steps / each
/// epoch / on cancel), the same divergence guard and checkpoints (weights, optimizer, position and shuffle state) from
/// which a resumed run reproduces an uninterrupted one bit for bit.
/// </summary>
/// <remarks>Validation metrics are teacher-forced: <see cref="Metrics.Loss"/> is the mean token cross-entropy,
/// <see cref="Metrics.Accuracy"/> the token accuracy, <see cref="Metrics.Perplexity"/> exp(loss). Decoded exact match
/// needs a decoder (<see cref="Seq2SeqStepSource"/>) and is the caller's to measure.</remarks>
public sealed class Seq2SeqTrainer : IDisposable
{
    private readonly Seq2SeqNetwork _model;
    private readonly TrainingOptions _options;
    private readonly TrainingLoop _loop;
    private readonly Backend _backend;
    private Seq2SeqDataParallel? _engine;
    private Seq2SeqBatch? _batch;
    private Seq2SeqSession? _evalSession;
    private Seq2SeqBatch? _evalBatch;
    private int[] _identity = Array.Empty<int>();

    public Seq2SeqTrainer(Seq2SeqNetwork model, IOptimizer optimizer, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        _model = model;
        Optimizer = optimizer;
        _options = options ?? new TrainingOptions();
        if (_options.EarlyStopping is { } es && es.Metric is not (Metric.Loss or Metric.Accuracy or Metric.Perplexity))
            throw new ArgumentException($"Early stopping watches {es.Metric}; an encoder–decoder reports Loss, Accuracy and Perplexity.", nameof(options));
        _loop = new TrainingLoop(model, optimizer, _options, needsReplicaFactory: false);
        _backend = new Backend(this);
    }

    public Seq2SeqNetwork Model => _model;
    public IOptimizer Optimizer { get; }
    public TrainingOptions Options => _options;

    /// <summary>Scheduled sampling probability used by the training batches (see <see cref="Seq2SeqSession.SamplingProbability"/>).</summary>
    public float SamplingProbability { get; set; }

    public int Epoch => _loop.State.Epoch;
    public int BatchInEpoch => _loop.State.BatchInEpoch;
    public long GlobalStep => _loop.State.GlobalStep;
    public bool Finished => _loop.State.Finished;
    public CheckpointState State => _loop.State.Clone();
    public void SaveCheckpoint(string path) => _loop.SaveCheckpoint(path);
    public void LoadCheckpoint(string path) => _loop.LoadCheckpoint(path);

    /// <summary>Trains like <see cref="Trainer.Fit"/>; see there for cancellation and divergence.</summary>
    public TrainingResult Fit(Seq2SeqData training, Seq2SeqData? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (_options.EarlyStopping is not null && validation is null)
            throw new ArgumentException("Early stopping needs validation data.", nameof(validation));
        Ensure(training);
        _backend.Training = training;
        _backend.Validation = validation;
        return _loop.Fit(_backend, validation is not null, progress, cancellationToken);
    }

    /// <summary>Teacher-forced metrics on <paramref name="data"/>, in order; parameters and gradients are not changed.</summary>
    public Metrics Evaluate(Seq2SeqData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int batchSize = _options.ValidationBatchSize > 0 ? _options.ValidationBatchSize : _options.BatchSize;
        if (_evalBatch is null || _evalBatch.MaxBatch != batchSize || _evalBatch.MaxSourceSteps < data.MaxSourceSteps || _evalBatch.MaxTargetSteps < data.MaxTargetSteps)
        {
            _evalBatch = new Seq2SeqBatch(batchSize, data.MaxSourceSteps, data.MaxTargetSteps);
            _evalSession = _model.CreateSession(batchSize, data.MaxSourceSteps, data.MaxTargetSteps);
        }
        if (_identity.Length < data.Count)
        {
            _identity = new int[data.Count];
            for (int i = 0; i < _identity.Length; i++) _identity[i] = i;
        }
        double lossSum = 0;
        long tokens = 0, correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            data.Fill(_identity.AsSpan(start, count), _evalBatch);
            _evalSession!.Forward(_evalBatch);
            float loss = _evalSession.Loss();
            (int hits, int total, _) = _evalSession.Accuracy();
            lossSum += (double)loss * total;
            tokens += total;
            correct += hits;
        }
        double mean = lossSum / tokens;
        return new Metrics(mean, (double)correct / tokens, Math.Exp(mean), double.NaN, double.NaN, tokens);
    }

    public void Dispose()
    {
        _engine?.Dispose();
        _engine = null;
    }

    private void Ensure(Seq2SeqData data)
    {
        int batchSize = _options.BatchSize;
        if (_engine is null || _batch is null || _engine.Threads != _options.Threads || _batch.MaxBatch != batchSize ||
            _batch.MaxSourceSteps < data.MaxSourceSteps || _batch.MaxTargetSteps < data.MaxTargetSteps)
        {
            _engine?.Dispose();
            _batch = new Seq2SeqBatch(batchSize, data.MaxSourceSteps, data.MaxTargetSteps);
            _engine = new Seq2SeqDataParallel(_model, _options.Threads, batchSize, data.MaxSourceSteps, data.MaxTargetSteps);
            _engine.SeedSampling(_options.Seed);
        }
    }

    private float ComputeGradients(Seq2SeqData data, ReadOnlySpan<int> indices)
    {
        data.Fill(indices, _batch!);
        _engine!.SamplingProbability = SamplingProbability;
        // coin flips seeded by the step, so a run resumed from a checkpoint flips the same coins
        if (SamplingProbability > 0f) _engine.SeedSampling(_options.Seed * 1_000_003 + _loop.State.GlobalStep);
        return _engine.ComputeGradients(_batch!);
    }

    private sealed class Backend(Seq2SeqTrainer trainer) : ITrainingBackend
    {
        public Seq2SeqData Training = null!;
        public Seq2SeqData? Validation;
        public int Count => Training.Count;
        public float ComputeGradients(ReadOnlySpan<int> indices) => trainer.ComputeGradients(Training, indices);
        public Metrics? Evaluate() => Validation is null ? null : trainer.Evaluate(Validation);
    }
}
