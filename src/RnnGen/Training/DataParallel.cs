using System;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;

namespace RnnGen.Training;

/// <summary>
/// Computes a batch's gradient on several threads. The batch's sequences are split into <see cref="Threads"/>
/// contiguous shards of (almost) equal size; shard k runs on its own model replica and session (shard 0 on the
/// calling thread, the others on long-lived worker threads created once). Each replica first copies the master's
/// parameters, then computes the mean loss of its shard and its gradient. The gradients are reduced into the master's
/// <see cref="IRnnModel.Gradients"/> in a fixed order (shard 0, 1, …), each weighted by
/// w_k = (loss rows of shard k) / (loss rows of the batch) — loss rows are sequences for many-to-one and valid steps for
/// many-to-many — so the sum is the gradient of the full batch's mean loss, and results are deterministic for a given
/// thread count. With one thread everything runs on the master's own session and nothing is weighted.
/// After construction and a first call, <see cref="Compute"/> allocates nothing.
/// </summary>
public sealed class DataParallelGradients : IDisposable
{
    private readonly IRnnNetwork _master;
    private readonly IRnnSession? _masterSession;
    private readonly Shard[] _shards;
    private bool _disposed;

    /// <param name="master">The model whose parameters are read and whose gradients receive the result.</param>
    /// <param name="threads">Shards and threads (≥ 1).</param>
    /// <param name="maxBatch">Largest batch <see cref="Compute"/> will get.</param>
    /// <param name="maxSteps">Largest padded length.</param>
    /// <param name="replicaFactory">Creates a model of the master's architecture (needed when <paramref name="threads"/> &gt; 1).</param>
    public DataParallelGradients(IRnnNetwork master, int threads, int maxBatch, int maxSteps, Func<IRnnNetwork>? replicaFactory = null)
    {
        ArgumentNullException.ThrowIfNull(master);
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be ≥ 1.");
        if (master.Head == Head.None)
            throw new ArgumentException("The model has no head, so it has no loss to differentiate.", nameof(master));
        _master = master;
        Threads = threads;
        if (threads == 1)
        {
            _masterSession = master.CreateSession(maxBatch, maxSteps);
            _shards = Array.Empty<Shard>();
            return;
        }
        if (replicaFactory is null)
            throw new ArgumentException("More than one thread needs a replicaFactory (e.g. () => new MyModel()).", nameof(replicaFactory));
        int maxShard = (maxBatch + threads - 1) / threads;
        _shards = new Shard[threads];
        try
        {
            for (int k = 0; k < threads; k++)
            {
                IRnnNetwork replica = replicaFactory();
                if (replica is null || ReferenceEquals(replica, master))
                    throw new ArgumentException("replicaFactory must return a new model each time.", nameof(replicaFactory));
                if (replica.Architecture != master.Architecture)
                    throw new ArgumentException(
                        $"replicaFactory made a model of architecture '{replica.Architecture}' but the master's is '{master.Architecture}'.", nameof(replicaFactory));
                _shards[k] = new Shard(this, replica, replica.CreateSession(maxShard, maxSteps), startThread: k > 0, k);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Threads { get; }

    /// <summary>The model replicas (empty with one thread).</summary>
    internal IRnnNetwork[] Replicas
    {
        get
        {
            var replicas = new IRnnNetwork[_shards.Length];
            for (int k = 0; k < replicas.Length; k++) replicas[k] = _shards[k].Model;
            return replicas;
        }
    }

    /// <summary>Bytes allocated by the worker threads while computing shards (for the allocation tests).</summary>
    internal long WorkerAllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (Shard s in _shards) total += s.AllocatedBytes;
            return total;
        }
    }

    /// <summary>
    /// Adds the gradient of the batch's mean loss into the master's <see cref="IRnnModel.Gradients"/> and returns that
    /// mean loss (Σ_k w_k·loss_k). Uses rows 0..batch.Batch of <paramref name="batch"/>.
    /// </summary>
    public float Compute(TrainerBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int total = batch.Batch;
        if (total < 1) throw new ArgumentException("The batch is empty.", nameof(batch));
        if (_masterSession is not null) return Run(_masterSession, batch, 0, total);

        int threads = _shards.Length;
        for (int k = 0; k < threads; k++)
        {
            Shard s = _shards[k];
            s.Batch = batch;
            s.Start = (int)((long)k * total / threads);
            s.Count = (int)((long)(k + 1) * total / threads) - s.Start;
            s.Error = null;
        }
        for (int k = 1; k < threads; k++)
        {
            Shard s = _shards[k];
            if (s.Count == 0) continue;
            s.Worker!.Post();
        }
        if (_shards[0].Count > 0) _shards[0].Execute();
        for (int k = 1; k < threads; k++)
            if (_shards[k].Count > 0) _shards[k].Worker!.Wait();
        for (int k = 0; k < threads; k++)
        {
            _shards[k].Batch = null;
            if (_shards[k].Error is { } error) ExceptionDispatchInfo.Capture(error).Throw();
        }

        int rows = 0;
        for (int k = 0; k < threads; k++) rows += _shards[k].Rows;
        Span<float> gradients = _master.Gradients;
        double loss = 0;
        for (int k = 0; k < threads; k++)
        {
            Shard s = _shards[k];
            if (s.Count == 0 || s.Rows == 0) continue;
            float weight = (float)s.Rows / rows;
            TensorPrimitives.MultiplyAdd(s.Model.Gradients, weight, gradients, gradients);
            loss += (double)weight * s.Loss;
        }
        return (float)loss;
    }

    private static float Run(IRnnSession session, TrainerBatch batch, int start, int count)
    {
        batch.Forward(session, start, count);
        float loss = batch.HasClassTargets
            ? session.Loss(batch.ClassTargetRows(start, count))
            : session.Loss(batch.TargetRows(start, count));
        session.Backward();
        return loss;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Shard? s in _shards) s?.Stop();
    }

    private sealed class Shard
    {
        private readonly DataParallelGradients _owner;
        private readonly IRnnSession _session;

        public Shard(DataParallelGradients owner, IRnnNetwork model, IRnnSession session, bool startThread, int index)
        {
            _owner = owner;
            Model = model;
            _session = session;
            if (startThread) Worker = new ShardWorker("RnnGen data-parallel worker " + index, Execute);
        }

        public IRnnNetwork Model { get; }

        /// <summary>The thread of shards 1.. (shard 0 runs on the caller).</summary>
        public ShardWorker? Worker { get; }

        public long AllocatedBytes => Worker?.AllocatedBytes ?? 0;
        public TrainerBatch? Batch;
        public int Start;
        public int Count;
        public float Loss;
        public int Rows;
        public Exception? Error;

        public void Execute()
        {
            try
            {
                TrainerBatch batch = Batch!;
                _owner._master.Parameters.AsSpan().CopyTo(Model.Parameters);
                Array.Clear(Model.Gradients);
                Rows = batch.LossRowsOf(Start, Count);
                Loss = Run(_session, batch, Start, Count);
            }
            catch (Exception e)
            {
                Error = e;
            }
        }

        public void Stop() => Worker?.Dispose();
    }
}
