using System;

namespace RnnGen.Training;

/// <summary>
/// A data set the <see cref="Trainer"/> draws batches from: <see cref="Count"/> sequences, addressed by index.
/// The trainer decides the order (shuffling with its own checkpointed generator) and asks the data set to write the
/// chosen sequences into a preallocated <see cref="TrainerBatch"/>; so the data set holds no position and needs no
/// checkpointing. <see cref="Fill"/> must be deterministic and should not allocate.
/// </summary>
public interface ITrainerData
{
    /// <summary>Number of sequences.</summary>
    int Count { get; }

    /// <summary>Longest padded length <see cref="Fill"/> will ever set as <see cref="TrainerBatch.Steps"/>.</summary>
    int MaxSteps { get; }

    /// <summary>
    /// Writes sequences <paramref name="indices"/> (in that order) as rows 0.. of <paramref name="batch"/>: first set
    /// <see cref="TrainerBatch.Steps"/> (default <see cref="MaxSteps"/>), then fill <see cref="TrainerBatch.Input"/>,
    /// <see cref="TrainerBatch.Lengths"/> (left 0 = the full <see cref="TrainerBatch.Steps"/>) and the targets.
    /// </summary>
    void Fill(ReadOnlySpan<int> indices, TrainerBatch batch);
}

/// <summary>
/// A preallocated batch in the layout the generated sessions take: input [Batch, Steps, InputSize] batch-first,
/// lengths [Batch], and targets shaped by the head — <see cref="Targets"/> (float; Linear and Sigmoid heads)
/// [Batch, Steps, OutputSize] for many-to-many or [Batch, OutputSize] for many-to-one, or <see cref="ClassTargets"/>
/// (Softmax heads) [Batch, Steps] or [Batch]. All spans are views of the first elements of buffers sized for
/// <see cref="MaxBatch"/> × <see cref="MaxSteps"/>, so set <see cref="Steps"/> before taking them.
/// </summary>
public sealed class TrainerBatch
{
    private readonly float[] _input;
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private readonly float[] _targets;
    private readonly int[] _classTargets;
    private int _steps;

    public TrainerBatch(IRnnNetwork model, int maxBatch, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "maxBatch must be ≥ 1.");
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must be ≥ 1.");
        if (model.Head == Head.None)
            throw new ArgumentException("The model has no head, so there is nothing to train against: declare Head = Linear, Sigmoid or Softmax.", nameof(model));
        MaxBatch = maxBatch;
        MaxSteps = maxSteps;
        InputSize = model.InputSize;
        OutputSize = model.OutputSize;
        Head = model.Head;
        Sequence = model.Sequence;
        Vocabulary = model.Vocabulary;
        // token models read ids [B, T]; feature models read vectors [B, T, I]
        _input = Vocabulary > 0 ? Array.Empty<float>() : new float[checked(maxBatch * maxSteps * InputSize)];
        _tokens = Vocabulary > 0 ? new int[checked(maxBatch * maxSteps)] : Array.Empty<int>();
        _lengths = new int[maxBatch];
        int targetRows = Sequence == Sequence.ManyToMany ? maxBatch * maxSteps : maxBatch;
        _targets = Head == Head.Softmax ? Array.Empty<float>() : new float[checked(targetRows * OutputSize)];
        _classTargets = Head == Head.Softmax ? new int[targetRows] : Array.Empty<int>();
        _steps = maxSteps;
    }

    public int MaxBatch { get; }
    public int MaxSteps { get; }
    public int InputSize { get; }
    public int OutputSize { get; }
    public Head Head { get; }
    public Sequence Sequence { get; }

    /// <summary>Number of sequences in this batch (set by the trainer before <see cref="ITrainerData.Fill"/>).</summary>
    public int Batch { get; internal set; }

    /// <summary>Padded steps of this batch, 1..<see cref="MaxSteps"/>.</summary>
    public int Steps
    {
        get => _steps;
        set
        {
            if (value < 1 || value > MaxSteps)
                throw new ArgumentOutOfRangeException(nameof(Steps), value, $"Steps must be in 1..{MaxSteps} but is {value}.");
            _steps = value;
        }
    }

    /// <summary>True for Softmax heads (targets are <see cref="ClassTargets"/>).</summary>
    public bool HasClassTargets => Head == Head.Softmax;

    /// <summary>Token ids the model reads, or 0 for feature models.</summary>
    public int Vocabulary { get; }

    /// <summary>The model reads token ids: fill <see cref="Tokens"/> instead of <see cref="Input"/>.</summary>
    public bool ReadsTokens => Vocabulary > 0;

    /// <summary>[Batch, Steps, InputSize] feature vectors; empty for token models.</summary>
    public Span<float> Input => ReadsTokens ? Span<float>.Empty : _input.AsSpan(0, Batch * _steps * InputSize);

    /// <summary>[Batch, Steps] token ids (token models); empty for feature models.</summary>
    public Span<int> Tokens => ReadsTokens ? _tokens.AsSpan(0, Batch * _steps) : Span<int>.Empty;

    /// <summary>[Batch] valid steps per sequence (1..Steps; 0 means Steps).</summary>
    public Span<int> Lengths => _lengths.AsSpan(0, Batch);

    /// <summary>Float targets (Linear/Sigmoid heads): [Batch, Steps, OutputSize] or [Batch, OutputSize]; empty for Softmax heads.</summary>
    public Span<float> Targets => HasClassTargets ? Span<float>.Empty : _targets.AsSpan(0, TargetRowCount * OutputSize);

    /// <summary>Class ids (Softmax heads): [Batch, Steps] or [Batch]; empty for other heads.</summary>
    public Span<int> ClassTargets => HasClassTargets ? _classTargets.AsSpan(0, TargetRowCount) : Span<int>.Empty;

    /// <summary>Rows of the target layout: Batch·Steps for many-to-many, Batch for many-to-one.</summary>
    public int TargetRowCount => Sequence == Sequence.ManyToMany ? Batch * _steps : Batch;

    internal int TargetRowsPerSequence => Sequence == Sequence.ManyToMany ? _steps : 1;

    /// <summary>Rows the loss averages over: Σ lengths for many-to-many, Batch for many-to-one.</summary>
    public int LossRows
    {
        get
        {
            if (Sequence == Sequence.ManyToOne) return Batch;
            int n = 0;
            foreach (int length in Lengths) n += length;
            return n;
        }
    }

    internal void Prepare(int batch)
    {
        Batch = batch;
        _steps = MaxSteps;
        _lengths.AsSpan(0, batch).Clear();
    }

    /// <summary>Replaces lengths left at 0 by Steps and checks the rest.</summary>
    internal void FinishFill()
    {
        Span<int> lengths = Lengths;
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] == 0) lengths[b] = _steps;
            else if (lengths[b] < 0 || lengths[b] > _steps)
                throw new InvalidOperationException($"The data set wrote length {lengths[b]} for row {b}; lengths must be in 1..Steps ({_steps}).");
        }
    }

    internal ReadOnlySpan<float> InputRows(int start, int count) => _input.AsSpan(start * _steps * InputSize, count * _steps * InputSize);

    /// <summary>Runs the session's forward pass on rows start..start+count of this batch (tokens or vectors).</summary>
    internal void Forward(IRnnSession session, int start, int count)
    {
        if (ReadsTokens)
        {
            session.Forward(_tokens.AsSpan(start * _steps, count * _steps), count, _steps, LengthRows(start, count));
        }
        else
        {
            session.Forward(InputRows(start, count), count, _steps, LengthRows(start, count));
        }
    }
    internal ReadOnlySpan<int> LengthRows(int start, int count) => _lengths.AsSpan(start, count);
    internal ReadOnlySpan<float> TargetRows(int start, int count) =>
        _targets.AsSpan(start * TargetRowsPerSequence * OutputSize, count * TargetRowsPerSequence * OutputSize);
    internal ReadOnlySpan<int> ClassTargetRows(int start, int count) =>
        _classTargets.AsSpan(start * TargetRowsPerSequence, count * TargetRowsPerSequence);

    internal int LossRowsOf(int start, int count)
    {
        if (Sequence == Sequence.ManyToOne) return count;
        int n = 0;
        for (int b = start; b < start + count; b++) n += _lengths[b];
        return n;
    }
}

/// <summary>
/// An in-memory <see cref="ITrainerData"/> of equally padded sequences: input [Count, Steps, InputSize], optional lengths
/// [Count], and float targets ([Count, Steps, OutputSize] or [Count, OutputSize]) or class ids ([Count, Steps] or [Count])
/// as the model's head and sequence mode require. The arrays are referenced, not copied.
/// </summary>
public sealed class ArrayTrainerData : ITrainerData
{
    private readonly float[] _input;
    private readonly int[]? _lengths;
    private readonly float[]? _targets;
    private readonly int[]? _classTargets;
    private readonly int _inputSize;

    public ArrayTrainerData(int count, int steps, int inputSize, float[] input, float[]? targets, int[]? classTargets, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be ≥ 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 1.");
        if (input.Length != (long)count * steps * inputSize)
            throw new ArgumentException($"input must have length {(long)count * steps * inputSize} = count × steps × inputSize but has {input.Length}.", nameof(input));
        if ((targets is null) == (classTargets is null))
            throw new ArgumentException("Give exactly one of targets (Linear/Sigmoid heads) and classTargets (Softmax heads).", nameof(targets));
        if (lengths is not null && lengths.Length != count)
            throw new ArgumentException($"lengths must have length {count} but has {lengths.Length}.", nameof(lengths));
        Count = count;
        MaxSteps = steps;
        _inputSize = inputSize;
        _input = input;
        _targets = targets;
        _classTargets = classTargets;
        _lengths = lengths;
    }

    public int Count { get; }
    public int MaxSteps { get; }

    public void Fill(ReadOnlySpan<int> indices, TrainerBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.InputSize != _inputSize)
            throw new ArgumentException($"The batch has input size {batch.InputSize} but this data set {_inputSize}.", nameof(batch));
        int steps = MaxSteps;
        batch.Steps = steps;
        Span<float> input = batch.Input;
        Span<int> lengths = batch.Lengths;
        int perSequence = batch.TargetRowsPerSequence;
        int inputLength = steps * _inputSize;
        if (batch.HasClassTargets && _classTargets is null)
            throw new InvalidOperationException("This data set holds float targets but the model's Softmax head takes class ids.");
        if (!batch.HasClassTargets && _targets is null)
            throw new InvalidOperationException("This data set holds class ids but the model's head takes float targets.");
        for (int r = 0; r < indices.Length; r++)
        {
            int i = indices[r];
            _input.AsSpan(i * inputLength, inputLength).CopyTo(input.Slice(r * inputLength, inputLength));
            lengths[r] = _lengths is null ? steps : _lengths[i];
            if (batch.HasClassTargets)
            {
                _classTargets!.AsSpan(i * perSequence, perSequence).CopyTo(batch.ClassTargets.Slice(r * perSequence, perSequence));
            }
            else
            {
                int n = perSequence * batch.OutputSize;
                _targets!.AsSpan(i * n, n).CopyTo(batch.Targets.Slice(r * n, n));
            }
        }
    }
}
