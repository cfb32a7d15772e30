namespace RnnGen.Training.Schedules;

/// <summary>
/// Step decay, <c>torch.optim.lr_scheduler.StepLR(step_size, gamma)</c>: the rate is multiplied by
/// <c>gamma</c> every <c>stepSize</c> steps.
/// <code>
/// lr(step) = baseLr · gamma^⌊step / stepSize⌋
/// </code>
/// This is PyTorch's closed form (<c>_get_closed_form_lr</c>). Its chained form multiplies the current rate by
/// gamma at each boundary, which rounds differently only in the last bits of the double before the cast to float.
/// </summary>
public sealed class StepDecaySchedule : ILearningRateSchedule
{
    private readonly double _base, _gamma;

    public StepDecaySchedule(float baseLearningRate, int stepSize, float gamma = 0.1f)
    {
        ArgumentChecks.NonNegativeFinite(baseLearningRate, nameof(baseLearningRate));
        ScheduleChecks.Positive(stepSize, nameof(stepSize));
        ArgumentChecks.NonNegativeFinite(gamma, nameof(gamma));
        BaseLearningRate = baseLearningRate;
        StepSize = stepSize;
        Gamma = gamma;
        _base = OptimizerState.PythonScalar(baseLearningRate);
        _gamma = OptimizerState.PythonScalar(gamma);
    }

    public float BaseLearningRate { get; }
    public int StepSize { get; }
    public float Gamma { get; }

    public float GetLearningRate(long step)
    {
        ScheduleChecks.Step(step);
        return (float)(_base * System.Math.Pow(_gamma, step / StepSize));
    }
}
