using System;

namespace RnnGen.Training.Schedules;

/// <summary>
/// Cosine annealing, <c>torch.optim.lr_scheduler.CosineAnnealingLR(T_max, eta_min)</c>, closed form:
/// <code>
/// lr(step) = ηmin + (baseLr − ηmin) · (1 + cos(π · step / Tmax)) / 2
/// </code>
/// lr(0) = baseLr and lr(Tmax) = ηmin exactly. Past <c>Tmax</c> the formula keeps going, as PyTorch's does:
/// the rate climbs back to baseLr at 2·Tmax (a cosine of period 2·Tmax, no restart). Stop training at Tmax,
/// or wrap this schedule, if that is not wanted.
/// <para>PyTorch's chained form (what <c>scheduler.step()</c> without an epoch computes) is a recursion on the
/// current rate that equals this closed form mathematically but accumulates rounding (about 1e-16 relative per
/// step in double, invisible after the cast to float in the reference tests), and it silently follows any manual
/// change of the optimizer's rate. This class is a pure function of the step and ignores such changes.</para>
/// </summary>
public sealed class CosineAnnealingSchedule : ILearningRateSchedule
{
    private readonly double _base, _min;

    public CosineAnnealingSchedule(float baseLearningRate, int maxSteps, float minLearningRate = 0f)
    {
        ArgumentChecks.NonNegativeFinite(baseLearningRate, nameof(baseLearningRate));
        ScheduleChecks.Positive(maxSteps, nameof(maxSteps));
        ArgumentChecks.NonNegativeFinite(minLearningRate, nameof(minLearningRate));
        BaseLearningRate = baseLearningRate;
        MaxSteps = maxSteps;
        MinLearningRate = minLearningRate;
        _base = OptimizerState.PythonScalar(baseLearningRate);
        _min = OptimizerState.PythonScalar(minLearningRate);
    }

    public float BaseLearningRate { get; }

    /// <summary>PyTorch's <c>T_max</c>: the step at which the rate reaches <see cref="MinLearningRate"/>.</summary>
    public int MaxSteps { get; }

    /// <summary>PyTorch's <c>eta_min</c>.</summary>
    public float MinLearningRate { get; }

    public float GetLearningRate(long step)
    {
        ScheduleChecks.Step(step);
        // Same operation order as PyTorch: eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * last_epoch / T_max)) / 2
        return (float)(_min + (_base - _min) * (1 + Math.Cos(Math.PI * step / MaxSteps)) / 2);
    }
}
