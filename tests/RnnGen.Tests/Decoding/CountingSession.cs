using System;

namespace RnnGen.Tests.Decoding;

/// <summary>
/// Wraps a generated model's session and counts what reaches the model: streaming steps, the rows they advance, and
/// any full-sequence Forward (which a streaming decoder must never call). Everything else is passed through.
/// </summary>
internal sealed class CountingSession(IRnnSession inner) : IRnnSession
{
    /// <summary>Calls of <see cref="Step(ReadOnlySpan{int}, int)"/>.</summary>
    public int StepCalls { get; private set; }

    /// <summary>Tokens fed through those calls (Σ batch).</summary>
    public long TokensFed { get; private set; }

    /// <summary>Calls of any Forward overload.</summary>
    public int Forwards { get; private set; }

    public void Clear() => (StepCalls, TokensFed, Forwards) = (0, 0, 0);

    public int MaxBatch => inner.MaxBatch;
    public int MaxSteps => inner.MaxSteps;
    public int Batch => inner.Batch;
    public int Steps => inner.Steps;

    public void Forward(ReadOnlySpan<float> input, int batch, int steps, ReadOnlySpan<int> lengths)
    {
        Forwards++;
        inner.Forward(input, batch, steps, lengths);
    }

    public void Forward(ReadOnlySpan<float> input, int batch, int steps, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell)
    {
        Forwards++;
        inner.Forward(input, batch, steps, lengths, initialHidden, initialCell);
    }

    public void Forward(ReadOnlySpan<int> tokens, int batch, int steps, ReadOnlySpan<int> lengths)
    {
        Forwards++;
        inner.Forward(tokens, batch, steps, lengths);
    }

    public void Forward(ReadOnlySpan<int> tokens, int batch, int steps, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell)
    {
        Forwards++;
        inner.Forward(tokens, batch, steps, lengths, initialHidden, initialCell);
    }

    public void Backward(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> finalHiddenGradient,
        ReadOnlySpan<float> finalCellGradient, bool computeInputGradient) =>
        inner.Backward(outputGradient, finalHiddenGradient, finalCellGradient, computeInputGradient);

    public float Loss(ReadOnlySpan<float> targets) => inner.Loss(targets);
    public float Loss(ReadOnlySpan<int> classTargets) => inner.Loss(classTargets);
    public void Backward() => inner.Backward();
    public void Step(ReadOnlySpan<float> input, int batch) => inner.Step(input, batch);

    public void Step(ReadOnlySpan<int> tokens, int batch)
    {
        StepCalls++;
        TokensFed += batch;
        inner.Step(tokens, batch);
    }

    public void ResetState() => inner.ResetState();
    public void ResetState(int sequence) => inner.ResetState(sequence);
    public void ReorderState(ReadOnlySpan<int> sourceRows) => inner.ReorderState(sourceRows);
    public ReadOnlySpan<float> Output => inner.Output;
    public ReadOnlySpan<float> FinalHidden => inner.FinalHidden;
    public ReadOnlySpan<float> FinalCell => inner.FinalCell;
    public ReadOnlySpan<float> HeadOutput => inner.HeadOutput;
    public ReadOnlySpan<float> InputGradient => inner.InputGradient;
    public ReadOnlySpan<float> InitialHiddenGradient => inner.InitialHiddenGradient;
    public ReadOnlySpan<float> InitialCellGradient => inner.InitialCellGradient;
}

/// <summary>Passes a step source through and keeps a copy of row 0 of every step's log-probabilities.</summary>
internal sealed class RecordingStepSource(RnnGen.Decoding.ITokenStepSource inner) : RnnGen.Decoding.ITokenStepSource
{
    public System.Collections.Generic.List<float[]> Rows { get; } = new();
    public int VocabularySize => inner.VocabularySize;
    public int MaxBatch => inner.MaxBatch;

    public void Reset()
    {
        Rows.Clear();
        inner.Reset();
    }

    public void Step(ReadOnlySpan<int> tokens, int batch)
    {
        inner.Step(tokens, batch);
        Rows.Add(inner.LogProbabilities.Slice(0, VocabularySize).ToArray());
    }

    public ReadOnlySpan<float> LogProbabilities => inner.LogProbabilities;
    public void Reorder(ReadOnlySpan<int> sourceRows) => inner.Reorder(sourceRows);
}
