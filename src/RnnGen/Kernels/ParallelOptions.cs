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
