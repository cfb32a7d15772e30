namespace RnnGen.Training.Schedules;

/// <summary>The same learning rate at every step (PyTorch: no scheduler).</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    public ConstantSchedule(float learningRate)
    {
        ArgumentChecks.NonNegativeFinite(learningRate, nameof(learningRate));
        LearningRate = learningRate;
    }

    public float LearningRate { get; }

    public float GetLearningRate(long step)
    {
        ScheduleChecks.Step(step);
        return LearningRate;
    }
}
