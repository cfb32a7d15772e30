using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>
/// What every optimizer shares: the parameter count, the step counter, a validated learning rate,
/// the named state buffers (PyTorch's names) and their checkpoint restore. A subclass supplies only
/// its update rule in <see cref="Update"/>.
/// </summary>
public abstract class Optimizer : IOptimizer
{
    private float _learningRate;

    /// <summary>Validates the count and rate and allocates one buffer per name in <paramref name="stateNames"/>.</summary>
    protected Optimizer(int parameterCount, float learningRate, params string[] stateNames)
    {
        OptimizerState.CheckCount(parameterCount);
        ArgumentChecks.NonNegativeFinite(learningRate, nameof(learningRate));
        ParameterCount = parameterCount;
        _learningRate = learningRate;
        State = OptimizerState.Create(parameterCount, stateNames);
    }

    public int ParameterCount { get; }

    public long StepCount { get; private set; }

    public float LearningRate
    {
        get => _learningRate;
        set
        {
            ArgumentChecks.NonNegativeFinite(value, nameof(LearningRate));
            _learningRate = value;
        }
    }

    /// <summary>The live state buffers by PyTorch name (see each optimizer), same layout as the parameters.</summary>
    public IReadOnlyDictionary<string, float[]> State { get; }

    public void LoadState(long stepCount, IReadOnlyDictionary<string, float[]> state)
    {
        OptimizerState.Load(State, ParameterCount, stepCount, state);
        StepCount = stepCount;
    }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        OptimizerState.CheckStep(ParameterCount, parameters.Length, gradients.Length);
        Update(parameters, gradients);
        StepCount++;
    }

    /// <summary>One update of <paramref name="parameters"/> in place; <see cref="StepCount"/> is the number of
    /// steps completed before this one (PyTorch's step is <c>StepCount + 1</c>). Must not allocate.</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients);
}
