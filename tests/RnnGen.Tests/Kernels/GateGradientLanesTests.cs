using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The BPTT gate kernels give every unit the same bits whichever lane computes it: a row of 40 units runs two
/// Vector512 steps, one Vector&lt;float&gt; step and no scalar tail on AVX-512 machines; each unit alone runs the scalar loop.
/// </summary>
public class GateGradientLanesTests
{
    private const int H = 40;

    [Fact]
    public void Lstm_lanes_equal_the_scalar_loop()
    {
        float[] gates = TestData.Uniform(4 * H, 1), tanhC = TestData.Uniform(H, 2), cPrev = TestData.Uniform(H, 3), dh = TestData.Uniform(H, 4);
        float[] dcRow = TestData.Uniform(H, 5), dGRow = new float[4 * H], dy = TestData.Uniform(H, 10);
        float[] dcOne = (float[])dcRow.Clone(), dhOne = (float[])dh.Clone();
        RecurrentGateGradients.Lstm(gates, tanhC, cPrev, dh, dy, dcRow, dGRow);
        Assert.All(dh, v => Assert.Equal(0f, v)); // left for the recurrent GEMM to accumulate onto
        for (int j = 0; j < H; j++)
        {
            float[] g1 = { gates[j], gates[H + j], gates[(2 * H) + j], gates[(3 * H) + j] };
            float[] dc1 = { dcOne[j] }, dG1 = new float[4], dh1 = { dhOne[j] + dy[j] };
            // One unit alone, with dy already added (as the layers did before the kernels took dy).
            RecurrentGateGradients.Lstm(g1, tanhC.AsSpan(j, 1), cPrev.AsSpan(j, 1), dh1, default, dc1, dG1);
            Assert.Equal(dc1[0], dcRow[j]);
            for (int q = 0; q < 4; q++) Assert.Equal(dG1[q], dGRow[(q * H) + j]);
        }
    }

    [Fact]
    public void Gru_lanes_equal_the_scalar_loop()
    {
        float[] gates = TestData.Uniform(3 * H, 6), hn = TestData.Uniform(H, 7), hPrev = TestData.Uniform(H, 8);
        float[] dhRow = TestData.Uniform(H, 9), dhOne = (float[])dhRow.Clone(), dy = TestData.Uniform(H, 11);
        float[] ihRow = new float[3 * H], hhRow = new float[3 * H];
        RecurrentGateGradients.Gru(gates, hn, hPrev, dhRow, dy, ihRow, hhRow);
        for (int j = 0; j < H; j++)
        {
            float[] g1 = { gates[j], gates[H + j], gates[(2 * H) + j] };
            float[] dh1 = { dhOne[j] + dy[j] }, ih1 = new float[3], hh1 = new float[3];
            RecurrentGateGradients.Gru(g1, hn.AsSpan(j, 1), hPrev.AsSpan(j, 1), dh1, default, ih1, hh1);
            Assert.Equal(dh1[0], dhRow[j]);
            for (int q = 0; q < 3; q++)
            {
                Assert.Equal(ih1[q], ihRow[(q * H) + j]);
                Assert.Equal(hh1[q], hhRow[(q * H) + j]);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rnn_lanes_equal_the_scalar_loop(bool relu)
    {
        float[] output = TestData.Uniform(H, 12), dh = TestData.Uniform(H, 13), dy = TestData.Uniform(H, 14);
        float[] dhOne = (float[])dh.Clone(), dA = new float[H];
        if (relu) RecurrentGateGradients.Relu(output, dh, dy, dA);
        else RecurrentGateGradients.Tanh(output, dh, dy, dA);
        Assert.All(dh, v => Assert.Equal(0f, v));
        for (int j = 0; j < H; j++)
        {
            float[] dh1 = { dhOne[j] }, dA1 = new float[1];
            if (relu) RecurrentGateGradients.Relu(output.AsSpan(j, 1), dh1, dy.AsSpan(j, 1), dA1);
            else RecurrentGateGradients.Tanh(output.AsSpan(j, 1), dh1, dy.AsSpan(j, 1), dA1);
            Assert.Equal(dA1[0], dA[j]);
            float expected = relu ? (output[j] > 0f ? dhOne[j] + dy[j] : 0f) : (dhOne[j] + dy[j]) * (1f - (output[j] * output[j]));
            Assert.Equal(expected, dA[j]);
        }
    }
}
