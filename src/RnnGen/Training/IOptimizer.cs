using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// An optimizer over a model's flat parameter buffer (<see cref="IRnnModel.Parameters"/> with
/// gradients in <see cref="IRnnModel.Gradients"/>). State is sized at construction; <see cref="Step"/> never allocates.
/// </summary>
public interface IOptimizer
{
    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradients"/>; both must have
    /// <see cref="ParameterCount"/> elements. Gradients are not cleared.</summary>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>Number of completed <see cref="Step"/> calls (PyTorch's <c>state["step"]</c>).</summary>
    long StepCount { get; }

    /// <summary>Learning rate used by the next step; may be changed between steps (schedulers).</summary>
    float LearningRate { get; set; }

    /// <summary>Number of parameters the optimizer was built for.</summary>
    int ParameterCount { get; }

    /// <summary>
    /// The live per-parameter state buffers by PyTorch state name (<c>"momentum_buffer"</c> for SGD with momentum,
    /// <c>"exp_avg"</c> and <c>"exp_avg_sq"</c> for Adam/AdamW), each with <see cref="ParameterCount"/> elements,
    /// same layout as the parameters. Not copies: read them to checkpoint; use <see cref="LoadState"/> to restore.
    /// </summary>
    IReadOnlyDictionary<string, float[]> State { get; }

    /// <summary>Restores a checkpoint: copies every buffer named in <see cref="State"/> from <paramref name="state"/>
    /// (same names and lengths required, extra names rejected) and sets <see cref="StepCount"/>.</summary>
    void LoadState(long stepCount, IReadOnlyDictionary<string, float[]> state);
}
