using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

public class EmbeddingTests
{
    private const int V = 6, E = 5;

    [Fact]
    public void Forward_GathersRows_PaddingRowUsedAsIs()
    {
        float[] weight = TestData.Uniform(V * E, 1);
        int[] ids = { 3, 0, 5, 3 };
        var output = new float[ids.Length * E];
        Embedding.Forward(ids, weight, V, E, output);
        for (int n = 0; n < ids.Length; n++)
            for (int e = 0; e < E; e++)
                Assert.Equal(weight[ids[n] * E + e], output[n * E + e]);
    }

    [Fact]
    public void Backward_ScatterAdds_RepeatedIdsAccumulate_PaddingRowGetsNoGradient()
    {
        int[] ids = { 3, 0, 5, 3, 0 };
        float[] dOut = TestData.Uniform(ids.Length * E, 2);
        var dWeight = new float[V * E];
        Array.Fill(dWeight, 0.5f); // accumulates
        Embedding.Backward(ids, dOut, V, E, dWeight, paddingId: 0);
        for (int v = 0; v < V; v++)
            for (int e = 0; e < E; e++)
            {
                double expected = 0.5;
                if (v != 0)
                    for (int n = 0; n < ids.Length; n++)
                        if (ids[n] == v) expected += dOut[n * E + e];
                Assert.Equal(expected, dWeight[v * E + e], 6);
            }
        Assert.All(dWeight.AsSpan(0, E).ToArray(), g => Assert.Equal(0.5f, g)); // padding row untouched

        var noPadding = new float[V * E];
        Embedding.Backward(ids, dOut, V, E, noPadding);
        Assert.Equal(dOut[1 * E] + dOut[4 * E], noPadding[0], 6);
    }

    [Fact]
    public void Padded_ZeroesPastLength_IgnoresIdsThere_AndGivesThemNoGradient()
    {
        const int B = 2, T = 3;
        float[] weight = TestData.Uniform(V * E, 3);
        int[] ids = { 1, 2, -7, 4, 4, 4 }; // position (0, 2) is padding with a garbage id
        int[] lengths = { 2, 3 };
        var output = new float[B * T * E];
        Array.Fill(output, 9f);
        Embedding.ForwardPadded(ids, lengths, B, T, weight, V, E, output);
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++)
                for (int e = 0; e < E; e++)
                {
                    float expected = t < lengths[b] ? weight[ids[b * T + t] * E + e] : 0f;
                    Assert.Equal(expected, output[(b * T + t) * E + e]);
                }

        float[] dOut = TestData.Uniform(B * T * E, 4);
        var dWeight = new float[V * E];
        Embedding.BackwardPadded(ids, lengths, B, T, dOut, V, E, dWeight, paddingId: 2);
        for (int e = 0; e < E; e++)
        {
            Assert.Equal(dOut[0 * E + e], dWeight[1 * E + e], 6);
            Assert.Equal(0f, dWeight[2 * E + e]); // padding id
            Assert.Equal(dOut[3 * E + e] + dOut[4 * E + e] + dOut[5 * E + e], dWeight[4 * E + e], 5);
        }
    }

    [Fact]
    public void OutOfRangeId_NamesPositionIdAndRange()
    {
        float[] weight = new float[V * E];
        var output = new float[3 * E];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Forward(new[] { 1, 2, V }, weight, V, E, output));
        Assert.Equal("ids", ex.ParamName);
        Assert.Contains("ids[2]", ex.Message);
        Assert.Contains($"is {V}", ex.Message);
        Assert.Contains($"[0, {V})", ex.Message);

        ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Backward(new[] { -1, 0, 0 }, output, V, E, weight));
        Assert.Contains("ids[0] is -1", ex.Message);

        var padded = new float[2 * 2 * E];
        ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Embedding.ForwardPadded(new[] { 0, 1, 2, 99 }, new[] { 2, 2 }, 2, 2, weight, V, E, padded));
        Assert.Contains("ids[1, 1] (position 3) is 99", ex.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Backward(new[] { 0 }, new float[E], V, E, weight, paddingId: V));
        var shape = Assert.Throws<ArgumentException>(() => Embedding.Forward(new[] { 0 }, weight, V, E, new float[E + 1]));
        Assert.Equal("output", shape.ParamName);
    }

    [Fact]
    public void Kernels_DoNotAllocate()
    {
        float[] weight = TestData.Uniform(V * E, 5);
        int[] ids = { 1, 2, 3, 4 };
        int[] lengths = { 1, 2 };
        var output = new float[ids.Length * E];
        var dWeight = new float[V * E];
        void Run()
        {
            Embedding.Forward(ids, weight, V, E, output);
            Embedding.Backward(ids, output, V, E, dWeight, 1);
            Embedding.ForwardPadded(ids, lengths, 2, 2, weight, V, E, output);
            Embedding.BackwardPadded(ids, lengths, 2, 2, output, V, E, dWeight, 1);
        }
        Assert.Equal(0, SteadyState.AllocatedBytes(Run, callsPerWindow: 1, warmUpCalls: 1));
    }
}
