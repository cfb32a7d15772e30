using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Benchmarks;

/// <summary>Single-core FP32 peak: a loop of independent FMAs on Vector512 registers (Vector256 without AVX-512).</summary>
internal static class PeakFlops
{
    private const int Iterations = 2_000_000;

    public static double MeasureGflops()
    {
        var samples = new List<double>();
        for (int r = 0; r < 25; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            float sink = Avx512F.IsSupported ? Fma512(Iterations) : Fma256(Iterations);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (sink == 42f) Console.Write("");
            double flops = (double)Iterations * 12 * (Avx512F.IsSupported ? 16 : 8) * 2;
            if (r >= 5) samples.Add(flops / s / 1e9);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Fma512(int n)
    {
        Vector512<float> m = Vector512.Create(0.999999f), a = Vector512.Create(1e-7f);
        Vector512<float> s0 = m, s1 = m, s2 = m, s3 = m, s4 = m, s5 = m, s6 = m, s7 = m, s8 = m, s9 = m, s10 = m, s11 = m;
        for (int i = 0; i < n; i++)
        {
            s0 = Avx512F.FusedMultiplyAdd(s0, m, a); s1 = Avx512F.FusedMultiplyAdd(s1, m, a);
            s2 = Avx512F.FusedMultiplyAdd(s2, m, a); s3 = Avx512F.FusedMultiplyAdd(s3, m, a);
            s4 = Avx512F.FusedMultiplyAdd(s4, m, a); s5 = Avx512F.FusedMultiplyAdd(s5, m, a);
            s6 = Avx512F.FusedMultiplyAdd(s6, m, a); s7 = Avx512F.FusedMultiplyAdd(s7, m, a);
            s8 = Avx512F.FusedMultiplyAdd(s8, m, a); s9 = Avx512F.FusedMultiplyAdd(s9, m, a);
            s10 = Avx512F.FusedMultiplyAdd(s10, m, a); s11 = Avx512F.FusedMultiplyAdd(s11, m, a);
        }
        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Fma256(int n)
    {
        Vector256<float> m = Vector256.Create(0.999999f), a = Vector256.Create(1e-7f);
        Vector256<float> s0 = m, s1 = m, s2 = m, s3 = m, s4 = m, s5 = m, s6 = m, s7 = m, s8 = m, s9 = m, s10 = m, s11 = m;
        for (int i = 0; i < n; i++)
        {
            s0 = Fma.MultiplyAdd(s0, m, a); s1 = Fma.MultiplyAdd(s1, m, a);
            s2 = Fma.MultiplyAdd(s2, m, a); s3 = Fma.MultiplyAdd(s3, m, a);
            s4 = Fma.MultiplyAdd(s4, m, a); s5 = Fma.MultiplyAdd(s5, m, a);
            s6 = Fma.MultiplyAdd(s6, m, a); s7 = Fma.MultiplyAdd(s7, m, a);
            s8 = Fma.MultiplyAdd(s8, m, a); s9 = Fma.MultiplyAdd(s9, m, a);
            s10 = Fma.MultiplyAdd(s10, m, a); s11 = Fma.MultiplyAdd(s11, m, a);
        }
        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }
}
