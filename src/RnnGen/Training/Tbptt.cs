using System;
using System.Collections.Generic;
using System.Globalization;
using RnnGen.Kernels;

namespace RnnGen.Training;

/// <summary>
/// Truncated back-propagation through time, TBPTT(k1, k2), for many-to-many models over long sequences
/// [batch, steps, InputSize] with per-step targets. The sequence is cut at e = k1, 2·k1, …, steps (the last cut may be
/// shorter); at each cut one optimizer step is taken on the loss of the steps [e − k1, e) (the steps since the previous cut),
/// back-propagated through the k2 steps [max(0, e − k2), e): the session runs forward over that window from the
/// hidden (and cell) state saved at its first step, and the loss gradient is injected only at the last k1 steps. No
/// gradient flows into the window's initial state (it is treated as a constant, i.e. "detached").
/// With k1 = k2 = steps this is exactly full BPTT on the whole sequence.
/// </summary>
/// <remarks>
/// <para>Loss: per cut, the head's mean loss (cross-entropy, BCE or MSE as the generated session computes it) over the valid
/// target rows of its k1 steps. <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, ReadOnlySpan{int})"/>
/// returns the mean over all valid rows of the sequence (each step's loss is counted once).</para>
/// <para>State: the window's initial state is the state the model reached at that step, computed with the parameters
/// before the cut's update; when k2 &gt; k1 it is obtained by an extra forward pass over the k2 − k1 … k1 steps between
/// consecutive window starts (k1 more forward steps per cut). Sequences end at their <c>lengths</c>: a row whose
/// sequence has ended contributes nothing and keeps its final state. With <see cref="CarryState"/> the state at the end
/// of a call (each row's state after its last valid step) is the initial state of the next call (stateful training over
/// a stream cut into consecutive batches); rows with a length shorter than the call's steps have ended and are reset to
/// zero, and <see cref="ResetState(int)"/> resets one row explicitly (e.g. when a new sequence starts in it).</para>
/// <para>Requirements: a unidirectional many-to-many model with a head (bidirectional models need the whole sequence).
/// Allocation-free after construction.</para>
/// </remarks>
public sealed class TruncatedBptt
{
    private readonly IRnnNetwork _model;
    private readonly IOptimizer _optimizer;
    private readonly IRnnSession _session;
    private readonly int _hidden;
    private readonly int _slots;
    private readonly int _outputs;
    private readonly int _headWeightOffset, _headWeightLength, _headBiasOffset, _headBiasLength;
    private readonly float[] _stateH, _stateC, _nextH, _nextC;   // [slots, maxBatch, H]
    private readonly float[] _h0, _c0;                            // [slots, batch, H] packed for Forward
    private readonly float[] _windowInput;                        // [maxBatch, k2, I]
    private readonly int[] _windowLengths;                        // [maxBatch]
    private readonly int[] _validInWindow;                        // [maxBatch] 0 = the row's sequence has ended
    private readonly int[] _lengths;                              // [maxBatch]
    private readonly float[] _features, _dFeatures;               // [maxBatch·k1, H]
    private readonly float[] _logits, _dLogits;                   // [maxBatch·k1, O]
    private readonly float[] _targetRows;                         // [maxBatch·k1·O]
    private readonly int[] _classRows;                            // [maxBatch·k1]
    private readonly float[] _dOutput;                            // [maxBatch, k2, H]
    private bool _stateIsZero = true;
    private bool _hasCell;
    private int _carriedBatch = -1;

    public TruncatedBptt(IRnnNetwork model, IOptimizer optimizer, int maxBatch, int k1, int k2,
        float maxGradientNorm = float.PositiveInfinity, ILearningRateSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (model.Head == Head.None || model.Sequence != Sequence.ManyToMany)
            throw new ArgumentException($"Truncated BPTT needs a many-to-many model with a head (per-step targets); this one has head {model.Head} and {model.Sequence}.", nameof(model));
        if (model.Directions != 1)
            throw new ArgumentException("Truncated BPTT needs a unidirectional model: a reverse direction reads the whole sequence.", nameof(model));
        if (optimizer.ParameterCount != model.ParameterCount)
            throw new ArgumentException($"The optimizer was built for {optimizer.ParameterCount} parameters but the model has {model.ParameterCount}.", nameof(optimizer));
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "maxBatch must be ≥ 1.");
        if (k1 < 1) throw new ArgumentOutOfRangeException(nameof(k1), k1, "k1 (steps between updates) must be ≥ 1.");
        if (k2 < k1) throw new ArgumentOutOfRangeException(nameof(k2), k2, $"k2 (steps back-propagated) must be ≥ k1 ({k1}) but is {k2}.");
        if (!(maxGradientNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxGradientNorm), maxGradientNorm, "maxGradientNorm must be > 0 (∞ = off).");
        _model = model;
        _optimizer = optimizer;
        MaxBatch = maxBatch;
        K1 = k1;
        K2 = k2;
        MaxGradientNorm = maxGradientNorm;
        Schedule = schedule;
        _hidden = model.HiddenSize;
        _slots = model.Layers;
        _outputs = model.OutputSize;
        (_headWeightOffset, _headWeightLength) = FindTensor(model.ParameterTensors, "head.weight");
        (_headBiasOffset, _headBiasLength) = FindTensor(model.ParameterTensors, "head.bias");
        _session = model.CreateSession(maxBatch, k2);
        int state = _slots * maxBatch * _hidden;
        _stateH = new float[state];
        _stateC = new float[state];
        _nextH = new float[state];
        _nextC = new float[state];
        _h0 = new float[state];
        _c0 = new float[state];
        _windowInput = new float[maxBatch * k2 * model.InputSize];
        _windowLengths = new int[maxBatch];
        _validInWindow = new int[maxBatch];
        _lengths = new int[maxBatch];
        int rows = maxBatch * k1;
        _features = new float[rows * _hidden];
        _dFeatures = new float[rows * _hidden];
        _logits = new float[rows * _outputs];
        _dLogits = new float[rows * _outputs];
        _targetRows = model.Head == Head.Softmax ? Array.Empty<float>() : new float[rows * _outputs];
        _classRows = model.Head == Head.Softmax ? new int[rows] : Array.Empty<int>();
        _dOutput = new float[maxBatch * k2 * _hidden];
    }

    public int MaxBatch { get; }

    /// <summary>Steps between optimizer updates.</summary>
    public int K1 { get; }

    /// <summary>Steps back-propagated at each update (≥ <see cref="K1"/>).</summary>
    public int K2 { get; }

    public float MaxGradientNorm { get; }

    public ILearningRateSchedule? Schedule { get; }

    /// <summary>Keep each row's state from the end of one <c>Train</c> call to the start of the next (default false: every call starts from zero).</summary>
    public bool CarryState { get; set; }

    /// <summary>Optimizer updates made by the last <c>Train</c> call.</summary>
    public int Updates { get; private set; }

    /// <summary>Zeroes the carried state of every row.</summary>
    public void ResetState()
    {
        Array.Clear(_stateH);
        Array.Clear(_stateC);
        _stateIsZero = true;
    }

    /// <summary>Zeroes the carried state of row <paramref name="sequence"/> (its next call starts a new sequence).</summary>
    public void ResetState(int sequence)
    {
        if ((uint)sequence >= (uint)MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"sequence must be in 0..{MaxBatch - 1}.");
        for (int l = 0; l < _slots; l++)
        {
            _stateH.AsSpan((l * MaxBatch + sequence) * _hidden, _hidden).Clear();
            _stateC.AsSpan((l * MaxBatch + sequence) * _hidden, _hidden).Clear();
        }
    }

    /// <summary>Hidden state carried to the next call, [Layers, MaxBatch, HiddenSize] (rows ≥ the last batch are unused).</summary>
    public ReadOnlySpan<float> CarriedHidden => _stateH;

    /// <summary>Trains on class-id targets [batch, steps] (Softmax heads). Returns the mean loss over all valid steps.</summary>
    public float Train(ReadOnlySpan<float> input, ReadOnlySpan<int> targets, int batch, int steps, ReadOnlySpan<int> lengths = default)
    {
        if (_model.Head != Head.Softmax)
            throw new InvalidOperationException($"A {_model.Head} head takes float targets [batch, steps, OutputSize].");
        ArgumentChecks.Length(targets.Length, batch * steps, nameof(targets), "batch × steps");
        return TrainCore(input, default, targets, batch, steps, lengths);
    }

    /// <summary>Trains on float targets [batch, steps, OutputSize] (Linear and Sigmoid heads). Returns the mean loss over all valid steps.</summary>
    public float Train(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch, int steps, ReadOnlySpan<int> lengths = default)
    {
        if (_model.Head == Head.Softmax)
            throw new InvalidOperationException("A Softmax head takes class ids [batch, steps].");
        ArgumentChecks.Length(targets.Length, batch * steps * _outputs, nameof(targets), "batch × steps × OutputSize");
        return TrainCore(input, targets, default, batch, steps, lengths);
    }

    private float TrainCore(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, ReadOnlySpan<int> classTargets,
        int batch, int steps, ReadOnlySpan<int> lengths)
    {
        if (batch < 1 || batch > MaxBatch) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be in 1..{MaxBatch}.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 1.");
        ArgumentChecks.Length(input.Length, batch * steps * _model.InputSize, nameof(input), "batch × steps × InputSize");
        if (!lengths.IsEmpty) ArgumentChecks.Length(lengths.Length, batch, nameof(lengths), "batch, or empty for full length");
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            if (length < 1 || length > steps)
                throw new ArgumentOutOfRangeException(nameof(lengths), length, $"lengths[{b}] must be in 1..{steps} but is {length}.");
            _lengths[b] = length;
        }
        if (!CarryState || batch != _carriedBatch) ResetState();
        _carriedBatch = batch;

        double lossSum = 0;
        long rowSum = 0;
        int updates = 0;
        int previous = 0;
        while (previous < steps)
        {
            int end = Math.Min(previous + K1, steps);
            int start = Math.Max(0, end - K2);
            int nextStart = end == steps ? steps : Math.Max(0, Math.Min(end + K1, steps) - K2);

            // The state at the next window's start, when it lies strictly inside this window: forward up to it first.
            if (nextStart > start && nextStart < end)
            {
                Forward(input, batch, steps, start, nextStart);
                CaptureState(batch);
            }
            Forward(input, batch, steps, start, end);
            if (nextStart == end) CaptureState(batch);

            int rows = HeadLossAndBackward(targets, classTargets, batch, steps, start, previous, end, updates, out float loss);
            if (rows > 0)
            {
                lossSum += (double)loss * rows;
                rowSum += rows;
                updates++;
            }
            if (nextStart > start)
            {
                _nextH.AsSpan().CopyTo(_stateH);
                _nextC.AsSpan().CopyTo(_stateC);
                _stateIsZero = false;
            }
            previous = end;
        }
        // Rows whose sequence ended within this call start the next call from zero.
        for (int b = 0; b < batch; b++)
            if (_lengths[b] < steps) ResetState(b);
        Updates = updates;
        return rowSum == 0 ? 0f : (float)(lossSum / rowSum);
    }

    /// <summary>Runs the session over absolute steps [from, to) of every row from the carried state.</summary>
    private void Forward(ReadOnlySpan<float> input, int batch, int steps, int from, int to)
    {
        int window = to - from;
        int features = _model.InputSize;
        for (int b = 0; b < batch; b++)
        {
            int valid = Math.Clamp(_lengths[b] - from, 0, window);
            _validInWindow[b] = valid;
            _windowLengths[b] = Math.Max(valid, 1); // an ended row runs one dummy zero step; its results are ignored
            Span<float> rowInput = _windowInput.AsSpan(b * window * features, window * features);
            if (valid > 0) input.Slice((b * steps + from) * features, valid * features).CopyTo(rowInput);
            else rowInput.Slice(0, features).Clear();
        }
        int stateLength = _slots * batch * _hidden;
        ReadOnlySpan<float> h0 = default, c0 = default;
        if (!_stateIsZero)
        {
            Pack(_stateH, _h0, batch);
            h0 = _h0.AsSpan(0, stateLength);
            if (_hasCell)
            {
                Pack(_stateC, _c0, batch);
                c0 = _c0.AsSpan(0, stateLength);
            }
        }
        _session.Forward(_windowInput.AsSpan(0, batch * window * features), batch, window, _windowLengths.AsSpan(0, batch), h0, c0);
        _hasCell = !_session.FinalCell.IsEmpty;
    }

    /// <summary>Copies the session's final states of the rows that ran real steps into the next state (others keep theirs).</summary>
    private void CaptureState(int batch)
    {
        _stateH.AsSpan().CopyTo(_nextH);
        _stateC.AsSpan().CopyTo(_nextC);
        ReadOnlySpan<float> h = _session.FinalHidden;
        ReadOnlySpan<float> c = _session.FinalCell;
        for (int l = 0; l < _slots; l++)
        {
            for (int b = 0; b < batch; b++)
            {
                if (_validInWindow[b] == 0) continue;
                h.Slice((l * batch + b) * _hidden, _hidden).CopyTo(_nextH.AsSpan((l * MaxBatch + b) * _hidden));
                if (!c.IsEmpty) c.Slice((l * batch + b) * _hidden, _hidden).CopyTo(_nextC.AsSpan((l * MaxBatch + b) * _hidden));
            }
        }
    }

    private void Pack(float[] state, float[] packed, int batch)
    {
        for (int l = 0; l < _slots; l++)
            state.AsSpan(l * MaxBatch * _hidden, batch * _hidden).CopyTo(packed.AsSpan(l * batch * _hidden));
    }

    /// <summary>Head and loss on the valid steps [lossFrom, to) of the window [from, to), then backward and one optimizer step.
    /// Returns the number of loss rows (0: nothing to learn from, no update).</summary>
    private int HeadLossAndBackward(ReadOnlySpan<float> targets, ReadOnlySpan<int> classTargets, int batch, int steps,
        int from, int lossFrom, int to, int update, out float loss)
    {
        int window = to - from;
        int h = _hidden, o = _outputs;
        ReadOnlySpan<float> output = _session.Output; // [batch, window, H]
        int rows = 0;
        for (int b = 0; b < batch; b++)
        {
            int valid = _validInWindow[b];
            for (int t = lossFrom - from; t < valid; t++)
            {
                output.Slice((b * window + t) * h, h).CopyTo(_features.AsSpan(rows * h));
                int absolute = b * steps + from + t;
                if (classTargets.IsEmpty) targets.Slice(absolute * o, o).CopyTo(_targetRows.AsSpan(rows * o));
                else _classRows[rows] = classTargets[absolute];
                rows++;
            }
        }
        loss = 0;
        if (rows == 0) return 0;

        ReadOnlySpan<float> p = _model.Parameters;
        Span<float> logits = _logits.AsSpan(0, rows * o), dLogits = _dLogits.AsSpan(0, rows * o);
        LinearHead.Forward(rows, h, o, _features.AsSpan(0, rows * h), p.Slice(_headWeightOffset, _headWeightLength),
            p.Slice(_headBiasOffset, _headBiasLength), logits);
        loss = _model.Head switch
        {
            Head.Softmax => SoftmaxCrossEntropy.Compute(logits, _classRows.AsSpan(0, rows), dLogits),
            Head.Sigmoid => BinaryCrossEntropy.ComputeWithLogits(logits, _targetRows.AsSpan(0, rows * o), dLogits),
            _ => MeanSquaredError.Compute(logits, _targetRows.AsSpan(0, rows * o), dLogits),
        };
        if (!float.IsFinite(loss))
            throw new TrainingDivergedException(
                $"Truncated BPTT diverged at update {update} (steps {lossFrom}..{to - 1}): the loss is {loss.ToString(CultureInfo.InvariantCulture)}. " +
                "The parameters were not updated: they are the last good ones.");

        Span<float> g = _model.Gradients;
        LinearHead.Backward(rows, h, o, _features.AsSpan(0, rows * h), p.Slice(_headWeightOffset, _headWeightLength), dLogits,
            g.Slice(_headWeightOffset, _headWeightLength), g.Slice(_headBiasOffset, _headBiasLength), _dFeatures.AsSpan(0, rows * h));
        Span<float> dOutput = _dOutput.AsSpan(0, batch * window * h);
        dOutput.Clear();
        int row = 0;
        for (int b = 0; b < batch; b++)
        {
            int valid = _validInWindow[b];
            for (int t = lossFrom - from; t < valid; t++)
            {
                _dFeatures.AsSpan(row * h, h).CopyTo(dOutput.Slice((b * window + t) * h));
                row++;
            }
        }
        _session.Backward(dOutput, default, default, computeInputGradient: false);
        if (Schedule is { } schedule) _optimizer.LearningRate = schedule.GetLearningRate(_optimizer.StepCount);
        try
        {
            _model.ApplyGradients(_optimizer, MaxGradientNorm);
        }
        catch (TrainingDivergedException e)
        {
            throw new TrainingDivergedException($"Truncated BPTT update {update} (steps {lossFrom}..{to - 1}): {e.Message}");
        }
        return rows;
    }

    private static (int Offset, int Length) FindTensor(IReadOnlyList<ParameterTensor> tensors, string name)
    {
        foreach (ParameterTensor t in tensors)
            if (t.Name == name) return (t.Offset, t.Length);
        throw new ArgumentException($"The model has no parameter '{name}'.", "model");
    }
}
