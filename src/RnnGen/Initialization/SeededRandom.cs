using System;
using System.Runtime.CompilerServices;

namespace RnnGen.Initialization;

/// <summary>
/// A small, fast, reproducible generator (xoshiro128** seeded through SplitMix64). Unlike
/// <see cref="Random"/>, its sequence is fixed by this file: the same seed gives the same weights
/// on every runtime, OS and version of RnnGen. Its state is two longs, so checkpoints can store it.
/// </summary>
public struct SeededRandom
{
    private uint _s0, _s1, _s2, _s3;

    public SeededRandom(long seed)
    {
        ulong x = unchecked((ulong)seed);
        ulong a = SplitMix64(ref x), b = SplitMix64(ref x);
        _s0 = (uint)a;
        _s1 = (uint)(a >> 32);
        _s2 = (uint)b;
        _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 1; // the all-zero state is the one fixed point of xoshiro
        }
    }

    /// <summary>The full state, for checkpoints.</summary>
    public (ulong Low, ulong High) State
    {
        get => (_s0 | ((ulong)_s1 << 32), _s2 | ((ulong)_s3 << 32));
        set
        {
            _s0 = (uint)value.Low;
            _s1 = (uint)(value.Low >> 32);
            _s2 = (uint)value.High;
            _s3 = (uint)(value.High >> 32);
        }
    }

    /// <summary>Next 32 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextUInt32()
    {
        uint result = RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (every float32 step of that range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextSingle() => (NextUInt32() >> 8) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (((ulong)NextUInt32() << 21) ^ (NextUInt32() >> 11)) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Expected a positive bound.");
        }
        return (int)(((ulong)NextUInt32() * (ulong)maxExclusive) >> 32);
    }

    /// <summary>Standard normal by Box–Muller.</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static uint RotateLeft(uint x, int k) => (x << k) | (x >> (32 - k));

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
