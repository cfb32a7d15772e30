using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;
using RnnGen.Tests.Training;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

public class DecoderAttentionTests
{
    // B = 3 sequences of Ts = 5 source steps, memory width D = 6, attention size A = 5; Hq = D for dot, 4 otherwise.
    private const int B = 3, Ts = 5, D = 6, A = 5;
    private static readonly int[] Lengths = [5, 2, 3];

    private readonly ITestOutputHelper _log;

    public DecoderAttentionTests(ITestOutputHelper log) => _log = log;

    /// <summary>One problem's inputs and every buffer the kernel needs.</summary>
    private sealed class Problem
    {
        public required Attention Kind;
        public required int Hq, KeySize;
        public required int[] Lengths;
        public required float[] Memory, Query, QueryWeight, ScoreVector, KeyWeight;
        public required float[] Keys, Weights, Context, Cache, Scratch;
        public required float[] DContext, DQuery, DQueryWeight, DScoreVector, DKeyWeight, DKeys, DMemory;

        public static Problem Create(Attention kind, int seed = 1)
        {
            int hq = kind == Attention.Dot ? D : 4;
            int keySize = DecoderAttention.KeySize(kind, D, hq, A);
            bool additive = kind == Attention.Additive, dot = kind == Attention.Dot;
            return new Problem
            {
                Kind = kind,
                Hq = hq,
                KeySize = keySize,
                Lengths = (int[])DecoderAttentionTests.Lengths.Clone(),
                Memory = TestData.Uniform(B * Ts * D, seed),
                Query = TestData.Uniform(B * hq, seed + 1),
                QueryWeight = additive ? TestData.Uniform(A * hq, seed + 2, 0.7f) : [],
                ScoreVector = additive ? TestData.Uniform(A, seed + 3, 1.5f) : [],
                KeyWeight = dot ? [] : TestData.Uniform(keySize * D, seed + 4, 0.7f),
                Keys = dot ? [] : new float[B * Ts * keySize],
                Weights = new float[B * Ts],
                Context = new float[B * D],
                Cache = new float[DecoderAttention.CacheLength(kind, B, Ts, A)],
                Scratch = new float[DecoderAttention.ScratchLength(kind, B, Ts, A)],
                DContext = TestData.Uniform(B * D, seed + 5),
                DQuery = new float[B * hq],
                DQueryWeight = new float[additive ? A * hq : 0],
                DScoreVector = new float[additive ? A : 0],
                DKeyWeight = new float[dot ? 0 : keySize * D],
                DKeys = dot ? [] : new float[B * Ts * keySize],
                DMemory = new float[B * Ts * D],
            };
        }

        public void Forward()
        {
            DecoderAttention.ProjectKeys(Kind, B * Ts, D, KeySize, Memory, KeyWeight, Keys);
            DecoderAttention.Forward(Kind, B, Ts, D, Hq, A, Lengths, Memory, Keys, Query, QueryWeight, ScoreVector,
                Weights, Context, Cache);
        }

        /// <summary>Backward of <see cref="Forward"/> from <see cref="DContext"/>, keys path included.</summary>
        public void Backward()
        {
            DecoderAttention.Backward(Kind, B, Ts, D, Hq, A, Lengths, Memory, Keys, Query, QueryWeight, ScoreVector,
                Weights, Cache, DContext, DQuery, DQueryWeight, DScoreVector, DKeys, DMemory, Scratch);
            DecoderAttention.ProjectKeysBackward(Kind, B * Ts, D, KeySize, Memory, KeyWeight, DKeys, DKeyWeight, DMemory);
        }
    }

    /// <summary>Straightforward double-precision attention: α [B, Ts] and context [B, D].</summary>
    private static void Reference(Attention kind, int hq, int[] lengths, double[] memory, double[] keyWeight,
        double[] query, double[] queryWeight, double[] scoreVector, double[] alpha, double[] context)
    {
        Array.Clear(alpha);
        Array.Clear(context);
        for (int b = 0; b < B; b++)
        {
            int length = lengths[b];
            for (int j = 0; j < length; j++)
            {
                int r = b * Ts + j;
                double score = 0;
                if (kind == Attention.Additive)
                {
                    for (int a = 0; a < A; a++)
                    {
                        double q = 0, k = 0;
                        for (int i = 0; i < hq; i++) q += queryWeight[a * hq + i] * query[b * hq + i];
                        for (int d = 0; d < D; d++) k += keyWeight[a * D + d] * memory[r * D + d];
                        score += scoreVector[a] * Math.Tanh(q + k);
                    }
                }
                else if (kind == Attention.Dot)
                {
                    for (int d = 0; d < D; d++) score += query[b * hq + d] * memory[r * D + d];
                }
                else
                {
                    for (int i = 0; i < hq; i++)
                    {
                        double k = 0;
                        for (int d = 0; d < D; d++) k += keyWeight[i * D + d] * memory[r * D + d];
                        score += query[b * hq + i] * k;
                    }
                }
                alpha[r] = score;
            }
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < length; j++) max = Math.Max(max, alpha[b * Ts + j]);
            for (int j = 0; j < length; j++) sum += alpha[b * Ts + j] = Math.Exp(alpha[b * Ts + j] - max);
            for (int j = 0; j < length; j++)
            {
                int r = b * Ts + j;
                alpha[r] /= sum;
                for (int d = 0; d < D; d++) context[b * D + d] += alpha[r] * memory[r * D + d];
            }
        }
    }

    private static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    [Theory]
    [InlineData(Attention.Additive)]
    [InlineData(Attention.Dot)]
    [InlineData(Attention.General)]
    public void Forward_MatchesDoubleReference(Attention kind)
    {
        var p = Problem.Create(kind);
        Array.Fill(p.Weights, float.NaN); // overwritten, padding included
        Array.Fill(p.Context, float.NaN);
        Array.Fill(p.Cache, float.NaN);
        p.Forward();

        var alpha = new double[B * Ts];
        var context = new double[B * D];
        Reference(kind, p.Hq, p.Lengths, ToDouble(p.Memory), ToDouble(p.KeyWeight), ToDouble(p.Query),
            ToDouble(p.QueryWeight), ToDouble(p.ScoreVector), alpha, context);

        double maxAlpha = 0, maxContext = 0;
        for (int b = 0; b < B; b++)
        {
            double sum = 0;
            for (int j = 0; j < Ts; j++)
            {
                int r = b * Ts + j;
                if (j >= p.Lengths[b]) Assert.Equal(0f, p.Weights[r]);
                sum += p.Weights[r];
                maxAlpha = Math.Max(maxAlpha, Math.Abs(p.Weights[r] - alpha[r]));
            }
            Assert.Equal(1.0, sum, 1e-5);
        }
        for (int i = 0; i < context.Length; i++) maxContext = Math.Max(maxContext, Math.Abs(p.Context[i] - context[i]));
        _log.WriteLine($"{kind}: max |α − ref| {maxAlpha:E2}, max |context − ref| {maxContext:E2}");
        Assert.True(maxAlpha < 1e-5, $"α differs from the reference by {maxAlpha:E2}");
        Assert.True(maxContext < 1e-5, $"context differs from the reference by {maxContext:E2}");
        // The scores are not degenerate: some valid weight is far from uniform.
        double spread = 0;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < p.Lengths[b]; j++) spread = Math.Max(spread, Math.Abs(p.Weights[b * Ts + j] - 1.0 / p.Lengths[b]));
        Assert.True(spread > 0.05, $"α is nearly uniform (max deviation {spread:E2})");
    }

    [Fact]
    public void Forward_LargeScores_StayFinite()
    {
        var p = Problem.Create(Attention.Dot);
        for (int i = 0; i < p.Query.Length; i++) p.Query[i] *= 500f; // scores of ±1000s
        p.Forward();
        Assert.All(p.Weights, w => Assert.True(float.IsFinite(w)));
        Assert.All(p.Context, c => Assert.True(float.IsFinite(c)));
        for (int b = 0; b < B; b++)
        {
            double sum = 0;
            for (int j = 0; j < Ts; j++) sum += p.Weights[b * Ts + j];
            Assert.Equal(1.0, sum, 1e-5);
        }
    }

    /// <summary>
    /// L = Σ r ⊙ context with a random r = dContext. The analytic gradients (ProjectKeys + Forward, then Backward +
    /// ProjectKeysBackward, every gradient buffer pre-filled to check that it is added into) are compared with
    /// central differences of the double-precision reference loss.
    /// </summary>
    [Theory]
    [InlineData(Attention.Additive)]
    [InlineData(Attention.Dot)]
    [InlineData(Attention.General)]
    public void Backward_MatchesFiniteDifferences(Attention kind)
    {
        const float Offset = 0.25f;
        var p = Problem.Create(kind);
        p.Forward();
        Array.Fill(p.Scratch, float.NaN); // must be fully initialized by Backward
        Array.Fill(p.DQuery, Offset);
        Array.Fill(p.DQueryWeight, Offset);
        Array.Fill(p.DScoreVector, Offset);
        Array.Fill(p.DKeyWeight, Offset);
        Array.Fill(p.DMemory, Offset);
        p.Backward();

        double[] memory = ToDouble(p.Memory), keyWeight = ToDouble(p.KeyWeight), query = ToDouble(p.Query);
        double[] queryWeight = ToDouble(p.QueryWeight), scoreVector = ToDouble(p.ScoreVector);
        var alpha = new double[B * Ts];
        var context = new double[B * D];
        double Loss()
        {
            Reference(kind, p.Hq, p.Lengths, memory, keyWeight, query, queryWeight, scoreVector, alpha, context);
            double sum = 0;
            for (int i = 0; i < context.Length; i++) sum += context[i] * p.DContext[i];
            return sum;
        }

        double worst = 0;
        void Check(string name, double[] values, float[] analytic)
        {
            Assert.Equal(values.Length, analytic.Length);
            const double h = 1e-6;
            double maxDiff = 0, maxNumeric = 0;
            string at = "";
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + h;
                double plus = Loss();
                values[i] = saved - h;
                double minus = Loss();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                double diff = Math.Abs(numeric - (analytic[i] - Offset));
                maxNumeric = Math.Max(maxNumeric, Math.Abs(numeric));
                if (diff > maxDiff)
                {
                    maxDiff = diff;
                    at = $"{name}[{i}]: analytic {analytic[i] - Offset:G7}, numeric {numeric:G7}";
                }
            }
            _log.WriteLine($"{kind,-8} {name,-12} {values.Length,3} values, max |numeric| {maxNumeric:E2}, max |analytic − numeric| {maxDiff:E2}");
            Assert.True(maxDiff <= 1e-4 * Math.Max(1, maxNumeric), $"gradient mismatch at {at}");
            if (values.Length > 0) Assert.True(maxNumeric > 1e-3, $"{name}: the gradient is all but zero, the check would prove nothing");
            worst = Math.Max(worst, maxDiff);
        }

        Check("query", query, p.DQuery);
        Check("memory", memory, p.DMemory);
        Check("queryWeight", queryWeight, p.DQueryWeight);
        Check("scoreVector", scoreVector, p.DScoreVector);
        Check("keyWeight", keyWeight, p.DKeyWeight);
        _log.WriteLine($"{kind}: worst difference {worst:E2}");
    }

    [Theory]
    [InlineData(Attention.Additive)]
    [InlineData(Attention.Dot)]
    [InlineData(Attention.General)]
    public void PaddedSourceSteps_GetNoGradient_AndDoNotChangeTheOutputs(Attention kind)
    {
        var p = Problem.Create(kind);
        p.Forward();
        float[] weights = (float[])p.Weights.Clone(), context = (float[])p.Context.Clone();

        // Backward alone (context path, and for dot the score path into dMemory): padded rows stay zero.
        DecoderAttention.Backward(kind, B, Ts, D, p.Hq, A, p.Lengths, p.Memory, p.Keys, p.Query, p.QueryWeight, p.ScoreVector,
            p.Weights, p.Cache, p.DContext, p.DQuery, p.DQueryWeight, p.DScoreVector, p.DKeys, p.DMemory, p.Scratch);
        AssertPaddedRowsZero(p.DMemory, D, p.Lengths, "dMemory");
        AssertPaddedRowsZero(p.DKeys, p.KeySize, p.Lengths, "dKeys");
        bool anyValid = false;
        foreach (float v in p.DMemory) anyValid |= v != 0f;
        Assert.True(anyValid);
        // ... and through the key projection.
        DecoderAttention.ProjectKeysBackward(kind, B * Ts, D, p.KeySize, p.Memory, p.KeyWeight, p.DKeys, p.DKeyWeight, p.DMemory);
        AssertPaddedRowsZero(p.DMemory, D, p.Lengths, "dMemory");

        // Garbage (even NaN) in padded memory rows does not reach α or the context.
        for (int b = 0; b < B; b++)
            for (int j = p.Lengths[b]; j < Ts; j++)
                p.Memory.AsSpan((b * Ts + j) * D, D).Fill(b == 1 ? float.NaN : 1e4f);
        p.Forward();
        Assert.Equal(weights, p.Weights);
        Assert.Equal(context, p.Context);
    }

    private static void AssertPaddedRowsZero(float[] values, int width, int[] lengths, string name)
    {
        if (values.Length == 0) return;
        for (int b = 0; b < B; b++)
            for (int j = lengths[b]; j < Ts; j++)
                for (int i = 0; i < width; i++)
                    Assert.True(values[(b * Ts + j) * width + i] == 0f, $"{name}[row {b}, step {j}, {i}] = {values[(b * Ts + j) * width + i]}");
    }

    [Theory]
    [InlineData(Attention.Additive)]
    [InlineData(Attention.Dot)]
    [InlineData(Attention.General)]
    public void EmptyOrTooLongSource_ThrowsNamingTheRow(Attention kind)
    {
        var p = Problem.Create(kind);
        p.Forward();
        p.Lengths[1] = 0;
        var ex = Assert.ThrowsAny<ArgumentException>(p.Forward);
        _log.WriteLine(ex.Message);
        Assert.Equal("sourceLengths", ex.ParamName);
        Assert.Contains("sourceLengths[1]", ex.Message);
        Assert.Contains("batch row 1", ex.Message);
        Assert.Contains("empty source", ex.Message);
        ex = Assert.ThrowsAny<ArgumentException>(p.Backward);
        Assert.Contains("sourceLengths[1]", ex.Message);

        p.Lengths[1] = 2;
        p.Lengths[2] = Ts + 1;
        ex = Assert.ThrowsAny<ArgumentException>(p.Forward);
        Assert.Contains("sourceLengths[2]", ex.Message);
        Assert.Contains("1..5", ex.Message);
        Assert.Contains("got 6", ex.Message);
    }

    [Fact]
    public void WrongSizes_ThrowWithExpectedAndActual()
    {
        var add = Problem.Create(Attention.Additive);
        var dot = Problem.Create(Attention.Dot);
        var gen = Problem.Create(Attention.General);

        var ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.General, B, Ts, D, gen.Hq, A, gen.Lengths,
            gen.Memory, gen.Keys, gen.Query, default, default, gen.Weights, new float[B * D - 1], default));
        LossTests.AssertLengthMessage(ex, "context", "18", "17");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.General, B, Ts, D, gen.Hq, A, gen.Lengths,
            gen.Memory, new float[B * Ts * A], gen.Query, default, default, gen.Weights, gen.Context, default));
        LossTests.AssertLengthMessage(ex, "keys", "60", "75"); // general keys are Hq = 4 wide
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.Additive, B, Ts, D, add.Hq, A, add.Lengths,
            add.Memory, add.Keys, add.Query, add.QueryWeight, add.ScoreVector, add.Weights, add.Context, new float[75]));
        LossTests.AssertLengthMessage(ex, "cache", "90", "75");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.Additive, B, Ts, D, add.Hq, A, add.Lengths,
            add.Memory, add.Keys, add.Query, add.QueryWeight, new float[4], add.Weights, add.Context, add.Cache));
        LossTests.AssertLengthMessage(ex, "scoreVector", "5", "4");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.Dot, B, Ts, D, dot.Hq, A, dot.Lengths,
            dot.Memory, default, dot.Query, new float[A * D], default, dot.Weights, dot.Context, default));
        LossTests.AssertLengthMessage(ex, "queryWeight", "0", "30");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.Dot, B, Ts, D, D, A, [5, 2],
            dot.Memory, default, dot.Query, default, default, dot.Weights, dot.Context, default));
        LossTests.AssertLengthMessage(ex, "sourceLengths", "3", "2");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Forward(Attention.Dot, B, Ts, D, 4, A, dot.Lengths,
            dot.Memory, default, new float[B * 4], default, default, dot.Weights, dot.Context, default));
        Assert.Equal("querySize", ex.ParamName);
        Assert.Contains("querySize (4)", ex.Message);
        Assert.Contains("memorySize (6)", ex.Message);

        add.Forward();
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Backward(Attention.Additive, B, Ts, D, add.Hq, A, add.Lengths,
            add.Memory, add.Keys, add.Query, add.QueryWeight, add.ScoreVector, add.Weights, add.Cache, add.DContext,
            add.DQuery, add.DQueryWeight, add.DScoreVector, add.DKeys, add.DMemory, new float[B * Ts]));
        LossTests.AssertLengthMessage(ex, "scratch", "30", "15");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.Backward(Attention.Additive, B, Ts, D, add.Hq, A, add.Lengths,
            add.Memory, add.Keys, add.Query, add.QueryWeight, add.ScoreVector, add.Weights, add.Cache, add.DContext,
            add.DQuery, add.DQueryWeight, add.DScoreVector, default, add.DMemory, add.Scratch));
        LossTests.AssertLengthMessage(ex, "dKeys", "75", "0");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.ProjectKeys(Attention.General, B * Ts, D, gen.KeySize,
            gen.Memory, new float[A * D], gen.Keys));
        LossTests.AssertLengthMessage(ex, "keyWeight", "24", "30");
        ex = Assert.Throws<ArgumentException>(() => DecoderAttention.ProjectKeysBackward(Attention.General, B * Ts, D, gen.KeySize,
            gen.Memory, gen.KeyWeight, gen.DKeys, gen.DKeyWeight, new float[B * Ts * D + 1]));
        LossTests.AssertLengthMessage(ex, "dMemory", "90", "91");

        Assert.Throws<ArgumentOutOfRangeException>(() => DecoderAttention.KeySize(Attention.None, D, 4, A));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecoderAttention.ProjectKeys(Attention.None, 1, 1, 1, new float[1], new float[1], new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecoderAttention.Forward(Attention.Dot, -1, Ts, D, D, A, default,
            default, default, default, default, default, default, default, default));
    }

    [Fact]
    public void Sizes_PerKind()
    {
        Assert.Equal(A, DecoderAttention.KeySize(Attention.Additive, D, 4, A));
        Assert.Equal(4, DecoderAttention.KeySize(Attention.General, D, 4, A));
        Assert.Equal(D, DecoderAttention.KeySize(Attention.Dot, D, D, A));
        Assert.Equal(B * Ts * A + B * A, DecoderAttention.CacheLength(Attention.Additive, B, Ts, A));
        Assert.Equal(0, DecoderAttention.CacheLength(Attention.Dot, B, Ts, A));
        Assert.Equal(0, DecoderAttention.CacheLength(Attention.General, B, Ts, A));
        Assert.Equal(B * Ts + B * A, DecoderAttention.ScratchLength(Attention.Additive, B, Ts, A));
        Assert.Equal(B * Ts, DecoderAttention.ScratchLength(Attention.General, B, Ts, A));
    }

    [Theory]
    [InlineData(Attention.Additive)]
    [InlineData(Attention.Dot)]
    [InlineData(Attention.General)]
    public void ForwardAndBackward_DoNotAllocate(Attention kind)
    {
        var p = Problem.Create(kind);
        // one warm-up call: JIT and the GEMM's per-thread packing buffers
        long allocated = SteadyState.AllocatedBytes(() =>
        {
            p.Forward();
            p.Backward();
        }, callsPerWindow: 1, warmUpCalls: 1);
        Assert.Equal(0, allocated);
    }
}
