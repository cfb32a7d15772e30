using System;
using System.Collections.Generic;

namespace RnnGen.Training;

/// <summary>What a progress report is about.</summary>
public enum TrainingProgressKind
{
    /// <summary>A training batch finished (one optimizer step).</summary>
    Batch = 0,

    /// <summary>An epoch finished: its mean training loss and, with validation data, the validation metrics.</summary>
    Epoch = 1,
}

/// <summary>
/// One progress report of <see cref="Trainer.Fit"/>, sent synchronously on the training thread (a struct: reporting
/// allocates nothing unless the <see cref="IProgress{T}"/> does). Epoch and Batch are 0-based.
/// </summary>
public readonly record struct TrainingProgress(
    TrainingProgressKind Kind,
    int Epoch,
    int Batch,
    int BatchCount,
    long GlobalStep,
    float BatchLoss,
    double EpochLoss,
    Metrics? Validation,
    float LearningRate,
    TimeSpan Elapsed);

/// <summary>One finished epoch in <see cref="TrainingResult.History"/>.</summary>
public sealed record EpochSummary(int Epoch, double TrainingLoss, Metrics? Validation, bool Improved);

/// <summary>What <see cref="Trainer.Fit"/> did.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(IReadOnlyList<EpochSummary> history, bool cancelled, bool stoppedEarly, int bestEpoch,
        double bestMetric, int epochsCompleted, long globalStep, TimeSpan elapsed)
    {
        History = history;
        Cancelled = cancelled;
        StoppedEarly = stoppedEarly;
        BestEpoch = bestEpoch;
        BestMetric = bestMetric;
        EpochsCompleted = epochsCompleted;
        GlobalStep = globalStep;
        Elapsed = elapsed;
    }

    /// <summary>Epochs finished during this call (not those before a resume).</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>The token was cancelled; training stopped after the current batch.</summary>
    public bool Cancelled { get; }

    /// <summary>Early stopping ended training.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Best epoch by the early-stopping metric (−1 without early stopping).</summary>
    public int BestEpoch { get; }

    public double BestMetric { get; }

    /// <summary>Epochs finished in total (including those before a resume).</summary>
    public int EpochsCompleted { get; }

    public long GlobalStep { get; }

    public TimeSpan Elapsed { get; }
}
