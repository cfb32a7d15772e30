using System;
using System.IO;
using System.Linq;
using RnnGen.Ctc;
using RnnGen.Serialization;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Ctc;

/// <summary>CTC loss and its logit gradient against torch.nn.functional.ctc_loss (tests/fixtures/ctc, float64 reference).</summary>
public class CtcLossTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "fixtures", "ctc");

    public static TheoryData<string> Cases() => new()
    {
        "repeated", "blank_heavy", "batch_unequal", "blank_last", "impossible_zero_inf", "impossible",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(FixtureDirectory, name + ".safetensors"));
        SafeTensorInfo logitsInfo = file.GetTensor("logits");
        int batch = (int)logitsInfo.Shape[0], steps = (int)logitsInfo.Shape[1], classes = (int)logitsInfo.Shape[2];
        float[] logits = file.ReadFloats("logits");
        int[] inputLengths = file.ReadInt32s("input_lengths");
        int[] targets = file.ReadInt32s("targets");
        int[] targetLengths = file.ReadInt32s("target_lengths");
        int blank = int.Parse(file.Metadata["blank"], System.Globalization.CultureInfo.InvariantCulture);
        bool zeroInfinity = file.Metadata["zero_infinity"] == "true";

        var ctc = new CtcLoss(steps, classes, targetLengths.Max(), blank) { ZeroInfinity = zeroInfinity };
        foreach ((CtcReduction reduction, string suffix) in new[] { (CtcReduction.Sum, "sum"), (CtcReduction.Mean, "mean") })
        {
            var gradient = new float[logits.Length];
            var perSequence = new float[batch];
            double loss = ctc.Compute(logits, batch, steps, inputLengths, targets, targetLengths, reduction, gradient, perSequence);
            AssertClose(file.ReadFloats("loss_" + suffix)[0], loss, $"{name} loss_{suffix}");
            float[] expected = file.ReadFloats("grad_" + suffix);
            for (int i = 0; i < expected.Length; i++)
                AssertClose(expected[i], gradient[i], $"{name} grad_{suffix}[{i / (steps * classes)}, {i / classes % steps}, {i % classes}]");
            float[] expectedSequence = file.ReadFloats("sequence_losses");
            for (int b = 0; b < batch; b++) AssertClose(expectedSequence[b], perSequence[b], $"{name} sequence_losses[{b}]");

            // forward only gives the same loss
            Assert.Equal(loss, ctc.Compute(logits, batch, steps, inputLengths, targets, targetLengths, reduction, default));
        }
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{what}: expected {expected}, got {actual}");
            return;
        }
        double error = Math.Abs(expected - actual);
        Assert.True(error <= 1e-4 * Math.Abs(expected) + 1e-7, $"{what}: expected {expected}, got {actual} (error {error})");
    }

    /// <summary>Central differences on every logit of a tiny batch (repeats, unequal lengths).</summary>
    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        const int B = 2, T = 5, C = 4;
        float[] logits = TestData.Uniform(B * T * C, 11, 1.5f);
        int[] inputLengths = { 5, 4 };
        int[] targets = { 1, 1, 3, 2 };
        int[] targetLengths = { 2, 2 };
        var ctc = new CtcLoss(T, C, 2);
        foreach (CtcReduction reduction in new[] { CtcReduction.Sum, CtcReduction.Mean })
        {
            var gradient = new float[logits.Length];
            ctc.Compute(logits, B, T, inputLengths, targets, targetLengths, reduction, gradient);
            const float eps = 1e-2f;
            for (int i = 0; i < logits.Length; i++)
            {
                float saved = logits[i];
                logits[i] = saved + eps;
                double plus = ctc.Compute(logits, B, T, inputLengths, targets, targetLengths, reduction, default);
                logits[i] = saved - eps;
                double minus = ctc.Compute(logits, B, T, inputLengths, targets, targetLengths, reduction, default);
                logits[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-3 * Math.Max(1, Math.Abs(numeric)) + 1e-4,
                    $"{reduction}: gradient[{i}] = {gradient[i]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void SingleSequence_StableForLargeLogits_AndGradientRowsSumToZero()
    {
        const int T = 30, C = 6;
        float[] logits = TestData.Uniform(T * C, 3, 400f); // saturated softmax: log space must keep it finite
        int[] target = { 1, 2, 2, 5, 3 };
        var ctc = new CtcLoss(T, C, target.Length);
        var gradient = new float[logits.Length];
        double loss = ctc.Compute(logits, target, gradient);
        Assert.True(double.IsFinite(loss) && loss >= 0, $"loss {loss}");
        for (int t = 0; t < T; t++)
        {
            double sum = 0;
            for (int c = 0; c < C; c++)
            {
                Assert.True(float.IsFinite(gradient[t * C + c]));
                sum += gradient[t * C + c];
            }
            Assert.True(Math.Abs(sum) < 1e-5, $"row {t} sums to {sum}");
        }
    }

    [Fact]
    public void EmptyTarget_IsAllBlankPath()
    {
        const int T = 4, C = 3;
        float[] logits = TestData.Uniform(T * C, 5);
        var ctc = new CtcLoss(T, C, 0);
        double loss = ctc.Compute(logits, ReadOnlySpan<int>.Empty, default);
        double expected = 0;
        for (int t = 0; t < T; t++)
        {
            double z = 0;
            for (int c = 0; c < C; c++) z += Math.Exp(logits[t * C + c]);
            expected -= logits[t * C] - Math.Log(z);
        }
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void InvalidArguments_AreNamed()
    {
        var ctc = new CtcLoss(4, 3, 2);
        var logits = new float[2 * 4 * 3];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ctc.Compute(logits, 2, 4, default, new[] { 1, 0, 2 }, new[] { 2, 1 }, CtcReduction.Sum, default));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains("targets[1]", ex.Message);
        Assert.Contains("blank (0)", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ctc.Compute(logits, 2, 4, default, new[] { 1, 3 }, new[] { 1, 1 }, CtcReduction.Sum, default));
        Assert.Contains("targets[1]", ex.Message);
        var shape = Assert.Throws<ArgumentException>(() =>
            ctc.Compute(logits, 2, 4, default, new[] { 1, 2 }, new[] { 1, 2 }, CtcReduction.Sum, default));
        Assert.Equal("targets", shape.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ctc.Compute(logits, 2, 4, new[] { 4, 5 }, new[] { 1, 2 }, new[] { 1, 1 }, CtcReduction.Sum, default));
        Assert.Contains("inputLengths[1]", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ctc.Compute(logits, 2, 4, default, new[] { 1, 2, 1, 2 }, new[] { 3, 1 }, CtcReduction.Sum, default));
        Assert.Contains("maxTargetLength", ex.Message);
        shape = Assert.Throws<ArgumentException>(() =>
            ctc.Compute(logits, 2, 4, default, new[] { 1, 2 }, new[] { 1, 1 }, CtcReduction.Sum, new float[5]));
        Assert.Equal("gradient", shape.ParamName);
    }

    [Fact]
    public void Compute_DoesNotAllocate()
    {
        const int B = 2, T = 6, C = 5;
        float[] logits = TestData.Uniform(B * T * C, 1);
        int[] inputLengths = { 6, 4 };
        int[] targets = { 1, 2, 3 };
        int[] targetLengths = { 2, 1 };
        var gradient = new float[logits.Length];
        var ctc = new CtcLoss(T, C, 2);
        ctc.Compute(logits, B, T, inputLengths, targets, targetLengths, CtcReduction.Mean, gradient);
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            ctc.Compute(logits, B, T, inputLengths, targets, targetLengths, CtcReduction.Mean, gradient);
            ctc.Compute(logits.AsSpan(0, T * C), targets.AsSpan(0, 2), gradient.AsSpan(0, T * C));
        }, callsPerWindow: 1, warmUpCalls: 0));
    }
}
