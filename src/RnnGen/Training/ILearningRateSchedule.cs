namespace RnnGen.Training;

/// <summary>
/// A learning-rate schedule: a pure function of the optimizer step (0 for the first step), so a
/// checkpoint only needs the step count to resume it exactly.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate to use for optimizer step <paramref name="step"/> (0-based).</summary>
    float GetLearningRate(long step);
}
