using System;

namespace RnnGen.Training;

/// <summary>How a <see cref="Trainer"/> trains. Every property has a usable default except what the data dictates.</summary>
public sealed class TrainingOptions
{
    /// <summary>Epochs to train (the total for the run, including epochs done before a resume). Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Sequences per training batch; the last batch of an epoch holds the remainder. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Sequences per validation batch; 0 = <see cref="BatchSize"/>.</summary>
    public int ValidationBatchSize { get; set; }

    /// <summary>Shuffle the training sequences each epoch (with <see cref="Seed"/>). Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seed of the shuffling generator (<see cref="Initialization.SeededRandom"/>). Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Global L2 gradient-norm clipping threshold (<see cref="ModelTrainingExtensions.ApplyGradients"/>); ∞ = off.</summary>
    public float MaxGradientNorm { get; set; } = float.PositiveInfinity;

    /// <summary>Learning rate per optimizer step: before each step the trainer sets
    /// <c>optimizer.LearningRate = Schedule.GetLearningRate(optimizer.StepCount)</c>. Null = keep the optimizer's rate.</summary>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <summary>Threads computing each batch's gradient (data parallel, see <see cref="DataParallelGradients"/>); 1 = on the
    /// calling thread only. More than 1 needs <see cref="ReplicaFactory"/>. Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Creates an empty model of the same architecture (e.g. <c>() =&gt; new MyModel()</c>); required when
    /// <see cref="Threads"/> &gt; 1. The trainer copies the master's parameters into each replica.</summary>
    public Func<IRnnNetwork>? ReplicaFactory { get; set; }

    /// <summary>Early stopping on a validation metric (needs validation data); null = off.</summary>
    public EarlyStopping? EarlyStopping { get; set; }

    /// <summary>Where checkpoints go (replaced atomically each time); null = no checkpoints.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Also checkpoint every this many training steps; 0 = off.</summary>
    public int CheckpointEverySteps { get; set; }

    /// <summary>Checkpoint after each epoch (after validation and early stopping). Default true.</summary>
    public bool CheckpointEachEpoch { get; set; } = true;

    /// <summary>Checkpoint when <see cref="Trainer.Fit"/> returns because of cancellation. Default true.</summary>
    public bool CheckpointOnCancel { get; set; } = true;

    /// <param name="needsReplicaFactory">False for encoder–decoder training, whose replicas share the parameters.</param>
    internal void Validate(bool needsReplicaFactory = true)
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be ≥ 0.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be ≥ 1.");
        if (ValidationBatchSize < 0) throw new ArgumentOutOfRangeException(nameof(ValidationBatchSize), ValidationBatchSize, "ValidationBatchSize must be ≥ 0.");
        if (!(MaxGradientNorm > 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), MaxGradientNorm, "MaxGradientNorm must be > 0 (∞ = off).");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be ≥ 1.");
        if (needsReplicaFactory && Threads > 1 && ReplicaFactory is null)
            throw new ArgumentException("Threads > 1 needs ReplicaFactory (e.g. () => new MyModel()) to create the model replicas.", nameof(ReplicaFactory));
        if (CheckpointEverySteps < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEverySteps), CheckpointEverySteps, "CheckpointEverySteps must be ≥ 0.");
    }
}
