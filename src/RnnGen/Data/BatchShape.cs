using System;
using System.Globalization;

namespace RnnGen.Data;

/// <summary>What a batch's inputs are.</summary>
public enum InputKind
{
    /// <summary>Float features, batch-first [B, T, F].</summary>
    Features = 0,

    /// <summary>Token ids [B, T] (int), for models with an embedding.</summary>
    Tokens = 1,
}

/// <summary>What a batch's targets are and how they are laid out.</summary>
public enum TargetLayout
{
    /// <summary>No targets.</summary>
    None = 0,

    /// <summary>Float targets per sequence, [B, O] (many-to-one regression / multi-label).</summary>
    PerSequence = 1,

    /// <summary>Float targets per step, [B, T, O], zero past each length (many-to-many).</summary>
    PerStep = 2,

    /// <summary>One int class id per sequence, [B] (many-to-one softmax head).</summary>
    ClassPerSequence = 3,

    /// <summary>One int class id per step, [B, T], zero past each length (tagging).</summary>
    ClassPerStep = 4,
}

/// <summary>
/// The shape of every example a source produces and every batch can hold: input kind, features
/// per step (1 for tokens), target layout and target size (outputs O for float targets; the number
/// of classes for class targets, 0 = ids are not range-checked).
/// </summary>
public readonly record struct BatchShape
{
    public BatchShape(InputKind input, int features, TargetLayout targets, int targetSize)
    {
        if (input != InputKind.Features && input != InputKind.Tokens)
            throw new ArgumentOutOfRangeException(nameof(input), input, "Expected InputKind.Features or InputKind.Tokens.");
        if (input == InputKind.Features && features < 1)
            throw new ArgumentOutOfRangeException(nameof(features), features, $"Expected features ≥ 1 for float inputs, but got {features}.");
        if (input == InputKind.Tokens && features != 1)
            throw new ArgumentOutOfRangeException(nameof(features), features, $"Expected features = 1 for token inputs, but got {features}.");
        switch (targets)
        {
            case TargetLayout.None:
                if (targetSize != 0)
                    throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, $"Expected targetSize = 0 without targets, but got {targetSize}.");
                break;
            case TargetLayout.PerSequence:
            case TargetLayout.PerStep:
                if (targetSize < 1)
                    throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, $"Expected targetSize (outputs per target) ≥ 1, but got {targetSize}.");
                break;
            case TargetLayout.ClassPerSequence:
            case TargetLayout.ClassPerStep:
                if (targetSize < 0)
                    throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, $"Expected targetSize (number of classes, 0 = unchecked) ≥ 0, but got {targetSize}.");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(targets), targets, "Unknown target layout.");
        }
        Input = input;
        Features = features;
        Targets = targets;
        TargetSize = targetSize;
    }

    /// <summary>Float features per step.</summary>
    public static BatchShape ForFeatures(int features, TargetLayout targets = TargetLayout.None, int targetSize = 0)
        => new(InputKind.Features, features, targets, targetSize);

    /// <summary>Token ids per step.</summary>
    public static BatchShape ForTokens(TargetLayout targets = TargetLayout.None, int targetSize = 0)
        => new(InputKind.Tokens, 1, targets, targetSize);

    public InputKind Input { get; }
    public int Features { get; }
    public TargetLayout Targets { get; }
    public int TargetSize { get; }

    internal bool HasFloatTargets => Targets is TargetLayout.PerSequence or TargetLayout.PerStep;
    internal bool HasClassTargets => Targets is TargetLayout.ClassPerSequence or TargetLayout.ClassPerStep;
    internal bool PerStepTargets => Targets is TargetLayout.PerStep or TargetLayout.ClassPerStep;

    public override string ToString()
    {
        string input = Input == InputKind.Tokens ? "tokens [B, T]" : "features [B, T, " + Features.ToString(CultureInfo.InvariantCulture) + "]";
        string target = Targets switch
        {
            TargetLayout.None => "no targets",
            TargetLayout.PerSequence => "targets [B, " + TargetSize.ToString(CultureInfo.InvariantCulture) + "]",
            TargetLayout.PerStep => "targets [B, T, " + TargetSize.ToString(CultureInfo.InvariantCulture) + "]",
            TargetLayout.ClassPerSequence => "class ids [B] of " + TargetSize.ToString(CultureInfo.InvariantCulture) + " classes",
            _ => "class ids [B, T] of " + TargetSize.ToString(CultureInfo.InvariantCulture) + " classes",
        };
        return input + ", " + target;
    }
}
