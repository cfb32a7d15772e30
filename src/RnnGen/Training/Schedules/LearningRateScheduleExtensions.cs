namespace RnnGen.Training.Schedules;

/// <summary>Drives an optimizer's learning rate from a schedule.</summary>
public static class LearningRateScheduleExtensions
{
    /// <summary>
    /// Sets <paramref name="optimizer"/>'s <see cref="IOptimizer.LearningRate"/> to the schedule's rate for the
    /// optimizer's next step (<see cref="IOptimizer.StepCount"/>, 0-based) and returns it. Call it before every
    /// step; because the schedule is a pure function of the step, a restored checkpoint resumes it exactly.
    /// </summary>
    public static float ApplySchedule(this IOptimizer optimizer, ILearningRateSchedule schedule)
    {
        System.ArgumentNullException.ThrowIfNull(optimizer);
        System.ArgumentNullException.ThrowIfNull(schedule);
        float learningRate = schedule.GetLearningRate(optimizer.StepCount);
        optimizer.LearningRate = learningRate;
        return learningRate;
    }
}
