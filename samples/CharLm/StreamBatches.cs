using System;
using RnnGen;

namespace CharLm;

/// <summary>
/// A text cut into <c>batch</c> parallel streams (stream b = the b-th contiguous slice), read in consecutive chunks of
/// <c>steps</c> characters: chunk c of stream b is inputs s[c·steps .. c·steps + steps) with the next character of each
/// as target. The hidden and cell state at the end of chunk c start chunk c + 1 (stateful truncated BPTT: gradients
/// stop at chunk boundaries). Allocation-free after construction.
/// </summary>
internal sealed class StreamBatches
{
    private readonly ReadOnlyMemory<int> _ids;
    private readonly int _batch, _steps, _streamLength;
    private readonly int[] _inputs, _targets;
    private readonly float[] _hidden, _cell;
    private bool _zeroState = true;

    public StreamBatches(ReadOnlyMemory<int> ids, int batch, int steps)
    {
        _ids = ids;
        _batch = batch;
        _steps = steps;
        _streamLength = (ids.Length - 1) / batch;
        Chunks = _streamLength / steps;
        if (Chunks < 1)
            throw new ArgumentException($"{ids.Length} characters are too few for {batch} streams of at least {steps + 1}; use a longer text or smaller --batch/--steps.");
        _inputs = new int[batch * steps];
        _targets = new int[batch * steps];
        _hidden = new float[batch * CharModel.Layers * CharModel.HiddenSize];
        _cell = new float[_hidden.Length];
    }

    public int Chunks { get; }

    /// <summary>Targets of the last <see cref="Forward"/>, [batch, steps].</summary>
    public ReadOnlySpan<int> Targets => _targets;

    public void ResetState() => _zeroState = true;

    /// <summary>Runs chunk <paramref name="chunk"/> of every stream from the carried state.</summary>
    public void Forward(IRnnSession session, int chunk)
    {
        ReadOnlySpan<int> ids = _ids.Span;
        for (int b = 0; b < _batch; b++)
        {
            int from = b * _streamLength + chunk * _steps;
            ids.Slice(from, _steps).CopyTo(_inputs.AsSpan(b * _steps));
            ids.Slice(from + 1, _steps).CopyTo(_targets.AsSpan(b * _steps));
        }
        if (_zeroState) session.Forward(_inputs, _batch, _steps, default);
        else session.Forward(_inputs, _batch, _steps, default, _hidden, _cell);
    }

    /// <summary>Keeps the session's final states as the start of the next chunk.</summary>
    public void CarryState(IRnnSession session)
    {
        session.FinalHidden.CopyTo(_hidden);
        session.FinalCell.CopyTo(_cell);
        _zeroState = false;
    }

    /// <summary>Mean cross-entropy per character over every chunk, carrying the state (no training).</summary>
    public double MeanLoss(IRnnSession session)
    {
        ResetState();
        double sum = 0;
        for (int c = 0; c < Chunks; c++)
        {
            Forward(session, c);
            sum += session.Loss(_targets);
            CarryState(session);
        }
        ResetState();
        return sum / Chunks;
    }
}
