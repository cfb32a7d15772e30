using System;

namespace RnnGen.Tests.Support;

/// <summary>The allocation counter reports a per-call allocation in full and a silent call as zero.</summary>
public class SteadyStateTests
{
    private static object? s_sink;

    [Fact]
    public void An_allocating_call_is_counted_in_every_window()
    {
        long bytes = SteadyState.AllocatedBytes(() => s_sink = new byte[1000], callsPerWindow: 5);
        Assert.True(bytes >= 5 * 1000, $"counted {bytes} bytes for five 1,000-byte arrays");
    }

    [Fact]
    public void A_silent_call_counts_zero()
    {
        var buffer = new float[64];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => buffer.AsSpan().Fill(1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SteadyState.AllocatedBytes(() => { }, callsPerWindow: 0));
    }
}
