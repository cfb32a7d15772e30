using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Float-only exp, logistic sigmoid and tanh for the fused cell kernels: a Cephes-style range
/// reduction (x = n·ln2 + r) with a degree-5 polynomial for exp, and Cephes' odd polynomial for tanh
/// on |x| &lt; 0.625. <see cref="Vector{T}"/> and scalar versions evaluate the same operations in the
/// same order (no FMA contraction in .NET), so a value does not depend on its position in a row.
/// </summary>
/// <remarks>
/// Accuracy against double-precision references (tests/RnnGen.Tests/Kernels/ActivationMathTests.cs,
/// dense sweep of [−30, 30] plus edge values): sigmoid and tanh within 2.5e-7 absolute and 4 ulp-ish
/// (≤ 5e-7) relative where the result is not tiny; exp within 2e-7 relative. TensorPrimitives
/// computes σ/tanh through double on some paths; these are several times cheaper per element and,
/// more importantly, inline into one fused pass with the cell update.
/// </remarks>
internal static class ActivationMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float ExpMax = 88.3f;
    private const float ExpMin = -87.3f;
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;
    private const float T0 = -5.70498872745e-3f;
    private const float T1 = 2.06390887954e-2f;
    private const float T2 = -5.37397155531e-2f;
    private const float T3 = 1.33314422036e-1f;
    private const float T4 = -3.33332819422e-1f;
    private const float TanhSmall = 0.625f;

    // ------------------------------------------------------------------ scalar

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = MathF.Min(MathF.Max(x, ExpMin), ExpMax);
        float n = MathF.Floor((x * Log2E) + 0.5f);
        float r = x - (n * Ln2Hi);
        r -= n * Ln2Lo;
        float z = r * r;
        float y = (((((((((P0 * r) + P1) * r) + P2) * r) + P3) * r) + P4) * r) + P5;
        y = (y * z) + r + 1f;
        int bits = ((int)n + 127) << 23;
        return y * BitConverter.Int32BitsToSingle(bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < TanhSmall)
        {
            float z = x * x;
            return ((((((((((T0 * z) + T1) * z) + T2) * z) + T3) * z) + T4) * z) * x) + x;
        }
        float big = 1f - (2f / (Exp(2f * ax) + 1f));
        return x < 0f ? -big : big;
    }

    // ------------------------------------------------------------------ Vector<float>

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<float>(ExpMin)), new Vector<float>(ExpMax));
        Vector<float> n = Vector.Floor((x * new Vector<float>(Log2E)) + new Vector<float>(0.5f));
        Vector<float> r = x - (n * new Vector<float>(Ln2Hi));
        r -= n * new Vector<float>(Ln2Lo);
        Vector<float> z = r * r;
        Vector<float> y = (new Vector<float>(P0) * r) + new Vector<float>(P1);
        y = (y * r) + new Vector<float>(P2);
        y = (y * r) + new Vector<float>(P3);
        y = (y * r) + new Vector<float>(P4);
        y = (y * r) + new Vector<float>(P5);
        y = (y * z) + r + Vector<float>.One;
        Vector<int> bits = Vector.ShiftLeft(Vector.ConvertToInt32(n) + new Vector<int>(127), 23);
        return y * Vector.AsVectorSingle(bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        Vector<float> ax = Vector.Abs(x);
        Vector<float> z = x * x;
        Vector<float> p = (new Vector<float>(T0) * z) + new Vector<float>(T1);
        p = (p * z) + new Vector<float>(T2);
        p = (p * z) + new Vector<float>(T3);
        p = (p * z) + new Vector<float>(T4);
        Vector<float> small = (p * z * x) + x;
        Vector<float> big = Vector<float>.One - (new Vector<float>(2f) / (Exp(ax + ax) + Vector<float>.One));
        big = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -big, big);
        return Vector.ConditionalSelect(Vector.LessThan(ax, new Vector<float>(TanhSmall)), small, big);
    }

    // ------------------------------------------------------------------ Vector512<float>
    // The same operations in the same order as the Vector<float> versions (Vector<float> is 256 bits
    // wide on x64 unless the application opts in to 512): twice the lanes per instruction on AVX-512.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        Vector512<float> n = Vector512.Floor((x * Vector512.Create(Log2E)) + Vector512.Create(0.5f));
        Vector512<float> r = x - (n * Vector512.Create(Ln2Hi));
        r -= n * Vector512.Create(Ln2Lo);
        Vector512<float> z = r * r;
        Vector512<float> y = (Vector512.Create(P0) * r) + Vector512.Create(P1);
        y = (y * r) + Vector512.Create(P2);
        y = (y * r) + Vector512.Create(P3);
        y = (y * r) + Vector512.Create(P4);
        y = (y * r) + Vector512.Create(P5);
        y = (y * z) + r + Vector512<float>.One;
        Vector512<int> bits = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23);
        return y * bits.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> ax = Vector512.Abs(x);
        Vector512<float> z = x * x;
        Vector512<float> p = (Vector512.Create(T0) * z) + Vector512.Create(T1);
        p = (p * z) + Vector512.Create(T2);
        p = (p * z) + Vector512.Create(T3);
        p = (p * z) + Vector512.Create(T4);
        Vector512<float> small = (p * z * x) + x;
        Vector512<float> big = Vector512<float>.One - (Vector512.Create(2f) / (Exp(ax + ax) + Vector512<float>.One));
        big = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -big, big);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(TanhSmall)), small, big);
    }

    // ------------------------------------------------------------------ spans

    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        y = y.Slice(0, n);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                Sigmoid(new Vector<float>(x.Slice(j))).CopyTo(y.Slice(j));
            }
        }
        for (; j < n; j++) y[j] = Sigmoid(x[j]);
    }

    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        y = y.Slice(0, n);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
            {
                Tanh(new Vector<float>(x.Slice(j))).CopyTo(y.Slice(j));
            }
        }
        for (; j < n; j++) y[j] = Tanh(x[j]);
    }
}
