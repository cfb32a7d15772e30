using System;

namespace RnnGen.Training;

/// <summary>
/// Thrown when a loss or gradient is NaN or infinite. The step that saw it changed nothing: the
/// weights are the last good ones, so a caller can save them, lower the learning rate, or stop.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(string message) : base(message)
    {
    }
}
