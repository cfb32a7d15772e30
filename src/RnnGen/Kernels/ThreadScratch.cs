using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// Per-thread scratch for the kernels (GEMM packing, packed recurrent weights): a pinned array held in
/// the caller's <c>[ThreadStatic]</c> field, grown on demand (at least doubling) and then reused, so
/// steady-state calls allocate nothing and the address can be used without <c>fixed</c>.
/// </summary>
internal static class ThreadScratch
{
    /// <summary>A 64-byte aligned pointer to at least <paramref name="floats"/> floats of <paramref name="buffer"/> (valid until the next call with it).</summary>
    public static unsafe float* Get(ref float[]? buffer, int floats)
    {
        // +16 floats of slack to align the start to a 64-byte cache line: the buffers are read with
        // full-width vector loads, and a load straddling two lines costs an extra access.
        int needed = floats + 16;
        float[]? array = buffer;
        if (array is null || array.Length < needed)
        {
            array = GC.AllocateUninitializedArray<float>(Math.Max(needed, (array?.Length ?? 0) * 2), pinned: true);
            buffer = array;
        }

        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (float*)((address + 63) & ~(nuint)63);
    }
}
