using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Fused forward cell updates, one pass per row (one sequence at one step): gate nonlinearities,
/// state update and output in a single loop over H, with <see cref="ActivationMath"/>'s float σ/tanh
/// (Vector512 body on AVX-512, then Vector&lt;float&gt;, then scalar).
/// Replaces 6–8 TensorPrimitives calls per row (each a pass over a short span plus call overhead).
/// Vector body and scalar tail evaluate identical expressions, so results do not depend on H's alignment.
/// </summary>
internal static partial class FastCells
{
    /// <summary>
    /// LSTM. <paramref name="gates"/> [4H]: pre-activations in, activated i, f, g, o out.
    /// c' = f⊙c + i⊙g (unfused, as PyTorch's CPU cell), tanhC = tanh(c'), h' = o⊙tanhC, written to hOut and y.
    /// </summary>
    public static void Lstm(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> cOut, Span<float> tanhC,
        Span<float> hOut, Span<float> y, int h) => Lstm(gates, cPrev, cOut, tanhC, hOut, y, h, h);

    /// <summary>
    /// The LSTM update for <paramref name="count"/> consecutive units of a row whose gate blocks are
    /// <paramref name="stride"/> apart (stride = H; count &lt; H when two threads split a row's units).
    /// <paramref name="gates"/> starts at the first unit's i gate.
    /// </summary>
    public static void Lstm(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> cOut, Span<float> tanhC,
        Span<float> hOut, Span<float> y, int count, int stride)
    {
        int h = stride;
        ref float g0 = ref MemoryMarshal.GetReference(gates.Slice(0, (3 * stride) + count));
        ref float cp = ref MemoryMarshal.GetReference(cPrev.Slice(0, count));
        ref float co = ref MemoryMarshal.GetReference(cOut.Slice(0, count));
        ref float tc = ref MemoryMarshal.GetReference(tanhC.Slice(0, count));
        ref float ho = ref MemoryMarshal.GetReference(hOut.Slice(0, count));
        ref float yo = ref MemoryMarshal.GetReference(y.Slice(0, count));
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= count - 16; j += 16)
            {
                Vector512<float> i = ActivationMath.Sigmoid(Ld16(ref g0, j));
                Vector512<float> f = ActivationMath.Sigmoid(Ld16(ref g0, h + j));
                Vector512<float> g = ActivationMath.Tanh(Ld16(ref g0, (2 * h) + j));
                Vector512<float> o = ActivationMath.Sigmoid(Ld16(ref g0, (3 * h) + j));
                St16(i, ref g0, j);
                St16(f, ref g0, h + j);
                St16(g, ref g0, (2 * h) + j);
                St16(o, ref g0, (3 * h) + j);
                Vector512<float> c = (f * Ld16(ref cp, j)) + (i * g);
                Vector512<float> t = ActivationMath.Tanh(c);
                Vector512<float> hv = o * t;
                St16(c, ref co, j);
                St16(t, ref tc, j);
                St16(hv, ref ho, j);
                St16(hv, ref yo, j);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= count - w; j += w)
            {
                Vector<float> i = ActivationMath.Sigmoid(Ld(ref g0, j));
                Vector<float> f = ActivationMath.Sigmoid(Ld(ref g0, h + j));
                Vector<float> g = ActivationMath.Tanh(Ld(ref g0, (2 * h) + j));
                Vector<float> o = ActivationMath.Sigmoid(Ld(ref g0, (3 * h) + j));
                St(i, ref g0, j);
                St(f, ref g0, h + j);
                St(g, ref g0, (2 * h) + j);
                St(o, ref g0, (3 * h) + j);
                Vector<float> c = (f * Ld(ref cp, j)) + (i * g);
                Vector<float> t = ActivationMath.Tanh(c);
                Vector<float> hv = o * t;
                St(c, ref co, j);
                St(t, ref tc, j);
                St(hv, ref ho, j);
                St(hv, ref yo, j);
            }
        }
        for (; j < count; j++)
        {
            float i = ActivationMath.Sigmoid(Unsafe.Add(ref g0, j));
            float f = ActivationMath.Sigmoid(Unsafe.Add(ref g0, h + j));
            float g = ActivationMath.Tanh(Unsafe.Add(ref g0, (2 * h) + j));
            float o = ActivationMath.Sigmoid(Unsafe.Add(ref g0, (3 * h) + j));
            Unsafe.Add(ref g0, j) = i;
            Unsafe.Add(ref g0, h + j) = f;
            Unsafe.Add(ref g0, (2 * h) + j) = g;
            Unsafe.Add(ref g0, (3 * h) + j) = o;
            float c = (f * Unsafe.Add(ref cp, j)) + (i * g);
            float t = ActivationMath.Tanh(c);
            float hv = o * t;
            Unsafe.Add(ref co, j) = c;
            Unsafe.Add(ref tc, j) = t;
            Unsafe.Add(ref ho, j) = hv;
            Unsafe.Add(ref yo, j) = hv;
        }
    }

    /// <summary>
    /// GRU. <paramref name="gates"/> [3H]: input projections (W_ih x + b_ih) in, activated r, z, n out;
    /// <paramref name="work"/> [3H]: the hidden product h·W_hhᵀ + b_hh; <paramref name="hidN"/> receives its n block.
    /// n = tanh(a_n + r⊙hn) (unfused), h' = n + z⊙(h − n).
    /// </summary>
    public static void Gru(Span<float> gates, ReadOnlySpan<float> work, Span<float> hidN, ReadOnlySpan<float> hPrev,
        Span<float> hOut, Span<float> y, int h) => Gru(gates, work, hidN, hPrev, hOut, y, h, h);

    /// <summary>
    /// The GRU update for <paramref name="count"/> consecutive units of a row whose gate blocks (in
    /// <paramref name="gates"/> and <paramref name="work"/>) are <paramref name="stride"/> apart; both start at the first unit's r gate.
    /// </summary>
    public static void Gru(Span<float> gates, ReadOnlySpan<float> work, Span<float> hidN, ReadOnlySpan<float> hPrev,
        Span<float> hOut, Span<float> y, int count, int stride)
    {
        int h = stride;
        ref float g0 = ref MemoryMarshal.GetReference(gates.Slice(0, (2 * stride) + count));
        ref float w0 = ref MemoryMarshal.GetReference(work.Slice(0, (2 * stride) + count));
        ref float hn0 = ref MemoryMarshal.GetReference(hidN.Slice(0, count));
        ref float hp = ref MemoryMarshal.GetReference(hPrev.Slice(0, count));
        ref float ho = ref MemoryMarshal.GetReference(hOut.Slice(0, count));
        ref float yo = ref MemoryMarshal.GetReference(y.Slice(0, count));
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= count - 16; j += 16)
            {
                Vector512<float> r = ActivationMath.Sigmoid(Ld16(ref g0, j) + Ld16(ref w0, j));
                Vector512<float> z = ActivationMath.Sigmoid(Ld16(ref g0, h + j) + Ld16(ref w0, h + j));
                Vector512<float> hn = Ld16(ref w0, (2 * h) + j);
                Vector512<float> n = ActivationMath.Tanh((r * hn) + Ld16(ref g0, (2 * h) + j));
                Vector512<float> hv = (z * (Ld16(ref hp, j) - n)) + n;
                St16(r, ref g0, j);
                St16(z, ref g0, h + j);
                St16(n, ref g0, (2 * h) + j);
                St16(hn, ref hn0, j);
                St16(hv, ref ho, j);
                St16(hv, ref yo, j);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= count - w; j += w)
            {
                Vector<float> r = ActivationMath.Sigmoid(Ld(ref g0, j) + Ld(ref w0, j));
                Vector<float> z = ActivationMath.Sigmoid(Ld(ref g0, h + j) + Ld(ref w0, h + j));
                Vector<float> hn = Ld(ref w0, (2 * h) + j);
                Vector<float> n = ActivationMath.Tanh((r * hn) + Ld(ref g0, (2 * h) + j));
                Vector<float> hv = (z * (Ld(ref hp, j) - n)) + n;
                St(r, ref g0, j);
                St(z, ref g0, h + j);
                St(n, ref g0, (2 * h) + j);
                St(hn, ref hn0, j);
                St(hv, ref ho, j);
                St(hv, ref yo, j);
            }
        }
        for (; j < count; j++)
        {
            float r = ActivationMath.Sigmoid(Unsafe.Add(ref g0, j) + Unsafe.Add(ref w0, j));
            float z = ActivationMath.Sigmoid(Unsafe.Add(ref g0, h + j) + Unsafe.Add(ref w0, h + j));
            float hn = Unsafe.Add(ref w0, (2 * h) + j);
            float n = ActivationMath.Tanh((r * hn) + Unsafe.Add(ref g0, (2 * h) + j));
            float hv = (z * (Unsafe.Add(ref hp, j) - n)) + n;
            Unsafe.Add(ref g0, j) = r;
            Unsafe.Add(ref g0, h + j) = z;
            Unsafe.Add(ref g0, (2 * h) + j) = n;
            Unsafe.Add(ref hn0, j) = hn;
            Unsafe.Add(ref ho, j) = hv;
            Unsafe.Add(ref yo, j) = hv;
        }
    }

    /// <summary>Vanilla RNN: a [H] pre-activation in, act(a) out, also written to hOut and y.</summary>
    public static void Rnn(Span<float> a, bool relu, Span<float> hOut, Span<float> y, int h)
    {
        ref float a0 = ref MemoryMarshal.GetReference(a.Slice(0, h));
        ref float ho = ref MemoryMarshal.GetReference(hOut.Slice(0, h));
        ref float yo = ref MemoryMarshal.GetReference(y.Slice(0, h));
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= h - 16; j += 16)
            {
                Vector512<float> v = Ld16(ref a0, j);
                v = relu ? Vector512.Max(v, Vector512<float>.Zero) : ActivationMath.Tanh(v);
                St16(v, ref a0, j);
                St16(v, ref ho, j);
                St16(v, ref yo, j);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= h - w; j += w)
            {
                Vector<float> v = Ld(ref a0, j);
                v = relu ? Vector.Max(v, Vector<float>.Zero) : ActivationMath.Tanh(v);
                St(v, ref a0, j);
                St(v, ref ho, j);
                St(v, ref yo, j);
            }
        }
        for (; j < h; j++)
        {
            float v = Unsafe.Add(ref a0, j);
            v = relu ? MathF.Max(v, 0f) : ActivationMath.Tanh(v);
            Unsafe.Add(ref a0, j) = v;
            Unsafe.Add(ref ho, j) = v;
            Unsafe.Add(ref yo, j) = v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Ld16(ref float b, int i) => Vector512.LoadUnsafe(ref b, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void St16(Vector512<float> v, ref float b, int i) => v.StoreUnsafe(ref b, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Ld(ref float b, int i) => Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref b, i)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void St(Vector<float> v, ref float b, int i) => Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref b, i)), v);
}
