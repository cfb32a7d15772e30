namespace RnnGen.Training.Schedules;

/// <summary>
/// Linear warm-up in front of another schedule: for the first <c>warmupSteps</c> steps the rate rises linearly
/// from <c>startFactor</c>·inner(0) towards inner(0); from then on the inner schedule runs from its own step 0.
/// <code>
/// lr(step) = inner(0) · (startFactor + (1 − startFactor) · step / warmupSteps)     step &lt; warmupSteps
/// lr(step) = inner(step − warmupSteps)                                              step ≥ warmupSteps
/// </code>
/// In PyTorch this is <c>SequentialLR(opt, [LinearLR(opt, start_factor, total_iters=warmupSteps), inner],
/// milestones=[warmupSteps])</c>, each part in its closed form; wrapping a <see cref="ConstantSchedule"/> is exactly
/// <c>LinearLR(start_factor, end_factor=1, total_iters=warmupSteps)</c>. The warm-up never reaches factor 1 itself:
/// step warmupSteps − 1 uses startFactor + (1 − startFactor)·(warmupSteps − 1)/warmupSteps, and step warmupSteps is
/// inner(0). Differences from PyTorch's objects: PyTorch's chained <c>SequentialLR</c> of 1.13 gives the same values
/// (see the tests) but is stateful; <c>ChainedScheduler</c> instead multiplies the two factors at every step and
/// does not shift the inner schedule, which is not what this class does.
/// </summary>
public sealed class LinearWarmupSchedule : ILearningRateSchedule
{
    private readonly double _start;
    private readonly double _warmupBase;

    public LinearWarmupSchedule(ILearningRateSchedule inner, int warmupSteps, float startFactor = 1f / 3f)
    {
        System.ArgumentNullException.ThrowIfNull(inner);
        ArgumentChecks.NonNegative(warmupSteps, nameof(warmupSteps));
        if (!(startFactor > 0f && startFactor <= 1f))
            throw new System.ArgumentOutOfRangeException(nameof(startFactor), startFactor,
                $"startFactor must be in (0, 1] (PyTorch's LinearLR start_factor) but is {startFactor}.");
        Inner = inner;
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
        _start = OptimizerState.PythonScalar(startFactor);
        // inner(0) is PyTorch's base_lr; a float is exact in double, so nothing is lost by reading it back.
        _warmupBase = OptimizerState.PythonScalar(inner.GetLearningRate(0));
    }

    public ILearningRateSchedule Inner { get; }

    /// <summary>Steps spent warming up (PyTorch's <c>total_iters</c> and the <c>SequentialLR</c> milestone); 0 = none.</summary>
    public int WarmupSteps { get; }

    /// <summary>PyTorch's <c>start_factor</c> (default 1/3, as PyTorch's).</summary>
    public float StartFactor { get; }

    public float GetLearningRate(long step)
    {
        ScheduleChecks.Step(step);
        if (step >= WarmupSteps) return Inner.GetLearningRate(step - WarmupSteps);
        // Same operation order as LinearLR's closed form:
        // base_lr * (start_factor + (end_factor - start_factor) * min(total_iters, last_epoch) / total_iters)
        return (float)(_warmupBase * (_start + (1 - _start) * step / WarmupSteps));
    }
}
