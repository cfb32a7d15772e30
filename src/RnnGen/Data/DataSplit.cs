using System;

namespace RnnGen.Data;

/// <summary>
/// A train / validation / test partition of the indices 0..Count−1: disjoint, together complete,
/// each part in ascending order. Sizes: train = round(Count·trainFraction), validation =
/// round(Count·validationFraction), test = the rest.
/// </summary>
public sealed class DataSplit
{
    private DataSplit(int[] train, int[] validation, int[] test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    public int[] Train { get; }
    public int[] Validation { get; }
    public int[] Test { get; }
    public int Count => Train.Length + Validation.Length + Test.Length;

    /// <summary>Random split: which index goes where is fixed by <paramref name="seed"/>.</summary>
    public static DataSplit Random(int count, double trainFraction, double validationFraction, long seed)
    {
        var (train, validation) = Sizes(count, trainFraction, validationFraction);
        int[] order = SeededShuffle.Permutation(count, seed);
        return Cut(order, train, validation);
    }

    /// <summary>Chronological split (no shuffle): the first indices train, then validation, then test.</summary>
    public static DataSplit Chronological(int count, double trainFraction, double validationFraction)
    {
        var (train, validation) = Sizes(count, trainFraction, validationFraction);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        return Cut(order, train, validation);
    }

    /// <summary>(train, validation) sizes for <paramref name="count"/> items; test gets the rest.</summary>
    public static (int Train, int Validation) Sizes(int count, double trainFraction, double validationFraction)
    {
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected count ≥ 0, but got {count}.");
        DataChecks.Fraction(trainFraction, nameof(trainFraction));
        DataChecks.Fraction(validationFraction, nameof(validationFraction));
        if (trainFraction + validationFraction > 1 + 1e-9)
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                $"Expected trainFraction + validationFraction ≤ 1, but got {trainFraction} + {validationFraction} = {trainFraction + validationFraction}.");
        int train = (int)Math.Round(count * trainFraction, MidpointRounding.AwayFromZero);
        int validation = (int)Math.Round(count * validationFraction, MidpointRounding.AwayFromZero);
        train = Math.Min(train, count);
        validation = Math.Min(validation, count - train);
        return (train, validation);
    }

    private static DataSplit Cut(int[] order, int train, int validation)
    {
        int[] a = order[..train], b = order[train..(train + validation)], c = order[(train + validation)..];
        Array.Sort(a);
        Array.Sort(b);
        Array.Sort(c);
        return new DataSplit(a, b, c);
    }
}
