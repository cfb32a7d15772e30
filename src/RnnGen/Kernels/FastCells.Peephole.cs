using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

// The peephole LSTM cell of the variant kernel, beside the standard cells (it shares their load/store helpers).
internal static partial class FastCells
{
    /// <summary>
    /// The peephole LSTM cell update of one row in one pass (the variant kernel without layer norm), like
    /// <see cref="Lstm(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, int)"/>:
    /// <c>i = σ(a_i + p_i⊙c)</c>, <c>f = σ(a_f + p_f⊙c)</c>, <c>g = tanh(a_g)</c>, <c>c' = f⊙c + i⊙g</c>,
    /// <c>o = σ(a_o + p_o⊙c')</c>, <c>h' = o⊙tanh(c')</c>, with <see cref="ActivationMath"/>'s float σ/tanh.
    /// Replaces ten TensorPrimitives calls per row. Vector bodies and scalar tail evaluate the same expressions.
    /// <paramref name="gates"/> [4H]: pre-activations in, activated i, f, g, o out; <paramref name="peephole"/> [3H]
    /// (p_i, p_f, p_o); c' to <paramref name="cNew"/>, tanh(c') to <paramref name="tanhC"/>, h' to <paramref name="hOut"/>.
    /// </summary>
    public static void LstmPeephole(Span<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peephole,
        Span<float> cNew, Span<float> tanhC, Span<float> hOut, int h)
    {
        ref float g0 = ref MemoryMarshal.GetReference(gates.Slice(0, 4 * h));
        ref float p0 = ref MemoryMarshal.GetReference(peephole.Slice(0, 3 * h));
        ref float cp = ref MemoryMarshal.GetReference(cPrev.Slice(0, h));
        ref float cn = ref MemoryMarshal.GetReference(cNew.Slice(0, h));
        ref float tc = ref MemoryMarshal.GetReference(tanhC.Slice(0, h));
        ref float ho = ref MemoryMarshal.GetReference(hOut.Slice(0, h));
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= h - 16; j += 16)
            {
                Vector512<float> c = Ld16(ref cp, j);
                Vector512<float> i = ActivationMath.Sigmoid(Ld16(ref g0, j) + (Ld16(ref p0, j) * c));
                Vector512<float> f = ActivationMath.Sigmoid(Ld16(ref g0, h + j) + (Ld16(ref p0, h + j) * c));
                Vector512<float> g = ActivationMath.Tanh(Ld16(ref g0, (2 * h) + j));
                Vector512<float> cNext = (f * c) + (i * g);
                Vector512<float> o = ActivationMath.Sigmoid(Ld16(ref g0, (3 * h) + j) + (Ld16(ref p0, (2 * h) + j) * cNext));
                Vector512<float> t = ActivationMath.Tanh(cNext);
                St16(i, ref g0, j);
                St16(f, ref g0, h + j);
                St16(g, ref g0, (2 * h) + j);
                St16(o, ref g0, (3 * h) + j);
                St16(cNext, ref cn, j);
                St16(t, ref tc, j);
                St16(o * t, ref ho, j);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= h - w; j += w)
            {
                Vector<float> c = Ld(ref cp, j);
                Vector<float> i = ActivationMath.Sigmoid(Ld(ref g0, j) + (Ld(ref p0, j) * c));
                Vector<float> f = ActivationMath.Sigmoid(Ld(ref g0, h + j) + (Ld(ref p0, h + j) * c));
                Vector<float> g = ActivationMath.Tanh(Ld(ref g0, (2 * h) + j));
                Vector<float> cNext = (f * c) + (i * g);
                Vector<float> o = ActivationMath.Sigmoid(Ld(ref g0, (3 * h) + j) + (Ld(ref p0, (2 * h) + j) * cNext));
                Vector<float> t = ActivationMath.Tanh(cNext);
                St(i, ref g0, j);
                St(f, ref g0, h + j);
                St(g, ref g0, (2 * h) + j);
                St(o, ref g0, (3 * h) + j);
                St(cNext, ref cn, j);
                St(t, ref tc, j);
                St(o * t, ref ho, j);
            }
        }
        for (; j < h; j++)
        {
            float c = Unsafe.Add(ref cp, j);
            float i = ActivationMath.Sigmoid(Unsafe.Add(ref g0, j) + (Unsafe.Add(ref p0, j) * c));
            float f = ActivationMath.Sigmoid(Unsafe.Add(ref g0, h + j) + (Unsafe.Add(ref p0, h + j) * c));
            float g = ActivationMath.Tanh(Unsafe.Add(ref g0, (2 * h) + j));
            float cNext = (f * c) + (i * g);
            float o = ActivationMath.Sigmoid(Unsafe.Add(ref g0, (3 * h) + j) + (Unsafe.Add(ref p0, (2 * h) + j) * cNext));
            float t = ActivationMath.Tanh(cNext);
            Unsafe.Add(ref g0, j) = i;
            Unsafe.Add(ref g0, h + j) = f;
            Unsafe.Add(ref g0, (2 * h) + j) = g;
            Unsafe.Add(ref g0, (3 * h) + j) = o;
            Unsafe.Add(ref cn, j) = cNext;
            Unsafe.Add(ref tc, j) = t;
            Unsafe.Add(ref ho, j) = o * t;
        }
    }
}
