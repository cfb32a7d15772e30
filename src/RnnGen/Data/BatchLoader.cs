using System;
using RnnGen.Initialization;

namespace RnnGen.Data;

/// <summary>Where a <see cref="BatchLoader"/> stands: the epoch, the next batch in it, and the generator state at the epoch's start.</summary>
public readonly record struct BatchLoaderState(int Epoch, int Position, ulong RandomLow, ulong RandomHigh);

/// <summary>
/// Cuts a source into batches, epoch after epoch: optionally shuffled (seeded <see cref="SeededRandom"/>,
/// so the order is reproducible and checkpointable through <see cref="State"/>) and optionally
/// bucketed by length (the shuffled order is cut into pools of <c>bucketPool</c> batches, each pool
/// is sorted by length and cut into batches, and the order of the batches is shuffled), which keeps
/// the padding small while every example still appears exactly once per epoch.
/// After construction, <see cref="Next"/> and the epoch reshuffles allocate nothing.
/// </summary>
public sealed class BatchLoader
{
    private readonly ISequenceSource _source;
    private readonly int[] _order;
    private readonly int[] _scratch;
    private readonly long[] _keys;
    private readonly int[] _batchStarts;
    private SeededRandom _random;
    private (ulong Low, ulong High) _epochStart;
    private int _epoch;
    private int _position;

    /// <param name="source">The examples.</param>
    /// <param name="batchSize">Sequences per batch (the last batch of an epoch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Shuffle every epoch; false keeps the source order.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="bucketPool">Sort by length within pools of this many batches; 0 or 1 = no bucketing.</param>
    /// <param name="dropLast">Leave out an epoch's last, incomplete batch.</param>
    public BatchLoader(ISequenceSource source, int batchSize, bool shuffle = true, long seed = 0, int bucketPool = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        DataChecks.Positive(batchSize, nameof(batchSize));
        if (bucketPool < 0)
            throw new ArgumentOutOfRangeException(nameof(bucketPool), bucketPool, $"Expected bucketPool ≥ 0 (batches per sorting pool; 0 = no bucketing), but got {bucketPool}.");
        int count = source.Count;
        if (count < 1)
            throw new ArgumentException("Expected a source with at least one example, but it is empty.", nameof(source));
        if (dropLast && count < batchSize)
            throw new ArgumentException($"Expected at least batchSize = {batchSize} examples with dropLast, but the source holds {count}.", nameof(source));
        int maxLength = 0;
        for (int i = 0; i < count; i++)
        {
            int length = source.LengthOf(i);
            if (length < 1)
                throw new ArgumentException($"Expected every example to have ≥ 1 step, but example {i} has {length}.", nameof(source));
            maxLength = Math.Max(maxLength, length);
        }
        _source = source;
        BatchSize = batchSize;
        Shuffled = shuffle;
        BucketPool = bucketPool;
        DropLast = dropLast;
        MaxLength = maxLength;
        BatchesPerEpoch = dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
        _order = new int[count];
        int pool = bucketPool > 1 ? (int)Math.Min((long)bucketPool * batchSize, count) : 0;
        _scratch = new int[pool];
        _keys = new long[pool];
        _batchStarts = new int[BatchesPerEpoch];
        _random = new SeededRandom(seed);
        BuildEpoch();
    }

    public int BatchSize { get; }
    public bool Shuffled { get; }
    public int BucketPool { get; }
    public bool DropLast { get; }

    /// <summary>The longest example: the <c>maxSteps</c> a batch (and a session) needs.</summary>
    public int MaxLength { get; }

    public int BatchesPerEpoch { get; }

    /// <summary>Epochs completed so far (0 during the first).</summary>
    public int Epoch => _epoch;

    /// <summary>The next batch's number within the epoch.</summary>
    public int Position => _position;

    /// <summary>The example order of the current epoch (batch <c>k</c> is <see cref="BatchIndices"/>(k)).</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>A batch that fits this loader: <see cref="BatchSize"/> × <see cref="MaxLength"/> of the source's shape.</summary>
    public SequenceBatch CreateBatch() => new(BatchSize, MaxLength, _source.Shape);

    /// <summary>Example indices of batch <paramref name="batchNumber"/> of the current epoch.</summary>
    public ReadOnlySpan<int> BatchIndices(int batchNumber)
    {
        if ((uint)batchNumber >= (uint)BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(batchNumber), batchNumber, $"Expected a batch number in 0..{BatchesPerEpoch - 1}, but got {batchNumber}.");
        int start = _batchStarts[batchNumber];
        return _order.AsSpan(start, Math.Min(BatchSize, _order.Length - start));
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with the next batch of the epoch and returns true; at the end
    /// of an epoch returns false (the batch is left untouched) and prepares the next epoch.
    /// Each row's <see cref="SequenceBatch.Origins"/> is its index in the source.
    /// </summary>
    public bool Next(SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Shape != _source.Shape)
            throw new ArgumentException($"Expected a batch of shape {_source.Shape}, but the batch is {batch.Shape}.", nameof(batch));
        if (batch.MaxBatch < BatchSize || batch.MaxSteps < MaxLength)
            throw new ArgumentException(
                $"Expected a batch of at least {BatchSize} × {MaxLength} (batchSize × longest example), but it is {batch.MaxBatch} × {batch.MaxSteps}.", nameof(batch));
        if (_position == BatchesPerEpoch)
        {
            _epoch++;
            _position = 0;
            BuildEpoch();
            return false;
        }
        batch.Clear();
        foreach (int index in BatchIndices(_position))
        {
            int row = _source.AddTo(batch, index);
            batch.Origins[row] = index;
        }
        batch.Complete();
        _position++;
        return true;
    }

    /// <summary>Share of padded step slots over all batches of the current epoch (Σ(B·T − Σlength) / Σ B·T).</summary>
    public double EpochPaddingFraction
    {
        get
        {
            long slots = 0, valid = 0;
            for (int k = 0; k < BatchesPerEpoch; k++)
            {
                int max = 0;
                ReadOnlySpan<int> indices = BatchIndices(k);
                foreach (int index in indices)
                {
                    int length = _source.LengthOf(index);
                    max = Math.Max(max, length);
                    valid += length;
                }
                slots += (long)max * indices.Length;
            }
            return 1.0 - (double)valid / slots;
        }
    }

    /// <summary>Checkpoint of the loader; setting it rebuilds that epoch's order and resumes at its position.</summary>
    public BatchLoaderState State
    {
        get => new(_epoch, _position, _epochStart.Low, _epochStart.High);
        set
        {
            if (value.Epoch < 0)
                throw new ArgumentOutOfRangeException(nameof(value), value.Epoch, $"Expected Epoch ≥ 0, but got {value.Epoch}.");
            if (value.Position < 0 || value.Position > BatchesPerEpoch)
                throw new ArgumentOutOfRangeException(nameof(value), value.Position, $"Expected Position in 0..{BatchesPerEpoch} (batches per epoch), but got {value.Position}.");
            if ((value.RandomLow | value.RandomHigh) == 0)
                throw new ArgumentException("Expected a generator state that is not all zero (the all-zero state is invalid).", nameof(value));
            _random.State = (value.RandomLow, value.RandomHigh);
            BuildEpoch();
            _epoch = value.Epoch;
            _position = value.Position;
        }
    }

    // The order depends only on the generator state at the epoch's start.
    private void BuildEpoch()
    {
        _epochStart = _random.State;
        Span<int> order = _order;
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffled)
            SeededShuffle.Shuffle(order, ref _random);
        if (_keys.Length > 0)
        {
            for (int start = 0; start < order.Length; start += _keys.Length)
                SortByLength(order.Slice(start, Math.Min(_keys.Length, order.Length - start)));
        }
        for (int k = 0; k < _batchStarts.Length; k++) _batchStarts[k] = k * BatchSize;
        if (Shuffled && _keys.Length > 0)
            SeededShuffle.Shuffle(_batchStarts.AsSpan(), ref _random);
    }

    // Keys (length, position) are unique, so any sort gives the same, stable result.
    private void SortByLength(Span<int> pool)
    {
        Span<long> keys = _keys.AsSpan(0, pool.Length);
        Span<int> copy = _scratch.AsSpan(0, pool.Length);
        pool.CopyTo(copy);
        for (int i = 0; i < pool.Length; i++)
            keys[i] = ((long)_source.LengthOf(pool[i]) << 32) | (uint)i;
        keys.Sort();
        for (int i = 0; i < pool.Length; i++)
            pool[i] = copy[(int)(keys[i] & 0xFFFFFFFF)];
    }
}
