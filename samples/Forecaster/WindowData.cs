using System;
using System.Collections.Generic;
using RnnGen.Training;

namespace Forecasting;

/// <summary>
/// Windows over normalized series for the trainer: window (series, start) reads
/// <c>Window</c> values and its target is the next one. Filling writes into the trainer's
/// preallocated batch and allocates nothing.
/// </summary>
internal sealed class WindowData(float[][] series, List<(int Series, int Start)> windows, int window) : ITrainerData
{
    public int Count => windows.Count;

    public int MaxSteps => window;

    public void Fill(ReadOnlySpan<int> indices, TrainerBatch batch)
    {
        batch.Steps = window;
        Span<float> input = batch.Input;
        Span<float> targets = batch.Targets;
        for (int b = 0; b < indices.Length; b++)
        {
            var (s, start) = windows[indices[b]];
            series[s].AsSpan(start, window).CopyTo(input.Slice(b * window, window));
            targets[b] = series[s][start + window];
        }
    }
}
