using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>Masking semantics, packed-sequence equivalence, buffer contracts, allocations and validation.</summary>
public class RecurrentLayerTests
{
    private static readonly LayerDims Dims = new(Batch: 3, Steps: 5, InputSize: 3, HiddenSize: 4);
    private static readonly int[] Lengths = { 5, 2, 4 };

    public static IEnumerable<object[]> Cases()
    {
        foreach (CellKind cell in Enum.GetValues<CellKind>())
        {
            yield return new object[] { cell, false };
            yield return new object[] { cell, true };
        }
    }

    public static IEnumerable<object[]> Cells()
    {
        foreach (CellKind cell in Enum.GetValues<CellKind>()) yield return new object[] { cell };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputsPastLengthAreZero_AndHNIsTheLastValidOutput(CellKind cell, bool reverse)
    {
        var layer = new LayerHarness(cell, Dims, reverse, Lengths, seed: 7);
        const float Sentinel = 12345f;
        Array.Fill(layer.Y, Sentinel);
        layer.Forward();

        int h = Dims.HiddenSize;
        for (int b = 0; b < Dims.Batch; b++)
        {
            for (int t = 0; t < Dims.Steps; t++)
            {
                for (int j = 0; j < h; j++)
                {
                    float v = layer.YAt(b, t, j);
                    if (t >= Lengths[b]) Assert.Equal(0f, v);
                    else Assert.NotEqual(Sentinel, v);
                    // The other direction's column block is never touched.
                    int other = (b * Dims.Steps + t) * layer.Ldy + (reverse ? 0 : h) + j;
                    Assert.Equal(Sentinel, layer.Y[other]);
                }
            }
            // Forward ends at t = len − 1, reverse at t = 0.
            int tLast = reverse ? 0 : Lengths[b] - 1;
            for (int j = 0; j < h; j++) Assert.Equal(layer.YAt(b, tLast, j), layer.HN[b * h + j]);
        }
    }

    /// <summary>
    /// Each sequence of the padded batch, run alone unpadded (B = 1, T = its length), gives the same
    /// outputs, final state, dx and dh0, and the batch's parameter gradients are the sum of the singles'.
    /// For reverse this is exactly pack_padded_sequence's semantics: each sequence starts at its own end.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void PaddedBatchEqualsEachSequenceRunAlone(CellKind cell, bool reverse)
    {
        // H = 19 also exercises the vector bodies of the row kernels.
        CheckPaddedAgainstSingles(cell, reverse, Dims);
        CheckPaddedAgainstSingles(cell, reverse, Dims with { HiddenSize = 19 });
    }

    private static void CheckPaddedAgainstSingles(CellKind cell, bool reverse, LayerDims dims)
    {
        var batch = new LayerHarness(cell, dims, reverse, Lengths, seed: 11);
        var rng = new Random(5);
        float[] dy = LayerHarness.Fill(rng, batch.Y.Length, 1f);
        float[] dhN = LayerHarness.Fill(rng, batch.HN.Length, 1f);
        float[] dcN = batch.IsLstm ? LayerHarness.Fill(rng, batch.CN.Length, 1f) : Array.Empty<float>();
        batch.Forward();
        batch.Backward(dy, dhN, dcN);

        int h = dims.HiddenSize, inSize = dims.InputSize, steps = dims.Steps;
        var sumWih = new float[batch.Wih.Length];
        var sumWhh = new float[batch.Whh.Length];
        var sumBih = new float[batch.Bih.Length];
        var sumBhh = new float[batch.Bhh.Length];
        for (int b = 0; b < dims.Batch; b++)
        {
            int len = Lengths[b];
            var single = new LayerHarness(cell, new LayerDims(1, len, inSize, h), reverse, new[] { len }, seed: 0);
            batch.Wih.CopyTo(single.Wih, 0);
            batch.Whh.CopyTo(single.Whh, 0);
            batch.Bih.CopyTo(single.Bih, 0);
            batch.Bhh.CopyTo(single.Bhh, 0);
            Array.Copy(batch.X, b * steps * inSize, single.X, 0, len * inSize);
            Array.Copy(batch.H0, b * h, single.H0, 0, h);
            if (batch.IsLstm) Array.Copy(batch.C0, b * h, single.C0, 0, h);
            var singleDy = new float[single.Y.Length];
            for (int t = 0; t < len; t++)
            {
                Array.Copy(dy, (b * steps + t) * batch.Ldy, singleDy, t * single.Ldy, single.Ldy);
            }
            single.Forward();
            single.Backward(singleDy, dhN.AsSpan(b * h, h).ToArray(),
                batch.IsLstm ? dcN.AsSpan(b * h, h).ToArray() : Array.Empty<float>());

            for (int t = 0; t < len; t++)
            {
                for (int j = 0; j < h; j++) AssertClose(single.YAt(0, t, j), batch.YAt(b, t, j));
                for (int k = 0; k < inSize; k++) AssertClose(single.DX[t * inSize + k], batch.DX[(b * steps + t) * inSize + k]);
            }
            for (int j = 0; j < h; j++)
            {
                AssertClose(single.HN[j], batch.HN[b * h + j]);
                AssertClose(single.DH0[j], batch.DH0[b * h + j]);
                if (batch.IsLstm)
                {
                    AssertClose(single.CN[j], batch.CN[b * h + j]);
                    AssertClose(single.DC0[j], batch.DC0[b * h + j]);
                }
            }
            Add(sumWih, single.DWih);
            Add(sumWhh, single.DWhh);
            Add(sumBih, single.DBih);
            Add(sumBhh, single.DBhh);
        }
        for (int k = 0; k < sumWih.Length; k++) AssertClose(sumWih[k], batch.DWih[k]);
        for (int k = 0; k < sumWhh.Length; k++) AssertClose(sumWhh[k], batch.DWhh[k]);
        for (int k = 0; k < sumBih.Length; k++) AssertClose(sumBih[k], batch.DBih[k]);
        for (int k = 0; k < sumBhh.Length; k++) AssertClose(sumBhh[k], batch.DBhh[k]);
    }

    /// <summary>Empty h0/c0 means zeros; empty dy/dhN/dcN means zero gradients.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void EmptySpansMeanZeros(CellKind cell, bool reverse)
    {
        var empty = new LayerHarness(cell, Dims, reverse, Lengths, seed: 3, withH0: false);
        var zeros = new LayerHarness(cell, Dims, reverse, Lengths, seed: 3, withH0: true);
        foreach (var (dst, src) in new[] { (zeros.Wih, empty.Wih), (zeros.Whh, empty.Whh), (zeros.Bih, empty.Bih), (zeros.Bhh, empty.Bhh), (zeros.X, empty.X) })
        {
            src.CopyTo(dst, 0);
        }
        Array.Clear(zeros.H0);
        Array.Clear(zeros.C0);

        empty.Forward();
        zeros.Forward();
        Assert.Equal(zeros.Y, empty.Y);
        Assert.Equal(zeros.HN, empty.HN);
        Assert.Equal(zeros.CN, empty.CN);

        // Only dhN given (dy empty) vs. explicit zero dy.
        var rng = new Random(8);
        float[] dhN = LayerHarness.Fill(rng, zeros.HN.Length, 1f);
        float[] dcNEmpty = Array.Empty<float>();
        float[] dcNZero = zeros.IsLstm ? new float[zeros.CN.Length] : Array.Empty<float>();
        empty.Backward(Array.Empty<float>(), dhN, dcNEmpty);
        zeros.Backward(new float[zeros.Y.Length], dhN, dcNZero);
        AssertAllClose(zeros.DWih, empty.DWih);
        AssertAllClose(zeros.DWhh, empty.DWhh);
        AssertAllClose(zeros.DBih, empty.DBih);
        AssertAllClose(zeros.DBhh, empty.DBhh);
        AssertAllClose(zeros.DX, empty.DX);
        AssertAllClose(zeros.DH0, empty.DH0);
    }

    /// <summary>Empty dx / dh0 / dc0 are skipped; the parameter gradients do not depend on them.</summary>
    [Theory]
    [MemberData(nameof(Cells))]
    public void SkippedOutputsLeaveParameterGradientsUnchanged(CellKind cell)
    {
        var full = new LayerHarness(cell, Dims, reverse: true, Lengths, seed: 21);
        var lean = new LayerHarness(cell, Dims, reverse: true, Lengths, seed: 21);
        var rng = new Random(2);
        float[] dy = LayerHarness.Fill(rng, full.Y.Length, 1f);
        full.Forward();
        lean.Forward();
        full.Backward(dy, Array.Empty<float>(), Array.Empty<float>());
        Array.Fill(lean.DX, 42f);
        Array.Fill(lean.DH0, 42f);
        lean.Backward(dy, Array.Empty<float>(), Array.Empty<float>(), wantDx: false, wantDh0: false);
        Assert.Equal(full.DWih, lean.DWih);
        Assert.Equal(full.DWhh, lean.DWhh);
        Assert.Equal(full.DBih, lean.DBih);
        Assert.Equal(full.DBhh, lean.DBhh);
        Assert.All(lean.DX, v => Assert.Equal(42f, v));
        Assert.All(lean.DH0, v => Assert.Equal(42f, v));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void ForwardAndBackwardDoNotAllocateAfterWarmUp(CellKind cell)
    {
        var layer = new LayerHarness(cell, Dims, reverse: true, Lengths, seed: 4);
        var rng = new Random(1);
        float[] dy = LayerHarness.Fill(rng, layer.Y.Length, 1f);
        float[] dhN = LayerHarness.Fill(rng, layer.HN.Length, 1f);
        float[] dcN = layer.IsLstm ? LayerHarness.Fill(rng, layer.CN.Length, 1f) : Array.Empty<float>();
        for (int k = 0; k < 3; k++)
        {
            layer.Forward();
            layer.Backward(dy, dhN, dcN);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            layer.Forward();
            layer.Backward(dy, dhN, dcN);
            layer.Backward(Array.Empty<float>(), Array.Empty<float>(), Array.Empty<float>(), wantDx: false, wantDh0: false);
        }, callsPerWindow: 10, warmUpCalls: 0));
    }

    /// <summary>Streaming use: hN may be the h0 buffer (and cN the c0 buffer, dh0 the dhN buffer).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void FinalStateMayAliasInitialState(CellKind cell, bool reverse)
    {
        var reference = new LayerHarness(cell, Dims, reverse, Lengths, seed: 31);
        var aliased = new LayerHarness(cell, Dims, reverse, Lengths, seed: 31);
        reference.Forward();
        var rng = new Random(6);
        float[] dhN = LayerHarness.Fill(rng, reference.HN.Length, 1f);
        reference.Backward(Array.Empty<float>(), dhN, Array.Empty<float>());

        var w = new RecurrentWeights(aliased.Wih, aliased.Whh, aliased.Bih, aliased.Bhh);
        var g = new RecurrentGradients(aliased.DWih, aliased.DWhh, aliased.DBih, aliased.DBhh);
        float[] state = aliased.H0;
        float[] dState = (float[])dhN.Clone();
        Span<float> y = aliased.Y.AsSpan(aliased.YOffset);
        switch (cell)
        {
            case CellKind.Lstm:
                LstmLayer.Forward(Dims, reverse, Lengths, aliased.X, w, state, aliased.C0, y, aliased.Ldy, state, aliased.C0, aliased.Cache);
                LstmLayer.Backward(Dims, reverse, Lengths, aliased.X, w, state, aliased.C0, aliased.Cache,
                    ReadOnlySpan<float>.Empty, aliased.Ldy, dState, ReadOnlySpan<float>.Empty, g, aliased.DX, dState, aliased.DC0, aliased.Scratch);
                Assert.Equal(reference.CN, aliased.C0);
                break;
            case CellKind.Gru:
                GruLayer.Forward(Dims, reverse, Lengths, aliased.X, w, state, y, aliased.Ldy, state, aliased.Cache);
                GruLayer.Backward(Dims, reverse, Lengths, aliased.X, w, state, aliased.Cache,
                    ReadOnlySpan<float>.Empty, aliased.Ldy, dState, g, aliased.DX, dState, aliased.Scratch);
                break;
            default:
                bool relu = cell == CellKind.RnnRelu;
                RnnLayer.Forward(Dims, relu, reverse, Lengths, aliased.X, w, state, y, aliased.Ldy, state, aliased.Cache);
                RnnLayer.Backward(Dims, relu, reverse, Lengths, aliased.X, w, state, aliased.Cache,
                    ReadOnlySpan<float>.Empty, aliased.Ldy, dState, g, aliased.DX, dState, aliased.Scratch);
                break;
        }
        Assert.Equal(reference.Y, aliased.Y);
        Assert.Equal(reference.HN, state);
        Assert.Equal(reference.DH0, dState);
        Assert.Equal(reference.DWhh, aliased.DWhh);
    }

    [Fact]
    public void BuffersAreSizedFromDims()
    {
        Assert.True(LstmLayer.CacheLength(3, 5, 4) >= 7 * 3 * 5 * 4);
        Assert.True(GruLayer.ScratchLength(3, 5, 4) >= 6 * 3 * 5 * 4);
        Assert.True(RnnLayer.CacheLength(1, 1, 1) > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => RnnLayer.CacheLength(0, 5, 4));
        Assert.Throws<OverflowException>(() => LstmLayer.CacheLength(1 << 12, 1 << 12, 1 << 10));
    }

    [Fact]
    public void ShortInputIsRejectedWithParameterAndSizes()
    {
        var layer = new LayerHarness(CellKind.Lstm, Dims, reverse: false, Lengths, seed: 1);
        var ex = Assert.Throws<ArgumentException>(() => LstmLayer.Forward(Dims, false, Lengths,
            layer.X.AsSpan(1), new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh),
            layer.H0, layer.C0, layer.Y, layer.Ldy, layer.HN, layer.CN, layer.Cache));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("45", ex.Message);
        Assert.Contains("44", ex.Message);
    }

    [Fact]
    public void LeadingDimensionSmallerThanHiddenIsRejected()
    {
        var layer = new LayerHarness(CellKind.Gru, Dims, reverse: false, Lengths, seed: 1);
        var ex = Assert.Throws<ArgumentException>(() => GruLayer.Forward(Dims, false, Lengths, layer.X,
            new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh), layer.H0,
            layer.Y, Dims.HiddenSize - 1, layer.HN, layer.Cache));
        Assert.Equal("ldy", ex.ParamName);
        Assert.Contains("H = 4", ex.Message);
    }

    [Fact]
    public void ShortCacheAndScratchAreRejected()
    {
        var layer = new LayerHarness(CellKind.RnnTanh, Dims, reverse: false, Lengths, seed: 1);
        var ex = Assert.Throws<ArgumentException>(() => RnnLayer.Forward(Dims, false, false, Lengths, layer.X,
            new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh),
            layer.H0, layer.Y, layer.Ldy, layer.HN, layer.Cache.AsSpan(0, layer.Cache.Length - 1)));
        Assert.Equal("cache", ex.ParamName);
        Assert.Contains(layer.Cache.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);

        layer.Forward();
        ex = Assert.Throws<ArgumentException>(() => RnnLayer.Backward(Dims, false, false, Lengths, layer.X,
            new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh), layer.H0, layer.Cache,
            ReadOnlySpan<float>.Empty, layer.Ldy, ReadOnlySpan<float>.Empty,
            new RecurrentGradients(layer.DWih, layer.DWhh, layer.DBih, layer.DBhh), layer.DX, layer.DH0,
            layer.Scratch.AsSpan(1)));
        Assert.Equal("scratch", ex.ParamName);
    }

    [Fact]
    public void LengthsOutOfRangeAreRejected()
    {
        var layer = new LayerHarness(CellKind.RnnRelu, Dims, reverse: false, Lengths, seed: 1);
        foreach (int[] bad in new[] { new[] { 5, 0, 4 }, new[] { 6, 2, 4 }, new[] { 5, 2 } })
        {
            var ex = Assert.Throws<ArgumentException>(() => RnnLayer.Forward(Dims, true, false, bad, layer.X,
                new RecurrentWeights(layer.Wih, layer.Whh, layer.Bih, layer.Bhh), layer.H0, layer.Y, layer.Ldy, layer.HN, layer.Cache));
            Assert.Equal("lengths", ex.ParamName);
        }
    }

    private static void Add(float[] sum, float[] v)
    {
        for (int k = 0; k < sum.Length; k++) sum[k] += v[k];
    }

    private static void AssertAllClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++) AssertClose(expected[k], actual[k]);
    }

    // Same arithmetic up to GEMM blocking / summation order: a few float32 ulps.
    private static void AssertClose(float expected, float actual)
    {
        double tol = 1e-5 * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tol, $"expected {expected:G9}, actual {actual:G9}");
    }
}
