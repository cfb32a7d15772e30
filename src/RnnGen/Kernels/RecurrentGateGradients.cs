using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Per-row elementwise BPTT kernels (one sequence, one time step, H units): gate pre-activation
/// gradients from the cached activations.
/// </summary>
/// <remarks>
/// Each derivative needs 4–6 operands per element, so a chain of TensorPrimitives calls would
/// stage everything through temporaries; instead one fused pass per row: Vector512, then
/// <see cref="Vector{T}"/>, then a scalar tail. All evaluate the same expressions in the same order
/// (no FMA contraction in .NET), so results do not depend on H's alignment.
/// <para>
/// Every kernel takes the carried hidden gradient <c>dh</c> and this step's output gradient <c>dy</c>
/// (empty: none) and adds them in registers, and leaves in <c>dh</c> what the recurrent GEMM
/// <c>dh += dG·W_hh</c> accumulates onto: 0 (LSTM, RNN) or the direct term dh⊙z (GRU). A separate
/// <c>dh += dy</c> pass and a clearing pass per row cost ~1 % of a training step (perf).
/// </para>
/// </remarks>
internal static class RecurrentGateGradients
{
    /// <summary>
    /// LSTM. In: gates i,f,g,o [4H] (activated), tanh(c') [H], c_prev [H], dh [H] + dy [H].
    /// Out: dG [4H]; dc [H] updated in place from dc(t) to dc(t−1) = dc_t⊙f; dh set to 0.
    /// </summary>
    public static void Lstm(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrev,
        Span<float> dh, ReadOnlySpan<float> dy, Span<float> dc, Span<float> dG)
    {
        int h = dh.Length;
        bool hasDy = !dy.IsEmpty;
        // One bounds check per operand, then unchecked loads.
        ref float g0 = ref MemoryMarshal.GetReference(gates.Slice(0, 4 * h));
        ref float tc0 = ref MemoryMarshal.GetReference(tanhC.Slice(0, h));
        ref float cp0 = ref MemoryMarshal.GetReference(cPrev.Slice(0, h));
        ref float dh0 = ref MemoryMarshal.GetReference(dh);
        ref float dy0 = ref hasDy ? ref MemoryMarshal.GetReference(dy.Slice(0, h)) : ref dh0;
        ref float dc0 = ref MemoryMarshal.GetReference(dc.Slice(0, h));
        ref float dG0 = ref MemoryMarshal.GetReference(dG.Slice(0, 4 * h));
        nuint hu = (nuint)h;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // the same expressions 16 lanes at a time (Vector<float> is 8 wide on x64 by default)
            Vector512<float> one = Vector512<float>.One;
            for (; j <= h - 16; j += 16)
            {
                nuint u = (nuint)j;
                var i = Vector512.LoadUnsafe(ref g0, u);
                var f = Vector512.LoadUnsafe(ref g0, hu + u);
                var g = Vector512.LoadUnsafe(ref g0, (2 * hu) + u);
                var o = Vector512.LoadUnsafe(ref g0, (3 * hu) + u);
                var tc = Vector512.LoadUnsafe(ref tc0, u);
                var dhv = Vector512.LoadUnsafe(ref dh0, u);
                if (hasDy) dhv += Vector512.LoadUnsafe(ref dy0, u);
                var dct = Vector512.LoadUnsafe(ref dc0, u) + dhv * o * (one - tc * tc);
                (dct * g * i * (one - i)).StoreUnsafe(ref dG0, u);
                (dct * Vector512.LoadUnsafe(ref cp0, u) * f * (one - f)).StoreUnsafe(ref dG0, hu + u);
                (dct * i * (one - g * g)).StoreUnsafe(ref dG0, (2 * hu) + u);
                (dhv * tc * o * (one - o)).StoreUnsafe(ref dG0, (3 * hu) + u);
                (dct * f).StoreUnsafe(ref dc0, u);
                Vector512<float>.Zero.StoreUnsafe(ref dh0, u);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> one = Vector<float>.One;
            for (; j <= h - w; j += w)
            {
                nuint u = (nuint)j;
                var i = Vector.LoadUnsafe(ref g0, u);
                var f = Vector.LoadUnsafe(ref g0, hu + u);
                var g = Vector.LoadUnsafe(ref g0, (2 * hu) + u);
                var o = Vector.LoadUnsafe(ref g0, (3 * hu) + u);
                var tc = Vector.LoadUnsafe(ref tc0, u);
                var dhv = Vector.LoadUnsafe(ref dh0, u);
                if (hasDy) dhv += Vector.LoadUnsafe(ref dy0, u);
                var dct = Vector.LoadUnsafe(ref dc0, u) + dhv * o * (one - tc * tc);
                (dct * g * i * (one - i)).StoreUnsafe(ref dG0, u);
                (dct * Vector.LoadUnsafe(ref cp0, u) * f * (one - f)).StoreUnsafe(ref dG0, hu + u);
                (dct * i * (one - g * g)).StoreUnsafe(ref dG0, (2 * hu) + u);
                (dhv * tc * o * (one - o)).StoreUnsafe(ref dG0, (3 * hu) + u);
                (dct * f).StoreUnsafe(ref dc0, u);
                Vector<float>.Zero.StoreUnsafe(ref dh0, u);
            }
        }
        for (; j < h; j++)
        {
            float i = Unsafe.Add(ref g0, j), f = Unsafe.Add(ref g0, h + j), g = Unsafe.Add(ref g0, (2 * h) + j), o = Unsafe.Add(ref g0, (3 * h) + j);
            float tc = Unsafe.Add(ref tc0, j), dhj = Unsafe.Add(ref dh0, j);
            if (hasDy) dhj += Unsafe.Add(ref dy0, j);
            float dct = Unsafe.Add(ref dc0, j) + dhj * o * (1f - tc * tc);
            Unsafe.Add(ref dG0, j) = dct * g * i * (1f - i);
            Unsafe.Add(ref dG0, h + j) = dct * Unsafe.Add(ref cp0, j) * f * (1f - f);
            Unsafe.Add(ref dG0, (2 * h) + j) = dct * i * (1f - g * g);
            Unsafe.Add(ref dG0, (3 * h) + j) = dhj * tc * o * (1f - o);
            Unsafe.Add(ref dc0, j) = dct * f;
            Unsafe.Add(ref dh0, j) = 0f;
        }
    }

    /// <summary>
    /// GRU. In: gates r,z,n [3H] (activated), hn = W_hn h + b_hn [H], h_prev [H]; dh [H] + dy [H]
    /// is replaced by its direct term (dh + dy)⊙z. Out: dGih = [da_r, da_z, da_n], dGhh = [da_r, da_z, r⊙da_n].
    /// </summary>
    public static void Gru(ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev,
        Span<float> dh, ReadOnlySpan<float> dy, Span<float> dGih, Span<float> dGhh)
    {
        int h = dh.Length;
        bool hasDy = !dy.IsEmpty;
        ref float g0 = ref MemoryMarshal.GetReference(gates.Slice(0, 3 * h));
        ref float hn0 = ref MemoryMarshal.GetReference(hn.Slice(0, h));
        ref float hp0 = ref MemoryMarshal.GetReference(hPrev.Slice(0, h));
        ref float dh0 = ref MemoryMarshal.GetReference(dh);
        ref float dy0 = ref hasDy ? ref MemoryMarshal.GetReference(dy.Slice(0, h)) : ref dh0;
        ref float di0 = ref MemoryMarshal.GetReference(dGih.Slice(0, 3 * h));
        ref float dhh0 = ref MemoryMarshal.GetReference(dGhh.Slice(0, 3 * h));
        nuint hu = (nuint)h;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> one = Vector512<float>.One;
            for (; j <= h - 16; j += 16)
            {
                nuint u = (nuint)j;
                var r = Vector512.LoadUnsafe(ref g0, u);
                var z = Vector512.LoadUnsafe(ref g0, hu + u);
                var n = Vector512.LoadUnsafe(ref g0, (2 * hu) + u);
                var dhv = Vector512.LoadUnsafe(ref dh0, u);
                if (hasDy) dhv += Vector512.LoadUnsafe(ref dy0, u);
                var dan = dhv * (one - z) * (one - n * n);
                var dar = dan * Vector512.LoadUnsafe(ref hn0, u) * r * (one - r);
                var daz = dhv * (Vector512.LoadUnsafe(ref hp0, u) - n) * z * (one - z);
                dar.StoreUnsafe(ref di0, u);
                daz.StoreUnsafe(ref di0, hu + u);
                dan.StoreUnsafe(ref di0, (2 * hu) + u);
                dar.StoreUnsafe(ref dhh0, u);
                daz.StoreUnsafe(ref dhh0, hu + u);
                (dan * r).StoreUnsafe(ref dhh0, (2 * hu) + u);
                (dhv * z).StoreUnsafe(ref dh0, u);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> one = Vector<float>.One;
            for (; j <= h - w; j += w)
            {
                nuint u = (nuint)j;
                var r = Vector.LoadUnsafe(ref g0, u);
                var z = Vector.LoadUnsafe(ref g0, hu + u);
                var n = Vector.LoadUnsafe(ref g0, (2 * hu) + u);
                var dhv = Vector.LoadUnsafe(ref dh0, u);
                if (hasDy) dhv += Vector.LoadUnsafe(ref dy0, u);
                var dan = dhv * (one - z) * (one - n * n);
                var dar = dan * Vector.LoadUnsafe(ref hn0, u) * r * (one - r);
                var daz = dhv * (Vector.LoadUnsafe(ref hp0, u) - n) * z * (one - z);
                dar.StoreUnsafe(ref di0, u);
                daz.StoreUnsafe(ref di0, hu + u);
                dan.StoreUnsafe(ref di0, (2 * hu) + u);
                dar.StoreUnsafe(ref dhh0, u);
                daz.StoreUnsafe(ref dhh0, hu + u);
                (dan * r).StoreUnsafe(ref dhh0, (2 * hu) + u);
                (dhv * z).StoreUnsafe(ref dh0, u);
            }
        }
        for (; j < h; j++)
        {
            float r = Unsafe.Add(ref g0, j), z = Unsafe.Add(ref g0, h + j), n = Unsafe.Add(ref g0, (2 * h) + j);
            float dhj = Unsafe.Add(ref dh0, j);
            if (hasDy) dhj += Unsafe.Add(ref dy0, j);
            float dan = dhj * (1f - z) * (1f - n * n);
            float dar = dan * Unsafe.Add(ref hn0, j) * r * (1f - r);
            float daz = dhj * (Unsafe.Add(ref hp0, j) - n) * z * (1f - z);
            Unsafe.Add(ref di0, j) = dar;
            Unsafe.Add(ref di0, h + j) = daz;
            Unsafe.Add(ref di0, (2 * h) + j) = dan;
            Unsafe.Add(ref dhh0, j) = dar;
            Unsafe.Add(ref dhh0, h + j) = daz;
            Unsafe.Add(ref dhh0, (2 * h) + j) = dan * r;
            Unsafe.Add(ref dh0, j) = dhj * z;
        }
    }

    /// <summary>RNN tanh: dA = (dh + dy)⊙(1 − h'²) from the activated output h'; dh set to 0.</summary>
    public static void Tanh(ReadOnlySpan<float> output, Span<float> dh, ReadOnlySpan<float> dy, Span<float> dA) =>
        Rnn(output, dh, dy, dA, relu: false);

    /// <summary>RNN relu: dA = dh + dy where h' &gt; 0, else 0 (PyTorch's threshold backward on the output); dh set to 0.</summary>
    public static void Relu(ReadOnlySpan<float> output, Span<float> dh, ReadOnlySpan<float> dy, Span<float> dA) =>
        Rnn(output, dh, dy, dA, relu: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rnn(ReadOnlySpan<float> output, Span<float> dh, ReadOnlySpan<float> dy, Span<float> dA, bool relu)
    {
        int h = dh.Length;
        bool hasDy = !dy.IsEmpty;
        ref float a0 = ref MemoryMarshal.GetReference(output.Slice(0, h));
        ref float dh0 = ref MemoryMarshal.GetReference(dh);
        ref float dy0 = ref hasDy ? ref MemoryMarshal.GetReference(dy.Slice(0, h)) : ref dh0;
        ref float dA0 = ref MemoryMarshal.GetReference(dA.Slice(0, h));
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= h - 16; j += 16)
            {
                nuint u = (nuint)j;
                var a = Vector512.LoadUnsafe(ref a0, u);
                var dhv = Vector512.LoadUnsafe(ref dh0, u);
                if (hasDy) dhv += Vector512.LoadUnsafe(ref dy0, u);
                var da = relu
                    ? Vector512.ConditionalSelect(Vector512.GreaterThan(a, Vector512<float>.Zero), dhv, Vector512<float>.Zero)
                    : dhv * (Vector512<float>.One - a * a);
                da.StoreUnsafe(ref dA0, u);
                Vector512<float>.Zero.StoreUnsafe(ref dh0, u);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= h - w; j += w)
            {
                nuint u = (nuint)j;
                var a = Vector.LoadUnsafe(ref a0, u);
                var dhv = Vector.LoadUnsafe(ref dh0, u);
                if (hasDy) dhv += Vector.LoadUnsafe(ref dy0, u);
                var da = relu
                    ? Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<float>.Zero), dhv, Vector<float>.Zero)
                    : dhv * (Vector<float>.One - a * a);
                da.StoreUnsafe(ref dA0, u);
                Vector<float>.Zero.StoreUnsafe(ref dh0, u);
            }
        }
        for (; j < h; j++)
        {
            float a = Unsafe.Add(ref a0, j), dhj = Unsafe.Add(ref dh0, j);
            if (hasDy) dhj += Unsafe.Add(ref dy0, j);
            Unsafe.Add(ref dA0, j) = relu ? (a > 0f ? dhj : 0f) : dhj * (1f - a * a);
            Unsafe.Add(ref dh0, j) = 0f;
        }
    }
}
