using System;
using System.Collections.Generic;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The batched step with the cell update fused into the GEMM per block of hidden units
/// (<c>Gemm.MultiplyGateBlocks</c>) against the two-pass step (whole GEMM, then the cell pass), for every
/// cell and GEMM width (forced): outputs, final states and the whole cache bit for bit, on hidden sizes that
/// are and are not multiples of the panel width and of the 2-panel unit block, one above KC (two K blocks),
/// batches that leave partial row panels, padded and reversed sequences, with and without an initial state,
/// on one core and split across two.
/// </summary>
[Collection(nameof(KernelOptionsCollection))] // changes process-wide kernel options
public class FusedStepTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (string cell in new[] { "lstm", "gru", "rnn-tanh", "rnn-relu" })
        {
            foreach (GemmPath path in new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Vector128, GemmPath.Scalar })
            {
                yield return new object[] { cell, path.ToString(), 64, 16, false, false, 1 };  // whole panels and blocks, no edges
                yield return new object[] { cell, path.ToString(), 100, 5, true, true, 2 };    // ragged last panel of every gate, partial row panel
                yield return new object[] { cell, path.ToString(), 37, 19, false, true, 2 };   // odd H and B, padded sequences
                yield return new object[] { cell, path.ToString(), 7, 2, true, false, 1 };     // smaller than one panel
            }
            yield return new object[] { cell, GemmPath.Scalar.ToString(), 300, 3, false, true, 2 }; // K = 300 > KC: two K blocks per tile
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_step_gives_the_two_pass_results_bit_for_bit(string cell, string pathName, int hidden, int batch, bool reverse, bool initialState, int threads)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path)) return; // the widths this machine lacks are covered where it has them
        const int T = 7, I = 6;
        int savedThreads = KernelOptions.MaxThreads;
        GemmPath? savedPath = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = path;
            KernelOptions.MaxThreads = threads;
            var layer = new Layer(cell, batch, T, I, hidden, seed: hidden + batch);
            RecurrentKernel.UnfusedSteps = true;
            var twoPass = layer.Run(reverse, initialState);
            RecurrentKernel.UnfusedSteps = false;
            var fused = layer.Run(reverse, initialState);

            Assert.Equal(twoPass.Y, fused.Y);
            Assert.Equal(twoPass.HN, fused.HN);
            Assert.Equal(twoPass.CN, fused.CN);
            Assert.Equal(twoPass.Cache, fused.Cache);
            Assert.Contains(fused.Y, v => v != 0f);
            Assert.Contains(fused.HN, v => v != 0f);
        }
        finally
        {
            RecurrentKernel.UnfusedSteps = false;
            KernelOptions.MaxThreads = savedThreads;
            Gemm.ForcedPath = savedPath;
        }
    }

    private sealed record Result(float[] Y, float[] HN, float[] CN, float[] Cache);

    private sealed class Layer(string cell, int batch, int steps, int inputSize, int hidden, int seed)
    {
        private readonly int _g = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1;
        private readonly float[] _x = TestData.Uniform(batch * steps * inputSize, seed);
        private readonly float[] _h0 = TestData.Uniform(batch * hidden, seed + 5);
        private readonly float[] _c0 = TestData.Uniform(batch * hidden, seed + 6);
        private float[]? _wih, _whh, _bih, _bhh;

        public float[] Whh => _whh ??= TestData.Uniform(_g * hidden * hidden, seed + 2, 0.3f);

        public Result Run(bool reverse, bool initialState)
        {
            _wih ??= TestData.Uniform(_g * hidden * inputSize, seed + 1, 0.3f);
            _bih ??= TestData.Uniform(_g * hidden, seed + 3, 0.2f);
            _bhh ??= TestData.Uniform(_g * hidden, seed + 4, 0.2f);
            var dims = new LayerDims(batch, steps, inputSize, hidden);
            int[] lengths = new int[batch];
            for (int b = 0; b < batch; b++) lengths[b] = steps - (b * 3 % steps); // full, and padded tails of every length
            float[] h0 = initialState ? _h0 : [], c0 = initialState ? _c0 : [];
            var weights = new RecurrentWeights(_wih, Whh, _bih, _bhh);
            var y = new float[batch * steps * hidden];
            var hN = new float[batch * hidden];
            var cN = new float[batch * hidden];
            float[] cache;
            switch (cell)
            {
                case "lstm":
                    cache = new float[LstmLayer.CacheLength(batch, steps, hidden)];
                    LstmLayer.Forward(dims, reverse, lengths, _x, weights, h0, c0, y, hidden, hN, cN, cache);
                    break;
                case "gru":
                    cache = new float[GruLayer.CacheLength(batch, steps, hidden)];
                    GruLayer.Forward(dims, reverse, lengths, _x, weights, h0, y, hidden, hN, cache);
                    break;
                default:
                    cache = new float[RnnLayer.CacheLength(batch, steps, hidden)];
                    RnnLayer.Forward(dims, cell == "rnn-relu", reverse, lengths, _x, weights, h0, y, hidden, hN, cache);
                    break;
            }
            return new Result(y, hN, cN, cache);
        }
    }
}
