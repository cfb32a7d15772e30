using System;

namespace RnnGen.Kernels;

/// <summary>Process-wide switches of the recurrent kernels.</summary>
public static class KernelOptions
{
    private static int s_maxThreads = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>
    /// Threads a layer kernel may use (1 or 2; default: 2 when the machine has at least two logical
    /// processors). 1 forces single-threaded kernels. Results depend on this setting only through float
    /// rounding (the work is split differently), and are deterministic for a fixed value.
    /// </summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_maxThreads = Math.Min(value, 2);
        }
    }
}

/// <summary>How the layer kernels split work across <see cref="KernelOptions.MaxThreads"/> threads.</summary>
internal static class ParallelPlan
{
    /// <summary>Smallest forward FLOP count of one layer call worth a second thread (test hook: set 0 to force splitting).</summary>
    internal static long MinParallelFlops { get; set; } = 1L << 21;

    /// <summary>
    /// First sequence of the second thread's half for a batch split (sequences are independent, so
    /// each thread runs the whole time loop for its half with no per-step synchronization), or 0
    /// for no split.
    /// </summary>
    public static int BatchSplit(int batch, long flops)
    {
        if (batch < 2 || KernelOptions.MaxThreads < 2 || 2 * flops < MinParallelFlops) return 0;
        return batch / 2;
    }
}
