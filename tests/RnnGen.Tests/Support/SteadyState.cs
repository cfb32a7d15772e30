using System;

namespace RnnGen.Tests.Support;

/// <summary>
/// Measures what a call allocates on the calling thread once warm: the one way the zero-allocation tests count bytes.
/// </summary>
/// <remarks>
/// The result is the smallest count over a few windows, not the first window's. The runtime itself can allocate on
/// the calling thread once, outside the code under test: on a loaded machine tiered compilation may promote a
/// method to optimized code inside the window (CI saw one window of 300 pool calls count 3,472 bytes that no
/// repetition reproduced). An allocation made by the code under test recurs in every window, so the minimum still
/// reports it: the assertion stays "zero bytes in steady state" and can still fail.
/// </remarks>
internal static class SteadyState
{
    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmUpCalls"/> times, then up to <paramref name="windows"/>
    /// windows of <paramref name="callsPerWindow"/> calls; returns the bytes allocated on this thread by the window
    /// that allocated least (stopping at the first that allocated nothing). <paramref name="otherThreadsBytes"/>, when
    /// given, reads a running count of bytes allocated by threads the call hands work to (a worker pool's own
    /// counters); each window then counts those bytes too.
    /// </summary>
    public static long AllocatedBytes(Action action, int callsPerWindow = 10, int warmUpCalls = 2, int windows = 4,
        Func<long>? otherThreadsBytes = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(callsPerWindow, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windows, 1);
        for (int i = 0; i < warmUpCalls; i++) action();
        long least = long.MaxValue;
        for (int w = 0; w < windows && least != 0; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread() + (otherThreadsBytes?.Invoke() ?? 0);
            for (int i = 0; i < callsPerWindow; i++) action();
            long after = GC.GetAllocatedBytesForCurrentThread() + (otherThreadsBytes?.Invoke() ?? 0);
            least = Math.Min(least, after - before);
        }
        return least;
    }
}
