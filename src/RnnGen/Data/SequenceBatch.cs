using System;

namespace RnnGen.Data;

/// <summary>
/// A padded batch of variable-length sequences, batch-first and ready for a session:
/// inputs [B, T, F] (or token ids [B, T]), <see cref="Lengths"/> [B], and targets laid out as
/// <see cref="BatchShape.Targets"/> says; every value past a sequence's length is zero.
/// All buffers are allocated once for <see cref="MaxBatch"/> × <see cref="MaxSteps"/>; refilling
/// (<see cref="Clear"/>, <c>Add…</c>, <see cref="Complete"/>) allocates nothing.
/// </summary>
/// <remarks>
/// While filling, rows are written at a stride of <see cref="MaxSteps"/>; <see cref="Complete"/>
/// packs them to the stride of the batch's own step count T (its longest sequence) and zeroes the
/// padding, so <see cref="Inputs"/> is exactly the contiguous [B, T, F] span a session's
/// <c>Forward(input, batch, steps, lengths)</c> expects.
/// </remarks>
public sealed class SequenceBatch
{
    private readonly float[] _inputs;
    private readonly int[] _tokens;
    private readonly float[] _targets;
    private readonly int[] _classTargets;
    private readonly int[] _lengths;
    private readonly int[] _origins;
    private int _count;
    private int _steps;
    private long _validSteps;
    private bool _complete;

    public SequenceBatch(int maxBatch, int maxSteps, BatchShape shape)
    {
        DataChecks.Positive(maxBatch, nameof(maxBatch));
        DataChecks.Positive(maxSteps, nameof(maxSteps));
        if (shape.Input == InputKind.Features && shape.Features < 1)
            throw new ArgumentException($"Expected a shape with features ≥ 1, but got {shape}.", nameof(shape));
        long cells = (long)maxBatch * maxSteps;
        long inputSize = shape.Input == InputKind.Features ? cells * shape.Features : 0;
        long targetSize = shape.Targets switch
        {
            TargetLayout.PerSequence => (long)maxBatch * shape.TargetSize,
            TargetLayout.PerStep => cells * shape.TargetSize,
            _ => 0,
        };
        if (inputSize > Array.MaxLength || targetSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps,
                $"maxBatch·maxSteps·size = {DataChecks.Text(Math.Max(inputSize, targetSize))} values is too large for one array; use smaller batches.");
        MaxBatch = maxBatch;
        MaxSteps = maxSteps;
        Shape = shape;
        _inputs = new float[inputSize];
        _tokens = shape.Input == InputKind.Tokens ? new int[cells] : [];
        _targets = new float[targetSize];
        _classTargets = shape.Targets switch
        {
            TargetLayout.ClassPerSequence => new int[maxBatch],
            TargetLayout.ClassPerStep => new int[cells],
            _ => [],
        };
        _lengths = new int[maxBatch];
        _origins = new int[maxBatch];
    }

    /// <summary>A batch of float features [B, T, <paramref name="features"/>].</summary>
    public SequenceBatch(int maxBatch, int maxSteps, int features, TargetLayout targets = TargetLayout.None, int targetSize = 0)
        : this(maxBatch, maxSteps, BatchShape.ForFeatures(features, targets, targetSize))
    {
    }

    /// <summary>A batch of token ids [B, T].</summary>
    public static SequenceBatch ForTokens(int maxBatch, int maxSteps, TargetLayout targets = TargetLayout.None, int targetSize = 0)
        => new(maxBatch, maxSteps, BatchShape.ForTokens(targets, targetSize));

    public int MaxBatch { get; }
    public int MaxSteps { get; }
    public BatchShape Shape { get; }
    public int Features => Shape.Features;

    /// <summary>Sequences added since <see cref="Clear"/> (B).</summary>
    public int Count => _count;

    /// <summary>True after <see cref="Complete"/> until the next <see cref="Clear"/>.</summary>
    public bool IsComplete => _complete;

    /// <summary>Steps of the completed batch (T): its longest sequence.</summary>
    public int Steps
    {
        get { RequireComplete(); return _steps; }
    }

    /// <summary>Per-sequence lengths [B], each in 1..T.</summary>
    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, _count);

    /// <summary>Where each row came from (an index into the source that filled it; -1 when added directly). Writable.</summary>
    public Span<int> Origins => _origins.AsSpan(0, _count);

    /// <summary>Float inputs [B, T, F], zero past each length.</summary>
    public Span<float> Inputs
    {
        get
        {
            RequireComplete();
            if (Shape.Input != InputKind.Features)
                throw new InvalidOperationException($"This batch holds token ids ({Shape}); read Tokens.");
            return _inputs.AsSpan(0, _count * _steps * Shape.Features);
        }
    }

    /// <summary>Token ids [B, T], zero (&lt;pad&gt;) past each length.</summary>
    public Span<int> Tokens
    {
        get
        {
            RequireComplete();
            if (Shape.Input != InputKind.Tokens)
                throw new InvalidOperationException($"This batch holds float features ({Shape}); read Inputs.");
            return _tokens.AsSpan(0, _count * _steps);
        }
    }

    /// <summary>Float targets: [B, O] or [B, T, O] (zero past each length).</summary>
    public Span<float> Targets
    {
        get
        {
            RequireComplete();
            return Shape.Targets switch
            {
                TargetLayout.PerSequence => _targets.AsSpan(0, _count * Shape.TargetSize),
                TargetLayout.PerStep => _targets.AsSpan(0, _count * _steps * Shape.TargetSize),
                _ => throw new InvalidOperationException($"This batch has no float targets ({Shape})."),
            };
        }
    }

    /// <summary>Class ids: [B] or [B, T] (zero past each length).</summary>
    public Span<int> ClassTargets
    {
        get
        {
            RequireComplete();
            return Shape.Targets switch
            {
                TargetLayout.ClassPerSequence => _classTargets.AsSpan(0, _count),
                TargetLayout.ClassPerStep => _classTargets.AsSpan(0, _count * _steps),
                _ => throw new InvalidOperationException($"This batch has no class targets ({Shape})."),
            };
        }
    }

    /// <summary>Sum of the lengths: steps that carry data.</summary>
    public long ValidSteps
    {
        get { RequireComplete(); return _validSteps; }
    }

    /// <summary>Share of the B·T step slots that are padding, in [0, 1).</summary>
    public double PaddingFraction
    {
        get
        {
            RequireComplete();
            return 1.0 - (double)_validSteps / ((long)_count * _steps);
        }
    }

    /// <summary>Empties the batch for refilling; allocates nothing.</summary>
    public void Clear()
    {
        _count = 0;
        _steps = 0;
        _validSteps = 0;
        _complete = false;
    }

    /// <summary>Adds a sequence of float features (length·F values) without targets.</summary>
    public int Add(ReadOnlySpan<float> inputs)
    {
        RequireTargets(TargetLayout.None, nameof(inputs));
        return AddFeatures(inputs);
    }

    /// <summary>Adds a sequence with float targets: O values (<see cref="TargetLayout.PerSequence"/>) or length·O (<see cref="TargetLayout.PerStep"/>).</summary>
    public int Add(ReadOnlySpan<float> inputs, ReadOnlySpan<float> target)
    {
        RequireFloatTargets(nameof(target));
        int length = FeatureLength(inputs);
        CheckFloatTarget(target, length);
        int row = AddFeatures(inputs);
        WriteFloatTarget(row, target);
        return row;
    }

    /// <summary>Adds a sequence with one class id (<see cref="TargetLayout.ClassPerSequence"/>).</summary>
    public int Add(ReadOnlySpan<float> inputs, int classId)
    {
        RequireTargets(TargetLayout.ClassPerSequence, nameof(classId));
        FeatureLength(inputs);
        CheckClass(classId, nameof(classId));
        int row = AddFeatures(inputs);
        _classTargets[row] = classId;
        return row;
    }

    /// <summary>Adds a sequence with one class id per step (<see cref="TargetLayout.ClassPerStep"/>).</summary>
    public int AddWithClassIds(ReadOnlySpan<float> inputs, ReadOnlySpan<int> classIds)
    {
        RequireTargets(TargetLayout.ClassPerStep, nameof(classIds));
        int length = FeatureLength(inputs);
        CheckClasses(classIds, length);
        int row = AddFeatures(inputs);
        classIds.CopyTo(_classTargets.AsSpan(row * MaxSteps));
        return row;
    }

    /// <summary>Adds a sequence of token ids without targets.</summary>
    public int AddTokens(ReadOnlySpan<int> tokens)
    {
        RequireTargets(TargetLayout.None, nameof(tokens));
        return AddTokenRow(tokens);
    }

    /// <summary>Adds a sequence of token ids with float targets (O or length·O values).</summary>
    public int AddTokens(ReadOnlySpan<int> tokens, ReadOnlySpan<float> target)
    {
        RequireFloatTargets(nameof(target));
        CheckTokens(tokens);
        CheckFloatTarget(target, tokens.Length);
        int row = AddTokenRow(tokens);
        WriteFloatTarget(row, target);
        return row;
    }

    /// <summary>Adds a sequence of token ids with one class id.</summary>
    public int AddTokens(ReadOnlySpan<int> tokens, int classId)
    {
        RequireTargets(TargetLayout.ClassPerSequence, nameof(classId));
        CheckTokens(tokens);
        CheckClass(classId, nameof(classId));
        int row = AddTokenRow(tokens);
        _classTargets[row] = classId;
        return row;
    }

    /// <summary>Adds a sequence of token ids with one class id per step (e.g. next-token targets).</summary>
    public int AddTokensWithClassIds(ReadOnlySpan<int> tokens, ReadOnlySpan<int> classIds)
    {
        RequireTargets(TargetLayout.ClassPerStep, nameof(classIds));
        CheckTokens(tokens);
        CheckClasses(classIds, tokens.Length);
        int row = AddTokenRow(tokens);
        classIds.CopyTo(_classTargets.AsSpan(row * MaxSteps));
        return row;
    }

    /// <summary>
    /// Ends filling: packs the rows to the batch's step count T (its longest sequence, or
    /// <paramref name="minSteps"/> if larger) and zeroes all padding. Allocates nothing.
    /// </summary>
    public void Complete(int minSteps = 0)
    {
        if (_complete)
            throw new InvalidOperationException("The batch is already complete; call Clear() before refilling it.");
        if (_count == 0)
            throw new InvalidOperationException("The batch is empty; add at least one sequence before Complete().");
        if (minSteps < 0 || minSteps > MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(minSteps), minSteps, $"Expected minSteps in 0..{MaxSteps} (maxSteps), but got {minSteps}.");
        int steps = minSteps;
        long valid = 0;
        for (int b = 0; b < _count; b++)
        {
            steps = Math.Max(steps, _lengths[b]);
            valid += _lengths[b];
        }
        if (Shape.Input == InputKind.Features)
            Pack(_inputs, Shape.Features, steps);
        else
            Pack(_tokens, 1, steps);
        if (Shape.Targets == TargetLayout.PerStep)
            Pack(_targets, Shape.TargetSize, steps);
        else if (Shape.Targets == TargetLayout.ClassPerStep)
            Pack(_classTargets, 1, steps);
        _steps = steps;
        _validSteps = valid;
        _complete = true;
    }

    private void Pack<T>(T[] buffer, int width, int steps)
    {
        int source = MaxSteps * width, target = steps * width;
        for (int b = 0; b < _count; b++)
        {
            int valid = _lengths[b] * width;
            Span<T> row = buffer.AsSpan(b * target, target);
            if (source != target && b > 0)
                buffer.AsSpan(b * source, valid).CopyTo(row); // rows move towards the front, in order: no overlap with unread rows
            row.Slice(valid).Clear();
        }
    }

    private int AddFeatures(ReadOnlySpan<float> inputs)
    {
        int length = FeatureLength(inputs);
        int row = NextRow(length, nameof(inputs));
        inputs.CopyTo(_inputs.AsSpan(row * MaxSteps * Shape.Features));
        return Commit(row, length);
    }

    private int AddTokenRow(ReadOnlySpan<int> tokens)
    {
        CheckTokens(tokens);
        int row = NextRow(tokens.Length, nameof(tokens));
        tokens.CopyTo(_tokens.AsSpan(row * MaxSteps));
        return Commit(row, tokens.Length);
    }

    private int Commit(int row, int length)
    {
        _lengths[row] = length;
        _origins[row] = -1;
        _count = row + 1;
        return row;
    }

    private int NextRow(int length, string argument)
    {
        if (_complete)
            throw new InvalidOperationException("The batch is complete; call Clear() before adding sequences.");
        if (_count == MaxBatch)
            throw new InvalidOperationException($"The batch is full: it holds maxBatch = {MaxBatch} sequences.");
        if (length < 1 || length > MaxSteps)
            throw new ArgumentException($"Expected {argument} to be a sequence of 1..{MaxSteps} (maxSteps) steps, but it has {length}.", argument);
        return _count;
    }

    private int FeatureLength(ReadOnlySpan<float> inputs)
    {
        if (Shape.Input != InputKind.Features)
            throw new InvalidOperationException($"This batch holds token ids ({Shape}); use AddTokens.");
        int f = Shape.Features;
        if (inputs.Length % f != 0)
            throw new ArgumentException(
                $"Expected inputs to hold a multiple of features = {f} values ([length, {f}]), but it holds {inputs.Length}.", nameof(inputs));
        int length = inputs.Length / f;
        if (length < 1 || length > MaxSteps)
            throw new ArgumentException($"Expected inputs to be a sequence of 1..{MaxSteps} (maxSteps) steps of {f} features, but it has {length} steps.", nameof(inputs));
        return length;
    }

    private void CheckTokens(ReadOnlySpan<int> tokens)
    {
        if (Shape.Input != InputKind.Tokens)
            throw new InvalidOperationException($"This batch holds float features ({Shape}); use Add.");
        if (tokens.Length < 1 || tokens.Length > MaxSteps)
            throw new ArgumentException($"Expected tokens to be a sequence of 1..{MaxSteps} (maxSteps) ids, but it has {tokens.Length}.", nameof(tokens));
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] < 0)
                throw new ArgumentException($"Expected token ids ≥ 0, but tokens[{i}] = {tokens[i]}.", nameof(tokens));
        }
    }

    private void CheckFloatTarget(ReadOnlySpan<float> target, int length)
    {
        // Messages are built only on failure: refilling must not allocate.
        if (Shape.Targets == TargetLayout.PerSequence)
        {
            if (target.Length != Shape.TargetSize)
                DataChecks.Length(target.Length, Shape.TargetSize, nameof(target), $"[{Shape.TargetSize}] per sequence");
        }
        else if (target.Length != (long)length * Shape.TargetSize)
        {
            DataChecks.Length(target.Length, (long)length * Shape.TargetSize, nameof(target), $"[{length}, {Shape.TargetSize}] = length × outputs");
        }
    }

    private void WriteFloatTarget(int row, ReadOnlySpan<float> target)
    {
        int offset = Shape.Targets == TargetLayout.PerSequence ? row * Shape.TargetSize : row * MaxSteps * Shape.TargetSize;
        target.CopyTo(_targets.AsSpan(offset));
    }

    private void CheckClass(int classId, string argument)
    {
        if (classId < 0 || (Shape.TargetSize > 0 && classId >= Shape.TargetSize))
        {
            string range = Shape.TargetSize > 0 ? $"0..{Shape.TargetSize - 1}" : "≥ 0";
            throw new ArgumentOutOfRangeException(argument, classId, $"Expected a class id in {range}, but got {classId}.");
        }
    }

    private void CheckClasses(ReadOnlySpan<int> classIds, int length)
    {
        DataChecks.Length(classIds.Length, length, nameof(classIds), "one class id per step");
        for (int i = 0; i < classIds.Length; i++)
        {
            int id = classIds[i];
            if (id < 0 || (Shape.TargetSize > 0 && id >= Shape.TargetSize))
            {
                string range = Shape.TargetSize > 0 ? $"0..{Shape.TargetSize - 1}" : "≥ 0";
                throw new ArgumentException($"Expected class ids in {range}, but classIds[{i}] = {id}.", nameof(classIds));
            }
        }
    }

    private void RequireTargets(TargetLayout layout, string argument)
    {
        if (Shape.Targets != layout)
            throw new ArgumentException($"This batch expects {Shape}; this Add overload is for {Describe(layout)}.", argument);
    }

    private void RequireFloatTargets(string argument)
    {
        if (!Shape.HasFloatTargets)
            throw new ArgumentException($"This batch expects {Shape}; this Add overload is for float targets.", argument);
    }

    private static string Describe(TargetLayout layout) => layout switch
    {
        TargetLayout.None => "sequences without targets",
        TargetLayout.ClassPerSequence => "one class id per sequence",
        TargetLayout.ClassPerStep => "one class id per step (AddWithClassIds / AddTokensWithClassIds)",
        _ => "float targets",
    };

    private void RequireComplete()
    {
        if (!_complete)
            throw new InvalidOperationException("The batch is not complete; call Complete() after adding its sequences.");
    }
}
