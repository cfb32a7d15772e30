using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Float-only exp, logistic sigmoid and tanh for the fused cell kernels: a Cephes-style range reduction
/// (x = n·ln2 + r, |r| ≤ ln2/2) with Cephes' degree-5 polynomial, e^r = 1 + q with q = r + r²·P(r), evaluated with
/// fused multiply-adds. σ(x) = 1 / (1 + e^−x); tanh(x) = sign(x)·e / (e + 2) with e = expm1(2|x|) = 2^n·q + (2^n − 1),
/// which is accurate near 0 without a second polynomial (e ≈ 2|x| there, and no 1 − 2/(·) cancellation).
/// Scalar, <see cref="Vector{T}"/> and <see cref="Vector512{T}"/> versions evaluate the same operations in the same
/// order with the same single roundings (<see cref="FusedMath"/>), so a value does not depend on its position in a row.
/// </summary>
/// <remarks>
/// Accuracy against double-precision references (tests/RnnGen.Tests/Kernels/FastKernelTests.cs, a dense sweep of
/// [−30, 30] plus edge values): sigmoid within 9e-8 absolute and 1.5e-7 relative, tanh within 1.5e-7 absolute and
/// 1.6e-7 relative, exp within 2e-7 relative; tanh is exactly odd (tanh(−0) = −0). Cost per 16 lanes (Vector512):
/// exp 18 instructions, σ 20 and a division, tanh 24 and a division — the LSTM cell pass (3 σ, 2 tanh per unit)
/// measured 2.65 → 1.64 ns per unit against the previous version (separate multiplies and adds, and tanh as an odd
/// polynomial below 0.625 blended with 1 − 2/(e^2|x| + 1) above; bench/NOTES.md step 17). TensorPrimitives computes
/// σ/tanh through double on some paths; these are several times cheaper per element and, more importantly, inline
/// into one fused pass with the cell update.
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

    // ------------------------------------------------------------------ scalar

    /// <summary>e^x = 2^n·(1 + q) for x clamped to [ExpMin, ExpMax]: returns q and sets <paramref name="scale"/> = 2^n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Reduce(float x, out float scale)
    {
        x = MathF.Min(MathF.Max(x, ExpMin), ExpMax);
        float n = MathF.Floor(FusedMath.MultiplyAdd(x, Log2E, 0.5f));
        float r = FusedMath.MultiplyAdd(n, -Ln2Hi, x); // Ln2Hi has 9 significant bits: n·Ln2Hi is exact
        r = FusedMath.MultiplyAdd(n, -Ln2Lo, r);
        float z = r * r;
        float y = FusedMath.MultiplyAdd(P0, r, P1);
        y = FusedMath.MultiplyAdd(y, r, P2);
        y = FusedMath.MultiplyAdd(y, r, P3);
        y = FusedMath.MultiplyAdd(y, r, P4);
        y = FusedMath.MultiplyAdd(y, r, P5);
        scale = BitConverter.Int32BitsToSingle(((int)n + 127) << 23); // n ∈ [−126, 128): a normal power of two
        return FusedMath.MultiplyAdd(y, z, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        float q = Reduce(x, out float s);
        return FusedMath.MultiplyAdd(q, s, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float ax = MathF.Abs(x);
        float q = Reduce(ax + ax, out float s);
        float e = FusedMath.MultiplyAdd(s, q, s - 1f); // expm1(2|x|) ≥ 0; s − 1 is exact
        return MathF.CopySign(e / (e + 2f), x);
    }

    // ------------------------------------------------------------------ Vector<float>

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Reduce(Vector<float> x, out Vector<float> scale)
    {
        x = Vector.Min(Vector.Max(x, new Vector<float>(ExpMin)), new Vector<float>(ExpMax));
        Vector<float> n = Vector.Floor(FusedMath.MultiplyAdd(x, new Vector<float>(Log2E), new Vector<float>(0.5f)));
        Vector<float> r = FusedMath.MultiplyAdd(n, new Vector<float>(-Ln2Hi), x);
        r = FusedMath.MultiplyAdd(n, new Vector<float>(-Ln2Lo), r);
        Vector<float> z = r * r;
        Vector<float> y = FusedMath.MultiplyAdd(new Vector<float>(P0), r, new Vector<float>(P1));
        y = FusedMath.MultiplyAdd(y, r, new Vector<float>(P2));
        y = FusedMath.MultiplyAdd(y, r, new Vector<float>(P3));
        y = FusedMath.MultiplyAdd(y, r, new Vector<float>(P4));
        y = FusedMath.MultiplyAdd(y, r, new Vector<float>(P5));
        scale = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32(n) + new Vector<int>(127), 23));
        return FusedMath.MultiplyAdd(y, z, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        Vector<float> q = Reduce(x, out Vector<float> s);
        return FusedMath.MultiplyAdd(q, s, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sigmoid(Vector<float> x) => Vector<float>.One / (Vector<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Tanh(Vector<float> x)
    {
        var sign = new Vector<float>(-0f);
        Vector<float> ax = Vector.AndNot(x, sign);
        Vector<float> q = Reduce(ax + ax, out Vector<float> s);
        Vector<float> e = FusedMath.MultiplyAdd(s, q, s - Vector<float>.One);
        return (e / (e + new Vector<float>(2f))) | (x & sign);
    }

    // ------------------------------------------------------------------ Vector512<float>
    // The same operations in the same order as the Vector<float> versions (Vector<float> is 256 bits
    // wide on x64 unless the application opts in to 512): twice the lanes per instruction on AVX-512.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce(Vector512<float> x, out Vector512<float> scale)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax));
        Vector512<float> n = Vector512.Floor(FusedMath.MultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(0.5f)));
        Vector512<float> r = FusedMath.MultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = FusedMath.MultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        Vector512<float> z = r * r;
        Vector512<float> y = FusedMath.MultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        y = FusedMath.MultiplyAdd(y, r, Vector512.Create(P2));
        y = FusedMath.MultiplyAdd(y, r, Vector512.Create(P3));
        y = FusedMath.MultiplyAdd(y, r, Vector512.Create(P4));
        y = FusedMath.MultiplyAdd(y, r, Vector512.Create(P5));
        scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return FusedMath.MultiplyAdd(y, z, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        Vector512<float> q = Reduce(x, out Vector512<float> s);
        return FusedMath.MultiplyAdd(q, s, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> sign = Vector512.Create(-0f);
        Vector512<float> ax = Vector512.AndNot(x, sign);
        Vector512<float> q = Reduce(ax + ax, out Vector512<float> s);
        Vector512<float> e = FusedMath.MultiplyAdd(s, q, s - Vector512<float>.One);
        return (e / (e + Vector512.Create(2f))) | (x & sign);
    }

    // ------------------------------------------------------------------ spans
    // In place is allowed (y may be x). Vector512 body, then Vector<float>, then scalar: the same bits everywhere.

    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        y = y.Slice(0, n);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16) Sigmoid(Vector512.LoadUnsafe(ref xs, (nuint)j)).StoreUnsafe(ref ys, (nuint)j);
        }
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
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16) Tanh(Vector512.LoadUnsafe(ref xs, (nuint)j)).StoreUnsafe(ref ys, (nuint)j);
        }
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
