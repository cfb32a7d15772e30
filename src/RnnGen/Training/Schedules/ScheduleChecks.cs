using System;
using System.Diagnostics.CodeAnalysis;

namespace RnnGen.Training.Schedules;

/// <summary>Argument checks shared by the schedules; messages are built only on failure.</summary>
internal static class ScheduleChecks
{
    public static void Step(long step)
    {
        if (step < 0) ThrowStep(step);
    }

    public static void Positive(long value, string name)
    {
        if (value <= 0) ThrowPositive(value, name);
    }

    public static void PositiveFinite(float value, string name)
    {
        if (!(value > 0f) || float.IsPositiveInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite value > 0 but is {value}.");
    }

    [DoesNotReturn]
    private static void ThrowStep(long step) =>
        throw new ArgumentOutOfRangeException(nameof(step), step, $"step must be ≥ 0 (the 0-based optimizer step) but is {step}.");

    [DoesNotReturn]
    private static void ThrowPositive(long value, string name) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 1 but is {value}.");
}
