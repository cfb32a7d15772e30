using System;
using System.Globalization;

namespace RnnGen.Runtime;

/// <summary>
/// Argument checks shared by generated sessions. Every message names the argument, what was
/// expected and what was given.
/// </summary>
public static class Guard
{
    public static void BatchAndSteps(int batch, int steps, int maxBatch, int maxSteps)
    {
        if (batch < 1 || batch > maxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"Expected a batch size in 1..{maxBatch} (the session's maxBatch), but got {batch}.");
        }
        if (steps < 1 || steps > maxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"Expected a step count in 1..{maxSteps} (the session's maxSteps), but got {steps}.");
        }
    }

    public static void Batch(int batch, int maxBatch)
    {
        if (batch < 1 || batch > maxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"Expected a batch size in 1..{maxBatch} (the session's maxBatch), but got {batch}.");
        }
    }

    /// <summary>Requires <c>span.Length == expected</c>; <paramref name="shape"/> spells the expected shape.</summary>
    public static void Length(int actual, long expected, string argument, string shape)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"Expected {argument} to hold {expected.ToString(CultureInfo.InvariantCulture)} values ({shape}), but it holds {actual.ToString(CultureInfo.InvariantCulture)}.",
                argument);
        }
    }

    /// <summary>Like <see cref="Length"/> but an empty span (meaning "zeros" or "none") is allowed.</summary>
    public static void LengthOrEmpty(int actual, long expected, string argument, string shape)
    {
        if (actual != 0)
        {
            Length(actual, expected, argument, shape);
        }
    }

    public static void SessionSize(int maxBatch, int maxSteps)
    {
        if (maxBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"Expected maxBatch ≥ 1, but got {maxBatch}.");
        }
        if (maxSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"Expected maxSteps ≥ 1, but got {maxSteps}.");
        }
        if ((long)maxBatch * maxSteps > int.MaxValue / 64)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps,
                $"maxBatch·maxSteps = {(long)maxBatch * maxSteps} is too large for one session; split the work into smaller batches.");
        }
    }

    public static void State(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
