using System;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace RnnGen.Kernels;

/// <summary>
/// Per-row elementwise BPTT kernels (one sequence, one time step, H units): gate pre-activation
/// gradients from the cached activations.
/// </summary>
/// <remarks>
/// Each derivative needs 4–6 operands per element, so a chain of TensorPrimitives calls would
/// stage everything through temporaries; instead one fused pass per row, <see cref="Vector{T}"/>
/// for the body and a scalar tail. Vector and scalar lanes evaluate the same expressions in the
/// same order (no FMA contraction in .NET), so results do not depend on H's alignment.
/// </remarks>
internal static class RecurrentGateGradients
{
    /// <summary>
    /// LSTM. In: gates i,f,g,o [4H] (activated), tanh(c') [H], c_prev [H], dh [H] (incl. dy).
    /// Out: dG [4H]; dc [H] updated in place from dc(t) to dc(t−1) = dc_t⊙f.
    /// </summary>
    public static void Lstm(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dG)
    {
        int h = dh.Length;
        ReadOnlySpan<float> gi = gates.Slice(0, h), gf = gates.Slice(h, h), gg = gates.Slice(2 * h, h), go = gates.Slice(3 * h, h);
        Span<float> di = dG.Slice(0, h), df = dG.Slice(h, h), dgg = dG.Slice(2 * h, h), dO = dG.Slice(3 * h, h);
        tanhC = tanhC.Slice(0, h);
        cPrev = cPrev.Slice(0, h);
        dc = dc.Slice(0, h);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // the same expressions 16 lanes at a time (Vector<float> is 8 wide on x64 by default)
            Vector512<float> one = Vector512<float>.One;
            for (; j <= h - 16; j += 16)
            {
                var i = Vector512.Create(gi.Slice(j, 16));
                var f = Vector512.Create(gf.Slice(j, 16));
                var g = Vector512.Create(gg.Slice(j, 16));
                var o = Vector512.Create(go.Slice(j, 16));
                var tc = Vector512.Create(tanhC.Slice(j, 16));
                var dhv = Vector512.Create(dh.Slice(j, 16));
                var dct = Vector512.Create(dc.Slice(j, 16)) + dhv * o * (one - tc * tc);
                (dct * g * i * (one - i)).CopyTo(di.Slice(j));
                (dct * Vector512.Create(cPrev.Slice(j, 16)) * f * (one - f)).CopyTo(df.Slice(j));
                (dct * i * (one - g * g)).CopyTo(dgg.Slice(j));
                (dhv * tc * o * (one - o)).CopyTo(dO.Slice(j));
                (dct * f).CopyTo(dc.Slice(j));
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> one = Vector<float>.One;
            for (; j <= h - w; j += w)
            {
                var i = new Vector<float>(gi.Slice(j));
                var f = new Vector<float>(gf.Slice(j));
                var g = new Vector<float>(gg.Slice(j));
                var o = new Vector<float>(go.Slice(j));
                var tc = new Vector<float>(tanhC.Slice(j));
                var dhv = new Vector<float>(dh.Slice(j));
                var dct = new Vector<float>(dc.Slice(j)) + dhv * o * (one - tc * tc);
                (dct * g * i * (one - i)).CopyTo(di.Slice(j));
                (dct * new Vector<float>(cPrev.Slice(j)) * f * (one - f)).CopyTo(df.Slice(j));
                (dct * i * (one - g * g)).CopyTo(dgg.Slice(j));
                (dhv * tc * o * (one - o)).CopyTo(dO.Slice(j));
                (dct * f).CopyTo(dc.Slice(j));
            }
        }
        for (; j < h; j++)
        {
            float i = gi[j], f = gf[j], g = gg[j], o = go[j], tc = tanhC[j], dhj = dh[j];
            float dct = dc[j] + dhj * o * (1f - tc * tc);
            di[j] = dct * g * i * (1f - i);
            df[j] = dct * cPrev[j] * f * (1f - f);
            dgg[j] = dct * i * (1f - g * g);
            dO[j] = dhj * tc * o * (1f - o);
            dc[j] = dct * f;
        }
    }

    /// <summary>
    /// GRU. In: gates r,z,n [3H] (activated), hn = W_hn h + b_hn [H], h_prev [H]; dh [H] (incl. dy)
    /// is replaced by its direct term dh⊙z. Out: dGih = [da_r, da_z, da_n], dGhh = [da_r, da_z, r⊙da_n].
    /// </summary>
    public static void Gru(ReadOnlySpan<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev,
        Span<float> dh, Span<float> dGih, Span<float> dGhh)
    {
        int h = dh.Length;
        ReadOnlySpan<float> gr = gates.Slice(0, h), gz = gates.Slice(h, h), gn = gates.Slice(2 * h, h);
        Span<float> ir = dGih.Slice(0, h), iz = dGih.Slice(h, h), inn = dGih.Slice(2 * h, h);
        Span<float> hr = dGhh.Slice(0, h), hz = dGhh.Slice(h, h), hnn = dGhh.Slice(2 * h, h);
        hn = hn.Slice(0, h);
        hPrev = hPrev.Slice(0, h);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> one = Vector512<float>.One;
            for (; j <= h - 16; j += 16)
            {
                var r = Vector512.Create(gr.Slice(j, 16));
                var z = Vector512.Create(gz.Slice(j, 16));
                var n = Vector512.Create(gn.Slice(j, 16));
                var dhv = Vector512.Create(dh.Slice(j, 16));
                var dan = dhv * (one - z) * (one - n * n);
                var dar = dan * Vector512.Create(hn.Slice(j, 16)) * r * (one - r);
                var daz = dhv * (Vector512.Create(hPrev.Slice(j, 16)) - n) * z * (one - z);
                dar.CopyTo(ir.Slice(j));
                daz.CopyTo(iz.Slice(j));
                dan.CopyTo(inn.Slice(j));
                dar.CopyTo(hr.Slice(j));
                daz.CopyTo(hz.Slice(j));
                (dan * r).CopyTo(hnn.Slice(j));
                (dhv * z).CopyTo(dh.Slice(j));
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> one = Vector<float>.One;
            for (; j <= h - w; j += w)
            {
                var r = new Vector<float>(gr.Slice(j));
                var z = new Vector<float>(gz.Slice(j));
                var n = new Vector<float>(gn.Slice(j));
                var dhv = new Vector<float>(dh.Slice(j));
                var dan = dhv * (one - z) * (one - n * n);
                var dar = dan * new Vector<float>(hn.Slice(j)) * r * (one - r);
                var daz = dhv * (new Vector<float>(hPrev.Slice(j)) - n) * z * (one - z);
                dar.CopyTo(ir.Slice(j));
                daz.CopyTo(iz.Slice(j));
                dan.CopyTo(inn.Slice(j));
                dar.CopyTo(hr.Slice(j));
                daz.CopyTo(hz.Slice(j));
                (dan * r).CopyTo(hnn.Slice(j));
                (dhv * z).CopyTo(dh.Slice(j));
            }
        }
        for (; j < h; j++)
        {
            float r = gr[j], z = gz[j], n = gn[j], dhj = dh[j];
            float dan = dhj * (1f - z) * (1f - n * n);
            float dar = dan * hn[j] * r * (1f - r);
            float daz = dhj * (hPrev[j] - n) * z * (1f - z);
            ir[j] = dar; iz[j] = daz; inn[j] = dan;
            hr[j] = dar; hz[j] = daz; hnn[j] = dan * r;
            dh[j] = dhj * z;
        }
    }

    /// <summary>RNN tanh: dA = dh⊙(1 − h'²) from the activated output h'.</summary>
    public static void Tanh(ReadOnlySpan<float> output, ReadOnlySpan<float> dh, Span<float> dA)
    {
        int h = dh.Length;
        output = output.Slice(0, h);
        dA = dA.Slice(0, h);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= h - w; j += w)
            {
                var a = new Vector<float>(output.Slice(j));
                (new Vector<float>(dh.Slice(j)) * (Vector<float>.One - a * a)).CopyTo(dA.Slice(j));
            }
        }
        for (; j < h; j++) dA[j] = dh[j] * (1f - output[j] * output[j]);
    }

    /// <summary>RNN relu: dA = dh where h' &gt; 0, else 0 (PyTorch's threshold backward on the output).</summary>
    public static void Relu(ReadOnlySpan<float> output, ReadOnlySpan<float> dh, Span<float> dA)
    {
        int h = dh.Length;
        output = output.Slice(0, h);
        dA = dA.Slice(0, h);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; j <= h - w; j += w)
            {
                var positive = Vector.GreaterThan(new Vector<float>(output.Slice(j)), Vector<float>.Zero);
                Vector.ConditionalSelect(positive, new Vector<float>(dh.Slice(j)), Vector<float>.Zero).CopyTo(dA.Slice(j));
            }
        }
        for (; j < h; j++) dA[j] = output[j] > 0f ? dh[j] : 0f;
    }
}
