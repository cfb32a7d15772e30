using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>The vectorized layer norm of one row against a double-precision reference, every tail length.</summary>
public class LayerNormRowTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(256)]
    public void Forward_and_backward_match_a_double_reference(int n)
    {
        float[] a = TestData.Uniform(n, 1, 3f), gamma = TestData.Uniform(n, 2), beta = TestData.Uniform(n, 3), dout = TestData.Uniform(n, 4);
        for (int j = 0; j < n; j++) a[j] += 5f; // an offset: the mean matters
        double mean = 0, var = 0;
        foreach (float v in a) mean += v;
        mean /= n;
        foreach (float v in a) var += (v - mean) * (v - mean);
        double rstdRef = 1 / Math.Sqrt((var / n) + LayerNormRow.Epsilon);
        var xhatRef = new double[n];
        for (int j = 0; j < n; j++) xhatRef[j] = (a[j] - mean) * rstdRef;

        float[] outp = (float[])a.Clone(), xhat = new float[n];
        float rstd = LayerNormRow.Forward(outp, gamma, beta, xhat);
        Assert.Equal(rstdRef, rstd, rstdRef * 1e-6);
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(xhatRef[j], xhat[j], 1e-5);
            Assert.Equal((gamma[j] * xhatRef[j]) + beta[j], outp[j], 1e-5);
        }

        // dIn = rstd·(d − mean(d) − x̂·mean(d⊙x̂)), d = dout⊙γ; dγ += dout⊙x̂, dβ += dout. In place (dIn = dout) too.
        double m1 = 0, m2 = 0;
        for (int j = 0; j < n; j++)
        {
            double d = (double)dout[j] * gamma[j];
            m1 += d;
            m2 += d * xhat[j];
        }
        m1 /= n;
        m2 /= n;
        float[] dGamma = TestData.Uniform(n, 5), dBeta = TestData.Uniform(n, 6), dIn = new float[n];
        float[] dGamma0 = (float[])dGamma.Clone(), dBeta0 = (float[])dBeta.Clone(), inPlace = (float[])dout.Clone();
        LayerNormRow.Backward(dout, xhat, rstd, gamma, dGamma, dBeta, dIn);
        LayerNormRow.Backward(inPlace, xhat, rstd, gamma, new float[n], new float[n], inPlace);
        for (int j = 0; j < n; j++)
        {
            double expected = rstd * (((double)dout[j] * gamma[j]) - m1 - (xhat[j] * m2));
            Assert.Equal(expected, dIn[j], 1e-5 * (1 + Math.Abs(expected)));
            Assert.Equal(dIn[j], inPlace[j]);
            Assert.Equal(dGamma0[j] + (dout[j] * xhat[j]), dGamma[j]);
            Assert.Equal(dBeta0[j] + dout[j], dBeta[j]);
        }
    }
}
