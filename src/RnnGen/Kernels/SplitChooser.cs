using System;
using System.Diagnostics;

namespace RnnGen.Kernels;

/// <summary>
/// Chooses, per layer shape, whether a batch-1 layer runs on one core or split across two, from the
/// measured time of both (their results are bitwise identical, so only speed is at stake).
/// </summary>
/// <remarks>
/// Which is faster depends on more than the shape: measured on the 2-vCPU development VM
/// (bench/NOTES.md), the split of an H = 128 LSTM was 1.5× faster than one core at some times and
/// 1.45× slower at others, with the same binary minutes apart (the per-step exchange of h between
/// the cores costs from ~0.3 to ~2 µs depending on where the host runs the two vCPUs). A fixed
/// threshold is therefore wrong half the time; instead each shape's first calls try both ways, the
/// faster is used, and the other is re-tried every <see cref="ProbeInterval"/> calls so a change of
/// conditions is noticed. Costs two timestamp reads per layer call; allocation-free; races between
/// threads only blur the estimates.
/// </remarks>
internal static class SplitChooser
{
    private const int Slots = 32;
    private const int WarmUpCalls = 16;
    internal const int ProbeInterval = 32;

    private struct Entry
    {
        public long Key;
        public double SplitTicksPerStep, SingleTicksPerStep;
        public int Calls;
    }

    private static readonly Entry[] s_entries = new Entry[Slots];

    /// <summary>Whether to split the next call of this shape; <paramref name="slot"/> goes back to <see cref="Record"/>.</summary>
    public static bool ShouldSplit(int gates, int hidden, int inputSize, out int slot)
    {
        long key = ((long)gates << 48) | ((long)hidden << 24) | (uint)inputSize;
        slot = (int)(unchecked((ulong)key * 0x9E3779B97F4A7C15UL) >> 59); // Fibonacci hash, top 5 bits: 32 slots
        ref Entry e = ref s_entries[slot];
        if (e.Key != key)
        {
            // a new shape (or a collision: the newer shape takes the slot over)
            e = new Entry { Key = key };
        }
        int calls = e.Calls++;
        if (calls < WarmUpCalls) return calls % 2 == 0;
        bool splitFaster = e.SplitTicksPerStep <= e.SingleTicksPerStep;
        return calls % ProbeInterval == 0 ? !splitFaster : splitFaster;
    }

    public static void Record(int slot, bool split, long ticks, int steps)
    {
        ref Entry e = ref s_entries[slot];
        double perStep = (double)ticks / Math.Max(1, steps);
        ref double estimate = ref split ? ref e.SplitTicksPerStep : ref e.SingleTicksPerStep;
        // An average that forgets quickly: the first calls run unoptimized JIT code, and conditions change
        // (the decision only needs the sign of a difference that is typically 1.5×, so noise matters little).
        // Not a minimum: the split's times vary more, and its best case would win it calls it then loses.
        estimate = estimate == 0 ? perStep : 0.5 * (estimate + perStep);
    }

    public static long Now() => Stopwatch.GetTimestamp();
}
