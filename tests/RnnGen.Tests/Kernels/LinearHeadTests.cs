using System;
using RnnGen.Kernels;
using RnnGen.Tests.Training;

namespace RnnGen.Tests.Kernels;

public class LinearHeadTests
{
    private const int Rows = 3, Features = 4, Outputs = 5;

    private static float[] Fill(int length, int seed)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = ((i * 37 + seed * 11) % 23 - 11) / 8f;
        return values;
    }

    [Fact]
    public void Forward_IsXTimesWeightTransposedPlusBias()
    {
        float[] x = Fill(Rows * Features, 1), w = Fill(Outputs * Features, 2), b = Fill(Outputs, 3);
        var y = new float[Rows * Outputs];
        LinearHead.Forward(Rows, Features, Outputs, x, w, b, y);
        for (int n = 0; n < Rows; n++)
            for (int o = 0; o < Outputs; o++)
            {
                double expected = b[o];
                for (int f = 0; f < Features; f++) expected += x[n * Features + f] * (double)w[o * Features + f];
                Assert.Equal(expected, y[n * Outputs + o], 1e-5);
            }

        var noBias = new float[y.Length];
        LinearHead.Forward(Rows, Features, Outputs, x, w, default, noBias);
        for (int i = 0; i < y.Length; i++) Assert.Equal(y[i] - b[i % Outputs], noBias[i], 1e-5f);
    }

    /// <summary>L = Σ r ⊙ y(x, W, b) with a fixed r = dy; compares the backward pass with central differences.</summary>
    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        float[] x = Fill(Rows * Features, 1), w = Fill(Outputs * Features, 2), b = Fill(Outputs, 3), dy = Fill(Rows * Outputs, 4);
        var dw = new float[w.Length];
        var db = new float[b.Length];
        var dx = new float[x.Length];
        Array.Fill(dw, 0.25f); // accumulates
        Array.Fill(db, -0.5f);
        Array.Fill(dx, 99f);   // overwritten
        LinearHead.Backward(Rows, Features, Outputs, x, w, dy, dw, db, dx);

        double Loss()
        {
            var y = new float[Rows * Outputs];
            LinearHead.Forward(Rows, Features, Outputs, x, w, b, y);
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += (double)y[i] * dy[i];
            return sum;
        }

        void Check(float[] values, float[] analytic, float offset, string name)
        {
            const float h = 0.0625f; // L is linear in every argument; a power of two keeps perturbations exact
            for (int i = 0; i < values.Length; i++)
            {
                float saved = values[i];
                values[i] = saved + h;
                double plus = Loss();
                values[i] = saved - h;
                double minus = Loss();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - (analytic[i] - offset)) < 1e-4, $"{name}[{i}]: analytic {analytic[i] - offset}, numeric {numeric}");
            }
        }

        Check(w, dw, 0.25f, "dWeight");
        Check(b, db, -0.5f, "dBias");
        Check(x, dx, 0f, "dx");
    }

    [Fact]
    public void Backward_EmptyDxAndDBias_AreSkipped()
    {
        float[] x = Fill(Rows * Features, 1), w = Fill(Outputs * Features, 2), dy = Fill(Rows * Outputs, 4);
        var dw = new float[w.Length];
        var full = new float[w.Length];
        LinearHead.Backward(Rows, Features, Outputs, x, w, dy, dw, default, default);
        LinearHead.Backward(Rows, Features, Outputs, x, w, dy, full, new float[Outputs], new float[x.Length]);
        Assert.Equal(full, dw);
    }

    [Fact]
    public void ZeroRows_DoNothing()
    {
        var dw = new float[Outputs * Features];
        LinearHead.Forward(0, Features, Outputs, default, new float[dw.Length], new float[Outputs], default);
        LinearHead.Backward(0, Features, Outputs, default, new float[dw.Length], default, dw, new float[Outputs], default);
        Assert.All(dw, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void InvalidLengths_NameArgumentExpectedAndActual()
    {
        float[] x = new float[Rows * Features], w = new float[Outputs * Features], b = new float[Outputs], y = new float[Rows * Outputs];
        var ex = Assert.Throws<ArgumentException>(() => LinearHead.Forward(Rows, Features, Outputs, new float[11], w, b, y));
        LossTests.AssertLengthMessage(ex, "x", "12", "11");
        ex = Assert.Throws<ArgumentException>(() => LinearHead.Forward(Rows, Features, Outputs, x, new float[21], b, y));
        LossTests.AssertLengthMessage(ex, "weight", "20", "21");
        ex = Assert.Throws<ArgumentException>(() => LinearHead.Forward(Rows, Features, Outputs, x, w, new float[4], y));
        LossTests.AssertLengthMessage(ex, "bias", "5", "4");
        ex = Assert.Throws<ArgumentException>(() => LinearHead.Forward(Rows, Features, Outputs, x, w, b, new float[14]));
        LossTests.AssertLengthMessage(ex, "y", "15", "14");
        ex = Assert.Throws<ArgumentException>(() => LinearHead.Backward(Rows, Features, Outputs, x, w, y, new float[19], b, default));
        LossTests.AssertLengthMessage(ex, "dWeight", "20", "19");
        ex = Assert.Throws<ArgumentException>(() => LinearHead.Backward(Rows, Features, Outputs, x, w, y, w, b, new float[13]));
        LossTests.AssertLengthMessage(ex, "dx", "12", "13");
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearHead.Forward(-1, Features, Outputs, x, w, b, y));
    }
}
