using System;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using RnnGen.Training;

namespace RnnGen.Seq2Seq;

/// <summary>
/// Computes the gradient of a <see cref="Seq2SeqBatch"/>'s mean loss on several cores. The batch's rows are split into
/// <see cref="Threads"/> contiguous shards; shard k runs a session of a replica that shares the master's parameters
/// (no copy) and owns its gradients (shard 0 on the calling thread, the others on long-lived workers). The master's
/// <see cref="Seq2SeqNetwork.Gradients"/> is overwritten with Σ_k w_k·g_k, w_k = target tokens of shard k / target
/// tokens of the batch, summed in a fixed order: the result equals a single session's gradient up to float rounding
/// and is deterministic for a given thread count. Allocation-free after construction.
/// </summary>
public sealed class Seq2SeqDataParallel : IDisposable
{
    private readonly Seq2SeqNetwork _master;
    private readonly Shard[] _shards;
    private bool _disposed;

    public Seq2SeqDataParallel(Seq2SeqNetwork master, int threads, int maxBatch, int maxSourceSteps, int maxTargetSteps)
    {
        ArgumentNullException.ThrowIfNull(master);
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, $"Expected threads ≥ 1, but got {threads}.");
        _master = master;
        Threads = threads;
        int maxShard = (maxBatch + threads - 1) / threads;
        _shards = new Shard[threads];
        for (int k = 0; k < threads; k++)
        {
            Seq2SeqNetwork model = threads == 1 ? master : new Seq2SeqReplica(master);
            _shards[k] = new Shard(model.CreateSession(maxShard, maxSourceSteps, maxTargetSteps), startThread: k > 0, k);
        }
    }

    public int Threads { get; }

    /// <summary>Scheduled sampling probability of every shard's session (see <see cref="Seq2SeqSession.SamplingProbability"/>).</summary>
    public float SamplingProbability
    {
        get => _shards[0].Session.SamplingProbability;
        set
        {
            for (int k = 0; k < _shards.Length; k++) _shards[k].Session.SamplingProbability = value;
        }
    }

    /// <summary>Reseeds every shard's scheduled sampling (shard k with seed + k).</summary>
    public void SeedSampling(long seed)
    {
        for (int k = 0; k < _shards.Length; k++) _shards[k].Session.SeedSampling(seed + k);
    }

    /// <summary>Overwrites the master's gradients with the gradient of the batch's mean token loss and returns that loss.</summary>
    public float ComputeGradients(Seq2SeqBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int total = batch.Count;
        if (total < 1) throw new ArgumentException("The batch is empty.", nameof(batch));
        if (_shards.Length == 1)
        {
            _master.ZeroGradients();
            return _shards[0].Run(batch, 0, total);
        }

        int threads = _shards.Length;
        for (int k = 0; k < threads; k++)
        {
            Shard s = _shards[k];
            s.Batch = batch;
            s.Start = (int)((long)k * total / threads);
            s.Count = (int)((long)(k + 1) * total / threads) - s.Start;
            s.Error = null;
        }
        batch.Source(0, 0); // pack once on this thread; the shards only read
        for (int k = 1; k < threads; k++)
        {
            if (_shards[k].Count == 0) continue;
            _shards[k].Worker!.Post();
        }
        if (_shards[0].Count > 0) _shards[0].Execute();
        for (int k = 1; k < threads; k++)
            if (_shards[k].Count > 0) _shards[k].Worker!.Wait();

        int tokens = batch.TargetTokens(0, total);
        Span<float> gradients = _master.Gradients;
        gradients.Clear();
        double loss = 0;
        for (int k = 0; k < threads; k++)
        {
            Shard s = _shards[k];
            s.Batch = null;
            if (s.Error is { } error) ExceptionDispatchInfo.Capture(error).Throw();
            if (s.Count == 0) continue;
            float weight = (float)batch.TargetTokens(s.Start, s.Count) / tokens;
            TensorPrimitives.MultiplyAdd(s.Session.Network.Gradients, weight, gradients, gradients);
            loss += (double)weight * s.Loss;
        }
        return (float)loss;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Shard s in _shards) s.Stop();
    }

    private sealed class Shard
    {
        public Shard(Seq2SeqSession session, bool startThread, int index)
        {
            Session = session;
            if (startThread) Worker = new ShardWorker("RnnGen seq2seq data-parallel worker " + index, Execute);
        }

        public Seq2SeqSession Session { get; }

        /// <summary>The thread of shards 1.. (shard 0 runs on the caller).</summary>
        public ShardWorker? Worker { get; }

        public Seq2SeqBatch? Batch;
        public int Start, Count;
        public float Loss;
        public Exception? Error;

        public float Run(Seq2SeqBatch batch, int start, int count)
        {
            Session.Forward(batch, start, count);
            float loss = Session.Loss();
            Session.Network.ZeroGradients();
            Session.Backward();
            return loss;
        }

        public void Execute()
        {
            try
            {
                Loss = Run(Batch!, Start, Count);
            }
            catch (Exception ex)
            {
                Error = ex;
            }
        }

        public void Stop() => Worker?.Dispose();
    }
}
