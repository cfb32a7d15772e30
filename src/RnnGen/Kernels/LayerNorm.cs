using System;

namespace RnnGen.Kernels;

/// <summary>
/// Layer normalisation of one row of n values, as used inside the variant cells:
/// <c>x̂ = (a − μ)·rstd</c>, <c>rstd = 1/√(σ² + ε)</c> (biased variance over the n values),
/// <c>out = γ⊙x̂ + β</c>. Means and variances accumulate in double; everything else is float.
/// </summary>
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
        gamma = gamma.Slice(0, n);
        beta = beta.Slice(0, n);
        xhat = xhat.Slice(0, n);
        double sum = 0;
        for (int j = 0; j < n; j++) sum += a[j];
        float mean = (float)(sum / n);
        double sq = 0;
        for (int j = 0; j < n; j++)
        {
            float c = a[j] - mean;
            sq += (double)c * c;
        }
        float rstd = (float)(1.0 / Math.Sqrt(sq / n + Epsilon));
        for (int j = 0; j < n; j++)
        {
            float xh = (a[j] - mean) * rstd;
            xhat[j] = xh;
            a[j] = gamma[j] * xh + beta[j];
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
        dout = dout.Slice(0, n);
        xhat = xhat.Slice(0, n);
        gamma = gamma.Slice(0, n);
        dGamma = dGamma.Slice(0, n);
        dBeta = dBeta.Slice(0, n);
        double s1 = 0, s2 = 0;
        for (int j = 0; j < n; j++)
        {
            float g = dout[j];
            float xh = xhat[j];
            dGamma[j] += g * xh;
            dBeta[j] += g;
            float d = g * gamma[j];
            dIn[j] = d;
            s1 += d;
            s2 += (double)d * xh;
        }
        float m1 = (float)(s1 / n), m2 = (float)(s2 / n);
        for (int j = 0; j < n; j++)
        {
            dIn[j] = rstd * (dIn[j] - m1 - xhat[j] * m2);
        }
    }
}
