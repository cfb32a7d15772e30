using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RnnGen.Runtime;
using RnnGen.Tests.Models;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Runtime;

public class AlignedBufferTests
{
    private static unsafe nuint Address(ReadOnlySpan<float> span) =>
        (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));

    [Fact]
    public void Every_buffer_starts_on_a_64_byte_line_is_zeroed_and_has_its_length()
    {
        // Many sizes and many allocations: a float[] starts at a 64-byte boundary only by chance (1 in 8 on x64).
        int misalignedArrays = 0;
        for (int length = 0; length < 200; length++)
        {
            var buffer = new AlignedBuffer(length);
            Assert.Equal(length, buffer.Length);
            Assert.Equal(length, buffer.AsSpan().Length);
            if (length > 0) Assert.Equal(0u, Address(buffer.AsSpan()) % AlignedBuffer.Alignment);
            Assert.All(buffer.AsSpan().ToArray(), v => Assert.Equal(0f, v));
            if (length > 0 && Address(new float[length]) % AlignedBuffer.Alignment != 0) misalignedArrays++;
        }
        Assert.True(misalignedArrays > 0, "control: plain arrays are expected to be misaligned now and then");
    }

    [Fact]
    public void Views_index_and_convert_like_the_array_they_replace()
    {
        var buffer = new AlignedBuffer(10);
        for (int i = 0; i < 10; i++) buffer[i] = i;
        Assert.Equal(new float[] { 3, 4, 5 }, buffer.AsSpan(3, 3).ToArray());
        Assert.Equal(new float[] { 8, 9 }, buffer.AsSpan(8).ToArray());
        Span<float> span = buffer;
        ReadOnlySpan<float> readOnly = buffer;
        Assert.Equal(10, span.Length);
        Assert.Equal(Address(span), Address(readOnly));
        Assert.Throws<IndexOutOfRangeException>(() => buffer[10]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AsSpan(8, 3).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1));
    }

    [Fact]
    public void A_generated_sessions_buffers_start_on_64_byte_lines()
    {
        // The session's layer outputs, final states and head output are AlignedBuffer views.
        var model = new WideBiLstm(seed: 1);
        for (int i = 0; i < 20; i++)
        {
            var session = model.CreateSession(3, 5);
            session.Forward(TestData.Uniform(3 * 5 * WideBiLstm.InputSize, i), 3, 5);
            Assert.Equal(0u, Address(session.Output) % AlignedBuffer.Alignment);
            Assert.Equal(0u, Address(session.FinalHidden) % AlignedBuffer.Alignment);
            Assert.Equal(0u, Address(session.HeadOutput) % AlignedBuffer.Alignment);
        }
    }
}
