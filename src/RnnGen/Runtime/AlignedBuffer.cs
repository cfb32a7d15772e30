using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGen.Runtime;

/// <summary>
/// A zero-initialized float buffer whose first element starts a 64-byte cache line, for the buffers a generated
/// session allocates once (layer outputs, caches, scratch, states). Converts implicitly to spans, so kernels take it
/// wherever they take a <c>float[]</c>.
/// </summary>
/// <remarks>
/// Why: a <c>float[]</c>'s elements start wherever the GC put the object, so a session's rows started at a random
/// offset within a cache line and every full-width vector load of a row could straddle two lines. With rows of
/// 16·k floats starting on line boundaries, each AVX-512 load is one line, and when two cores update the two halves
/// of a batch-1 state the halves never share a line (docs/performance.md measures both). The array is allocated on
/// the pinned object heap, so the alignment found at construction holds for the buffer's lifetime.
/// </remarks>
public sealed class AlignedBuffer
{
    /// <summary>The alignment of element 0, in bytes.</summary>
    public const int Alignment = 64;

    private readonly float[] _array;
    private readonly int _offset;

    /// <summary>A buffer of <paramref name="length"/> zeros starting on a 64-byte boundary.</summary>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        const int slack = (Alignment / sizeof(float)) - 1;
        _array = GC.AllocateArray<float>(checked(length + slack), pinned: true);
        _offset = OffsetToAlignment(_array);
        Length = length;
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The whole buffer.</summary>
    public Span<float> AsSpan() => new(_array, _offset, Length);

    /// <summary>The buffer from <paramref name="start"/> to its end.</summary>
    public Span<float> AsSpan(int start) => AsSpan().Slice(start);

    /// <summary><paramref name="length"/> floats from <paramref name="start"/>.</summary>
    public Span<float> AsSpan(int start, int length) => AsSpan().Slice(start, length);

    /// <summary>Element <paramref name="index"/> (bounds-checked against <see cref="Length"/>).</summary>
    public ref float this[int index] => ref AsSpan()[index];

    public static implicit operator Span<float>(AlignedBuffer buffer) => buffer.AsSpan();

    public static implicit operator ReadOnlySpan<float>(AlignedBuffer buffer) => buffer.AsSpan();

    private static unsafe int OffsetToAlignment(float[] array)
    {
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        nuint misalignment = address & (Alignment - 1);
        return misalignment == 0 ? 0 : (int)((Alignment - misalignment) / sizeof(float));
    }
}
