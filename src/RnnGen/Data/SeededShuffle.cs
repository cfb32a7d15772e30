using System;
using RnnGen.Initialization;

namespace RnnGen.Data;

/// <summary>Fisher–Yates shuffles driven by <see cref="SeededRandom"/>: the same seed (or state) gives the same order everywhere.</summary>
public static class SeededShuffle
{
    /// <summary>Shuffles <paramref name="items"/> in place, advancing <paramref name="random"/>; allocates nothing.</summary>
    public static void Shuffle<T>(Span<T> items, ref SeededRandom random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>−1.</summary>
    public static int[] Permutation(int count, long seed)
    {
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected count ≥ 0, but got {count}.");
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var random = new SeededRandom(seed);
        Shuffle(order.AsSpan(), ref random);
        return order;
    }
}
