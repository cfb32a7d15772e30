using System;
using System.Diagnostics.CodeAnalysis;

namespace RnnGen.Training;

/// <summary>Span length and hyperparameter validation shared by the training code and the head kernels.
/// Messages are only built on failure so the success path never allocates.</summary>
internal static class ArgumentChecks
{
    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public static void Length(int actual, int expected, string name, string meaning)
    {
        if (actual != expected) ThrowLength(actual, expected, name, meaning);
    }

    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="d0"/>·<paramref name="d1"/>.</summary>
    public static void Shape(int actual, string name, int d0, string n0, int d1, string n1)
    {
        long expected = (long)d0 * d1;
        if (actual != expected) ThrowShape(actual, expected, name, d0, n0, d1, n1);
    }

    /// <summary>Like <see cref="Shape"/> but an empty span is also accepted (meaning "skip").</summary>
    public static void OptionalShape(int actual, string name, int d0, string n0, int d1, string n1)
    {
        if (actual != 0) Shape(actual, name, d0, n0, d1, n1);
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0) ThrowNegative(value, name);
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    public static void NonNegativeFinite(float value, string name)
    {
        if (!(value >= 0f) || float.IsPositiveInfinity(value)) ThrowNotNonNegative(value, name);
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string name, string meaning) =>
        throw new ArgumentException(
            $"{name} must have length {expected} ({meaning}) but has length {actual}.", name);

    [DoesNotReturn]
    private static void ThrowShape(int actual, long expected, string name, int d0, string n0, int d1, string n1) =>
        throw new ArgumentException(
            $"{name} must have length {expected} = {n0} ({d0}) × {n1} ({d1}) but has length {actual}.", name);

    [DoesNotReturn]
    private static void ThrowNegative(int value, string name) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 0 but is {value}.");

    [DoesNotReturn]
    private static void ThrowNotNonNegative(float value, string name) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite value ≥ 0 but is {value}.");
}
