using System;

namespace RnnGen.Tests.Data;

internal static class AllocationCounter
{
    /// <summary>Bytes allocated by ten calls of <paramref name="action"/> after two warm-up calls.</summary>
    public static long AllocatedBy(Action action)
    {
        action();
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
