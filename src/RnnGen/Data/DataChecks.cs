using System;
using System.Globalization;

namespace RnnGen.Data;

/// <summary>Argument checks of the data layer: every message names the argument, the expected and the actual value.</summary>
internal static class DataChecks
{
    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static void Length(int actual, long expected, string argument, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"Expected {argument} to hold {Text(expected)} values ({what}), but it holds {Text(actual)}.", argument);
    }

    public static void Positive(int value, string argument)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(argument, value, $"Expected {argument} ≥ 1, but got {Text(value)}.");
    }

    public static void Fraction(double value, string argument)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentOutOfRangeException(argument, value, $"Expected {argument} in [0, 1], but got {value.ToString("R", CultureInfo.InvariantCulture)}.");
    }
}
