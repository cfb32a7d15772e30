using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The batch-1 forward (blocked matrix-vector steps, hidden units split across two cores) against the
/// batched path on the same sequence, and one core against two, for every cell, every GEMM width
/// (forced), sizes that are and are not multiples of the 16-row block, reversed and padded sequences.
/// </summary>
[Collection(nameof(KernelOptionsCollection))] // changes process-wide kernel options
public class SingleSequenceTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (string cell in new[] { "lstm", "gru", "rnn-tanh", "rnn-relu" })
        {
            foreach (GemmPath path in new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Vector128, GemmPath.Scalar })
            {
                yield return new object[] { cell, path.ToString(), 64, 9, false, false };  // 16-row blocks, split 32/32
                yield return new object[] { cell, path.ToString(), 48, 9, true, true };    // split 32/16, reversed, h0
                yield return new object[] { cell, path.ToString(), 40, 6, false, true };   // not a multiple of 16: row-dot fallback; padded tail
                yield return new object[] { cell, path.ToString(), 7, 4, true, false };    // tiny, one core
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_sequence_matches_the_batched_path_and_two_cores_equal_one(string cell, string pathName, int hidden, int length, bool reverse, bool initialState)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path)) return; // the widths this machine lacks are covered where it has them
        const int T = 9, I = 5;
        int savedThreads = KernelOptions.MaxThreads, savedMin = SingleSequenceLayer.MinSplitHidden;
        GemmPath? savedPath = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = path;
            SingleSequenceLayer.MinSplitHidden = 0; // split every size that can be split
            SingleSequenceLayer.AlwaysSplit = true;
            var one = Layer.Create(cell, T, I, hidden, seed: hidden + length);
            KernelOptions.MaxThreads = 1;
            var single = one.Run(length, reverse, initialState, batchOf: 1);
            KernelOptions.MaxThreads = 2;
            var split = one.Run(length, reverse, initialState, batchOf: 1);
            var splitAgain = one.Run(length, reverse, initialState, batchOf: 1);
            KernelOptions.MaxThreads = 1;
            var batched = one.Run(length, reverse, initialState, batchOf: 2); // row 0 of a batch of two: the GEMM path

            // Same code computes every element whichever core owns it: bitwise equal.
            Assert.Equal(single.Y, split.Y);
            Assert.Equal(single.HN, split.HN);
            Assert.Equal(single.CN, split.CN);
            Assert.Equal(split.Y, splitAgain.Y);
            // An independent implementation (batched GEMM on transposed W_hh): float rounding only.
            AssertClose(batched.Y, single.Y, "y");
            AssertClose(batched.HN, single.HN, "hN");
            AssertClose(batched.CN, single.CN, "cN");
            AssertClose(batched.Cache, single.Cache, "cache");
            for (int t = 0; t < T; t++)
            {
                bool valid = t < length;
                for (int j = 0; j < hidden; j++)
                {
                    if (!valid) Assert.Equal(0f, single.Y[(t * hidden) + j]);
                }
            }
        }
        finally
        {
            KernelOptions.MaxThreads = savedThreads;
            SingleSequenceLayer.MinSplitHidden = savedMin;
            SingleSequenceLayer.AlwaysSplit = false;
            Gemm.ForcedPath = savedPath;
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i])));
        }
        Assert.True(worst <= 2e-6, $"{what}: max relative difference {worst:g3} > 2e-6");
    }

    private sealed record Result(float[] Y, float[] HN, float[] CN, float[] Cache);

    /// <summary>One layer's weights and input; Run executes it on a batch whose row 0 is the sequence (row 1 a copy, full length).</summary>
    private sealed class Layer
    {
        private string _cell = "";
        private int _t, _i, _h, _g;
        private float[] _x = [], _wih = [], _whh = [], _bih = [], _bhh = [], _h0 = [], _c0 = [];

        public static Layer Create(string cell, int t, int i, int h, int seed)
        {
            int g = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1;
            return new Layer
            {
                _cell = cell, _t = t, _i = i, _h = h, _g = g,
                _x = TestData.Uniform(t * i, seed), _wih = TestData.Uniform(g * h * i, seed + 1, 0.3f),
                _whh = TestData.Uniform(g * h * h, seed + 2, 0.3f), _bih = TestData.Uniform(g * h, seed + 3, 0.2f),
                _bhh = TestData.Uniform(g * h, seed + 4, 0.2f), _h0 = TestData.Uniform(h, seed + 5), _c0 = TestData.Uniform(h, seed + 6),
            };
        }

        public Result Run(int length, bool reverse, bool initialState, int batchOf)
        {
            int b = batchOf, t = _t, h = _h;
            var dims = new LayerDims(b, t, _i, h);
            float[] x = Repeat(_x, b), h0 = initialState ? Repeat(_h0, b) : [], c0 = initialState ? Repeat(_c0, b) : [];
            int[] lengths = b == 1 ? [length] : [length, t];
            var weights = new RecurrentWeights(_wih, _whh, _bih, _bhh);
            var y = new float[b * t * h];
            var hN = new float[b * h];
            var cN = new float[b * h];
            float[] cache;
            switch (_cell)
            {
                case "lstm":
                    cache = new float[LstmLayer.CacheLength(b, t, h)];
                    LstmLayer.Forward(dims, reverse, lengths, x, weights, h0, c0, y, h, hN, cN, cache);
                    break;
                case "gru":
                    cache = new float[GruLayer.CacheLength(b, t, h)];
                    GruLayer.Forward(dims, reverse, lengths, x, weights, h0, y, h, hN, cache);
                    break;
                default:
                    cache = new float[RnnLayer.CacheLength(b, t, h)];
                    RnnLayer.Forward(dims, _cell == "rnn-relu", reverse, lengths, x, weights, h0, y, h, hN, cache);
                    break;
            }
            return new Result(y[..(t * h)], hN[..h], cN[..h], SequenceZeroRows(cache, b, length));
        }

        /// <summary>The cache rows of sequence 0 that Backward reads (time-major [B·T, width] blocks), valid steps only.</summary>
        private float[] SequenceZeroRows(float[] cache, int b, int length)
        {
            int t = _t, h = _h, g = _g, bt = b * t;
            // block widths in cache order: LSTM gates 4H, hPrev H, cPrev H, tanhC H; GRU gates 3H, hidN H, hPrev H; RNN act H, hPrev H
            int[] widths = _cell switch { "lstm" => [4 * h, h, h, h], "gru" => [3 * h, h, h], _ => [h, h] };
            var rows = new List<float>();
            int offset = 0;
            foreach (int w in widths)
            {
                for (int s = 0; s < t; s++)
                {
                    if (s < length) rows.AddRange(cache.AsSpan(offset + (s * w), w).ToArray());
                }
                offset += bt * w;
            }
            _ = g;
            return rows.ToArray();
        }

        private static float[] Repeat(float[] v, int times)
        {
            var r = new float[v.Length * times];
            for (int k = 0; k < times; k++) v.CopyTo(r, k * v.Length);
            return r;
        }
    }
}
