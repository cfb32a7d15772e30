namespace RnnGen.Training.Schedules;

/// <summary>
/// Exponential decay, <c>torch.optim.lr_scheduler.ExponentialLR(gamma)</c>:
/// <code>
/// lr(step) = baseLr · gamma^step
/// </code>
/// This is PyTorch's closed form. Its chained form multiplies by gamma once per step, so after many steps it can
/// differ from the closed form in the last bits of the double (not after the cast to float for the first hundreds
/// of steps).
/// </summary>
public sealed class ExponentialSchedule : ILearningRateSchedule
{
    private readonly double _base, _gamma;

    public ExponentialSchedule(float baseLearningRate, float gamma)
    {
        ArgumentChecks.NonNegativeFinite(baseLearningRate, nameof(baseLearningRate));
        ArgumentChecks.NonNegativeFinite(gamma, nameof(gamma));
        BaseLearningRate = baseLearningRate;
        Gamma = gamma;
        _base = OptimizerState.PythonScalar(baseLearningRate);
        _gamma = OptimizerState.PythonScalar(gamma);
    }

    public float BaseLearningRate { get; }
    public float Gamma { get; }

    public float GetLearningRate(long step)
    {
        ScheduleChecks.Step(step);
        return (float)(_base * System.Math.Pow(_gamma, step));
    }
}
