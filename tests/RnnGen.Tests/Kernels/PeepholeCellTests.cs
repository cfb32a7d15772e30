using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The fused peephole cell: every unit — whether a Vector512 lane, a Vector&lt;float&gt; lane or the scalar tail
/// computed it (H = 1 … 41 covers all three) — equals, bit for bit, the scalar expression with the scalar float
/// activations, and is within 1e-6 of the cell computed in double.
/// </summary>
public class PeepholeCellTests
{
    [Fact]
    public void Every_unit_equals_the_scalar_expression_and_the_double_cell()
    {
        for (int h = 1; h <= 41; h++)
        {
            float[] gates = TestData.Uniform(4 * h, h, 3f), cPrev = TestData.Uniform(h, h + 100, 2f), peep = TestData.Uniform(3 * h, h + 200);
            float[] pre = (float[])gates.Clone();
            float[] cNew = new float[h], tanhC = new float[h], hOut = new float[h];
            FastCells.LstmPeephole(gates, cPrev, peep, cNew, tanhC, hOut, h);
            for (int j = 0; j < h; j++)
            {
                float c = cPrev[j];
                float i = ActivationMath.Sigmoid(pre[j] + (peep[j] * c));
                float f = ActivationMath.Sigmoid(pre[h + j] + (peep[h + j] * c));
                float g = ActivationMath.Tanh(pre[(2 * h) + j]);
                float cn = (f * c) + (i * g);
                float o = ActivationMath.Sigmoid(pre[(3 * h) + j] + (peep[(2 * h) + j] * cn));
                float t = ActivationMath.Tanh(cn);
                Assert.Equal(i, gates[j]);
                Assert.Equal(f, gates[h + j]);
                Assert.Equal(g, gates[(2 * h) + j]);
                Assert.Equal(o, gates[(3 * h) + j]);
                Assert.Equal(cn, cNew[j]);
                Assert.Equal(t, tanhC[j]);
                Assert.Equal(o * t, hOut[j]);

                double di = 1 / (1 + Math.Exp(-(pre[j] + ((double)peep[j] * c))));
                double df = 1 / (1 + Math.Exp(-(pre[h + j] + ((double)peep[h + j] * c))));
                double dc = (df * c) + (di * Math.Tanh(pre[(2 * h) + j]));
                double dOut = (1 / (1 + Math.Exp(-(pre[(3 * h) + j] + (peep[(2 * h) + j] * dc))))) * Math.Tanh(dc);
                Assert.True(Math.Abs(dc - cNew[j]) <= 1e-6 * Math.Max(1, Math.Abs(dc)), $"H={h} c'[{j}]: {cNew[j]} vs {dc}");
                Assert.True(Math.Abs(dOut - hOut[j]) <= 1e-6, $"H={h} h'[{j}]: {hOut[j]} vs {dOut}");
            }
        }
    }
}
