using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Layer normalisation of one row of n values, as used inside the variant cells:
/// <c>x̂ = (a − μ)·rstd</c>, <c>rstd = 1/√(σ² + ε)</c> (biased variance over the n values),
/// <c>out = γ⊙x̂ + β</c>. Means and variances accumulate in double; everything else is float.
/// </summary>
/// <remarks>
/// The sums run 16 floats at a time (Vector512: each half widened to 8 doubles) or 4 at a time (Vector128), then a
/// scalar tail; the elementwise parts are float vector operations with the scalar loop's exact roundings. The
/// scalar version summed element by element — five of those passes per LSTM row and step made the layer-norm
/// variant 1.7× slower than the plain cell (bench/NOTES.md step 21). The summation order depends only on n and
/// the machine's vector width, so a row's result is the same on every thread.
/// </remarks>
public static class LayerNormRow
{
    /// <summary>ε added to the variance (PyTorch's <c>nn.LayerNorm</c> default).</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>
    /// Normalises <paramref name="a"/> in place to <c>γ⊙x̂ + β</c>, writes x̂ into <paramref name="xhat"/>
    /// and returns rstd. All spans hold at least <c>a.Length</c> values.
    /// </summary>
    public static float Forward(Span<float> a, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> xhat)
    {
        int n = a.Length;
        ref float a0 = ref MemoryMarshal.GetReference(a);
        ref float g0 = ref MemoryMarshal.GetReference(gamma.Slice(0, n));
        ref float b0 = ref MemoryMarshal.GetReference(beta.Slice(0, n));
        ref float x0 = ref MemoryMarshal.GetReference(xhat.Slice(0, n));
        if (n == 0) return (float)(1.0 / Math.Sqrt(Epsilon));

        float mean = (float)(SumWidened(ref a0, n, 0f) / n);
        float rstd = (float)(1.0 / Math.Sqrt((SumSquaresWidened(ref a0, n, mean) / n) + Epsilon));

        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(mean), r = Vector512.Create(rstd);
            for (; j <= n - 16; j += 16)
            {
                nuint u = (nuint)j;
                Vector512<float> xh = (Vector512.LoadUnsafe(ref a0, u) - m) * r;
                xh.StoreUnsafe(ref x0, u);
                ((Vector512.LoadUnsafe(ref g0, u) * xh) + Vector512.LoadUnsafe(ref b0, u)).StoreUnsafe(ref a0, u);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> m = Vector128.Create(mean), r = Vector128.Create(rstd);
            for (; j <= n - 4; j += 4)
            {
                nuint u = (nuint)j;
                Vector128<float> xh = (Vector128.LoadUnsafe(ref a0, u) - m) * r;
                xh.StoreUnsafe(ref x0, u);
                ((Vector128.LoadUnsafe(ref g0, u) * xh) + Vector128.LoadUnsafe(ref b0, u)).StoreUnsafe(ref a0, u);
            }
        }
        for (; j < n; j++)
        {
            float xh = (Unsafe.Add(ref a0, j) - mean) * rstd;
            Unsafe.Add(ref x0, j) = xh;
            Unsafe.Add(ref a0, j) = (Unsafe.Add(ref g0, j) * xh) + Unsafe.Add(ref b0, j);
        }
        return rstd;
    }

    /// <summary>
    /// Backward of <see cref="Forward"/> for one row: <c>dγ += dout⊙x̂</c>, <c>dβ += dout</c>, and
    /// <c>dIn = rstd·(d − mean(d) − x̂·mean(d⊙x̂))</c> with <c>d = dout⊙γ</c>. <paramref name="dIn"/> may be
    /// <paramref name="dout"/> itself (in place).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dout, ReadOnlySpan<float> xhat, float rstd,
        ReadOnlySpan<float> gamma, Span<float> dGamma, Span<float> dBeta, Span<float> dIn)
    {
        int n = dIn.Length;
        ref float o0 = ref MemoryMarshal.GetReference(dout.Slice(0, n));
        ref float x0 = ref MemoryMarshal.GetReference(xhat.Slice(0, n));
        ref float g0 = ref MemoryMarshal.GetReference(gamma.Slice(0, n));
        ref float dg0 = ref MemoryMarshal.GetReference(dGamma.Slice(0, n));
        ref float db0 = ref MemoryMarshal.GetReference(dBeta.Slice(0, n));
        ref float d0 = ref MemoryMarshal.GetReference(dIn);
        double s1 = 0, s2 = 0;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> s1a = Vector512<double>.Zero, s1b = Vector512<double>.Zero;
            Vector512<double> s2a = Vector512<double>.Zero, s2b = Vector512<double>.Zero;
            for (; j <= n - 16; j += 16)
            {
                nuint u = (nuint)j;
                Vector512<float> g = Vector512.LoadUnsafe(ref o0, u), xh = Vector512.LoadUnsafe(ref x0, u);
                (Vector512.LoadUnsafe(ref dg0, u) + (g * xh)).StoreUnsafe(ref dg0, u);
                (Vector512.LoadUnsafe(ref db0, u) + g).StoreUnsafe(ref db0, u);
                Vector512<float> d = g * Vector512.LoadUnsafe(ref g0, u);
                d.StoreUnsafe(ref d0, u); // after dout is read: dIn may be dout
                (Vector512<double> dLo, Vector512<double> dHi) = Vector512.Widen(d);
                (Vector512<double> xLo, Vector512<double> xHi) = Vector512.Widen(xh);
                s1a += dLo;
                s1b += dHi;
                s2a += dLo * xLo;
                s2b += dHi * xHi;
            }
            s1 = Vector512.Sum(s1a + s1b);
            s2 = Vector512.Sum(s2a + s2b);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<double> s1a = Vector128<double>.Zero, s1b = Vector128<double>.Zero;
            Vector128<double> s2a = Vector128<double>.Zero, s2b = Vector128<double>.Zero;
            for (; j <= n - 4; j += 4)
            {
                nuint u = (nuint)j;
                Vector128<float> g = Vector128.LoadUnsafe(ref o0, u), xh = Vector128.LoadUnsafe(ref x0, u);
                (Vector128.LoadUnsafe(ref dg0, u) + (g * xh)).StoreUnsafe(ref dg0, u);
                (Vector128.LoadUnsafe(ref db0, u) + g).StoreUnsafe(ref db0, u);
                Vector128<float> d = g * Vector128.LoadUnsafe(ref g0, u);
                d.StoreUnsafe(ref d0, u);
                (Vector128<double> dLo, Vector128<double> dHi) = Vector128.Widen(d);
                (Vector128<double> xLo, Vector128<double> xHi) = Vector128.Widen(xh);
                s1a += dLo;
                s1b += dHi;
                s2a += dLo * xLo;
                s2b += dHi * xHi;
            }
            s1 = Vector128.Sum(s1a + s1b);
            s2 = Vector128.Sum(s2a + s2b);
        }
        for (; j < n; j++)
        {
            float g = Unsafe.Add(ref o0, j), xh = Unsafe.Add(ref x0, j);
            Unsafe.Add(ref dg0, j) += g * xh;
            Unsafe.Add(ref db0, j) += g;
            float d = g * Unsafe.Add(ref g0, j);
            Unsafe.Add(ref d0, j) = d;
            s1 += d;
            s2 += (double)d * xh;
        }

        float m1 = (float)(s1 / n), m2 = (float)(s2 / n);
        j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> r = Vector512.Create(rstd), vm1 = Vector512.Create(m1), vm2 = Vector512.Create(m2);
            for (; j <= n - 16; j += 16)
            {
                nuint u = (nuint)j;
                (r * (Vector512.LoadUnsafe(ref d0, u) - vm1 - (Vector512.LoadUnsafe(ref x0, u) * vm2))).StoreUnsafe(ref d0, u);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> r = Vector128.Create(rstd), vm1 = Vector128.Create(m1), vm2 = Vector128.Create(m2);
            for (; j <= n - 4; j += 4)
            {
                nuint u = (nuint)j;
                (r * (Vector128.LoadUnsafe(ref d0, u) - vm1 - (Vector128.LoadUnsafe(ref x0, u) * vm2))).StoreUnsafe(ref d0, u);
            }
        }
        for (; j < n; j++)
        {
            Unsafe.Add(ref d0, j) = rstd * (Unsafe.Add(ref d0, j) - m1 - (Unsafe.Add(ref x0, j) * m2));
        }
    }

    /// <summary>Σ (a[j] − shift) in double (shift = 0: the plain sum).</summary>
    private static double SumWidened(ref float a0, int n, float shift) => Sums(ref a0, n, shift, squares: false);

    /// <summary>Σ (a[j] − mean)² in double, each difference rounded to float first (as the scalar loop did).</summary>
    private static double SumSquaresWidened(ref float a0, int n, float mean) => Sums(ref a0, n, mean, squares: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sums(ref float a0, int n, float shift, bool squares)
    {
        double sum = 0;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> lo = Vector512<double>.Zero, hi = Vector512<double>.Zero;
            Vector512<float> s = Vector512.Create(shift);
            for (; j <= n - 16; j += 16)
            {
                Vector512<float> c = Vector512.LoadUnsafe(ref a0, (nuint)j) - s;
                (Vector512<double> cLo, Vector512<double> cHi) = Vector512.Widen(c);
                lo += squares ? cLo * cLo : cLo;
                hi += squares ? cHi * cHi : cHi;
            }
            sum = Vector512.Sum(lo + hi);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<double> lo = Vector128<double>.Zero, hi = Vector128<double>.Zero;
            Vector128<float> s = Vector128.Create(shift);
            for (; j <= n - 4; j += 4)
            {
                Vector128<float> c = Vector128.LoadUnsafe(ref a0, (nuint)j) - s;
                (Vector128<double> cLo, Vector128<double> cHi) = Vector128.Widen(c);
                lo += squares ? cLo * cLo : cLo;
                hi += squares ? cHi * cHi : cHi;
            }
            sum = Vector128.Sum(lo + hi);
        }
        for (; j < n; j++)
        {
            float c = Unsafe.Add(ref a0, j) - shift;
            sum += squares ? (double)c * c : c;
        }
        return sum;
    }
}
