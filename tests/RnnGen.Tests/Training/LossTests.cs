using System;
using RnnGen.Kernels;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

/// <summary>
/// Loss values and gradients against PyTorch 1.13 (printed by the "losses" section of optimizer_reference.py:
/// F.mse_loss / F.binary_cross_entropy_with_logits / F.cross_entropy on the tensors pred/tgt, z/t, zc/tc there,
/// gradients from l.backward()), and against central finite differences.
/// </summary>
public class LossTests
{
    // pred, tgt in optimizer_reference.py
    private static readonly float[] MsePrediction = [0.5f, -1.25f, 2.0f, 0.75f, 1.5f, 0.25f, -0.5f, 3.0f, -2.0f, 0.0f, 1.0f, -0.25f];
    private static readonly float[] MseTarget = [1.0f, -1.0f, 0.5f, 0.0f, 2.0f, 0.5f, -1.0f, 1.0f, -1.5f, 0.25f, 0.75f, 0.0f];
    // print("// MSE loss %.9g" % l.item()); print(fmt(pred.grad.flatten()))
    private const float MseLoss = 0.677083313f;
    private static readonly float[] MseGradient = [-0.0833333358f, -0.0416666679f, 0.25f, 0.125f, -0.0833333358f, -0.0416666679f, 0.0833333358f, 0.333333343f, -0.0833333358f, -0.0416666679f, 0.0416666679f, -0.0416666679f];

    // z, t in optimizer_reference.py (includes ±1000 and −20)
    private static readonly float[] BceLogits = [0.5f, -1.25f, 2.0f, 0.75f, 1.5f, 0.25f, -0.5f, 3.0f, -20.0f, 0.0f, 1000.0f, -1000.0f];
    private static readonly float[] BceTargets = [1.0f, 0.0f, 0.25f, 1.0f, 0.0f, 0.5f, 1.0f, 0.75f, 1.0f, 0.0f, 0.0f, 1.0f];
    private const float BceLoss = 168.967331f;
    private static readonly float[] BceGradient = [-0.0314617194f, 0.0185583439f, 0.0525664203f, -0.0267351065f, 0.068131201f, 0.00518137729f, -0.0518716089f, 0.0168811772f, -0.0833333358f, 0.0416666679f, 0.0833333358f, -0.0833333358f];
    // print("// sigmoid " + fmt(torch.sigmoid(z).flatten()))
    private static readonly float[] BceSigmoid = [0.622459352f, 0.222700134f, 0.880797029f, 0.679178715f, 0.817574441f, 0.562176526f, 0.377540678f, 0.952574134f, 2.06115369e-09f, 0.5f, 1f, 0f];

    // zc [4, 5], tc in optimizer_reference.py (row 2 has ±1000)
    private const int Classes = 5;
    private static readonly float[] CeLogits = [0.5f, -1.25f, 2.0f, 0.75f, 0.0f, 1.5f, 0.25f, -0.5f, 3.0f, 1.0f, 1000.0f, -1000.0f, 0.0f, 999.0f, 500.0f, -3.0f, -2.0f, -1.0f, -4.0f, -5.0f];
    private static readonly int[] CeTargets = [2, 0, 1, 4];
    private const float CeLoss = 501.789856f;
    private static readonly float[] CeGradient = [0.0331300497f, 0.00575713953f, -0.101521417f, 0.0425398275f, 0.020094391f, -0.21159789f, 0.0110023869f, 0.00519715948f, 0.172106296f, 0.0232920535f, 0.182764649f, -0.25f, 0f, 0.0672353581f, 0f, 0.0215321388f, 0.0585304126f, 0.159102157f, 0.00792123098f, -0.247085944f];
    // print("// softmax " + fmt(torch.softmax(zc, dim=1).flatten()))
    private static readonly float[] CeSoftmax = [0.132520199f, 0.0230285581f, 0.59391433f, 0.17015931f, 0.0803775638f, 0.153608426f, 0.0440095477f, 0.0207886398f, 0.688425183f, 0.093168214f, 0.731058598f, 0f, 0f, 0.268941432f, 0f, 0.0861285403f, 0.23412165f, 0.636408627f, 0.0316849202f, 0.0116562312f];

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, float tolerance = 1e-6f) =>
        OptimizerReferenceTests.AssertClose(expected, actual, what, tolerance, tolerance);

    [Fact]
    public void MeanSquaredError_MatchesPyTorch()
    {
        var gradient = new float[MsePrediction.Length];
        float loss = MeanSquaredError.Compute(MsePrediction, MseTarget, gradient);
        Assert.Equal(MseLoss, loss, 1e-6f);
        Close(MseGradient, gradient, "MSE gradient");
        Assert.Equal(MseLoss, MeanSquaredError.Compute(MsePrediction, MseTarget, default), 1e-6f);
    }

    [Fact]
    public void BinaryCrossEntropy_MatchesPyTorch_IncludingLogitsOfPlusMinus1000()
    {
        var gradient = new float[BceLogits.Length];
        float loss = BinaryCrossEntropy.ComputeWithLogits(BceLogits, BceTargets, gradient);
        Assert.Equal(BceLoss, loss, 1e-4f);
        Close(BceGradient, gradient, "BCE gradient");
        Assert.Equal(loss, BinaryCrossEntropy.ComputeWithLogits(BceLogits, BceTargets, default));

        var probabilities = new float[BceLogits.Length];
        BinaryCrossEntropy.Sigmoid(BceLogits, probabilities);
        Close(BceSigmoid, probabilities, "sigmoid", 1e-6f);
    }

    [Fact]
    public void SoftmaxCrossEntropy_MatchesPyTorch_IncludingLogitsOfPlusMinus1000()
    {
        var gradient = new float[CeLogits.Length];
        var probabilities = new float[CeLogits.Length];
        float loss = SoftmaxCrossEntropy.Compute(Classes, CeLogits, CeTargets, gradient, probabilities);
        Assert.Equal(CeLoss, loss, 1e-4f);
        Close(CeGradient, gradient, "CE gradient");
        Close(CeSoftmax, probabilities, "CE probabilities");

        // Same results whichever optional outputs are requested.
        var gradientOnly = new float[CeLogits.Length];
        Assert.Equal(loss, SoftmaxCrossEntropy.Compute(Classes, CeLogits, CeTargets, gradientOnly));
        Close(gradient, gradientOnly, "gradient without probabilities", 1e-7f);
        var probabilitiesOnly = new float[CeLogits.Length];
        Assert.Equal(loss, SoftmaxCrossEntropy.Compute(Classes, CeLogits, CeTargets, default, probabilitiesOnly));
        Assert.Equal(probabilities, probabilitiesOnly);
        Assert.Equal(loss, SoftmaxCrossEntropy.Compute(Classes, CeLogits, CeTargets, default), 1e-4f);
    }

    [Fact]
    public void Losses_WorkInPlace_AndInferClassesWhenNotGiven()
    {
        float[] ceInPlace = (float[])CeLogits.Clone();
        Assert.Equal(CeLoss, SoftmaxCrossEntropy.Compute(Classes, ceInPlace, CeTargets, ceInPlace), 1e-4f);
        Close(CeGradient, ceInPlace, "CE gradient written over the logits");
        var gradient = new float[CeLogits.Length];
        Assert.Equal(CeLoss, SoftmaxCrossEntropy.Compute(CeLogits, CeTargets, gradient), 1e-4f);
        Close(CeGradient, gradient, "CE gradient, classes inferred");
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(new float[19], CeTargets, gradient));

        float[] bceInPlace = (float[])BceLogits.Clone();
        Assert.Equal(BceLoss, BinaryCrossEntropy.ComputeWithLogits(bceInPlace, BceTargets, bceInPlace), 1e-4f);
        Close(BceGradient, bceInPlace, "BCE gradient written over the logits");

        float[] mseInPlace = (float[])MsePrediction.Clone();
        Assert.Equal(MseLoss, MeanSquaredError.Compute(mseInPlace, MseTarget, mseInPlace), 1e-6f);
        Close(MseGradient, mseInPlace, "MSE gradient written over the prediction");
    }

    [Fact]
    public void Softmax_Forward_MatchesPyTorch_AndWorksInPlace()
    {
        var output = new float[CeLogits.Length];
        Softmax.Forward(4, Classes, CeLogits, output);
        Close(CeSoftmax, output, "softmax");
        float[] inPlace = (float[])CeLogits.Clone();
        Softmax.Forward(4, Classes, inPlace, inPlace);
        Assert.Equal(output, inPlace);

        var log = new float[CeLogits.Length];
        Softmax.LogForward(4, Classes, CeLogits, log);
        for (int i = 0; i < log.Length; i++)
        {
            Assert.True(float.IsFinite(log[i]), $"log-softmax[{i}] = {log[i]}");
            if (CeSoftmax[i] > 1e-30f) Assert.Equal(MathF.Log(CeSoftmax[i]), log[i], 1e-5f);
        }
        Assert.Equal(-2000.3133f, log[11], 1e-3f); // −1000 − 1000 − log(1 + e⁻¹)
    }

    [Fact]
    public void ExtremeLogits_GiveFiniteLossesAndGradients()
    {
        float[] logits = [1000f, -1000f, 1000f, -1000f, 88.8f, -88.8f, 1e30f, -1e30f];
        float[] targets = [0f, 1f, 1f, 0f, 0f, 1f, 0f, 1f];
        var gradient = new float[logits.Length];
        float bce = BinaryCrossEntropy.ComputeWithLogits(logits, targets, gradient);
        Assert.True(float.IsFinite(bce));
        Assert.False(GradientClipping.ContainsNonFinite(gradient));

        float[] rows = [1000f, -1000f, 1000f, -1000f, 1000f, 1000f, -1000f, -1000f];
        var ceGradient = new float[rows.Length];
        float ce = SoftmaxCrossEntropy.Compute(2, rows, [1, 0, 0, 1], ceGradient);
        Assert.Equal((2000f + 0f + MathF.Log(2) + MathF.Log(2)) / 4, ce, 1e-3f);
        Assert.False(GradientClipping.ContainsNonFinite(ceGradient));
    }

    [Fact]
    public void MeanSquaredError_GradientMatchesFiniteDifferences() =>
        CheckFiniteDifferences(MsePrediction, p => MeanSquaredError.Compute(p, MseTarget, default),
            Gradient(MsePrediction.Length, g => MeanSquaredError.Compute(MsePrediction, MseTarget, g)));

    [Fact]
    public void BinaryCrossEntropy_GradientMatchesFiniteDifferences()
    {
        float[] logits = [0.5f, -1.25f, 2.0f, 0.75f, 1.5f, 0.25f, -0.5f, 3.0f, -4.0f, 0.0f, 6.0f, -2.5f];
        CheckFiniteDifferences(logits, z => BinaryCrossEntropy.ComputeWithLogits(z, BceTargets, default),
            Gradient(logits.Length, g => BinaryCrossEntropy.ComputeWithLogits(logits, BceTargets, g)));
    }

    [Fact]
    public void SoftmaxCrossEntropy_GradientMatchesFiniteDifferences()
    {
        float[] logits = [0.5f, -1.25f, 2.0f, 0.75f, 0.0f, 1.5f, 0.25f, -0.5f, 3.0f, 1.0f, 4.0f, -3.0f, 0.0f, 3.5f, 2.0f, -3.0f, -2.0f, -1.0f, -4.0f, -5.0f];
        CheckFiniteDifferences(logits, z => SoftmaxCrossEntropy.Compute(Classes, z, CeTargets, default),
            Gradient(logits.Length, g => SoftmaxCrossEntropy.Compute(Classes, logits, CeTargets, g)));
    }

    private static float[] Gradient(int length, Func<float[], float> compute)
    {
        var gradient = new float[length];
        compute(gradient);
        return gradient;
    }

    private static void CheckFiniteDifferences(float[] input, Func<float[], float> loss, float[] analytic)
    {
        const float h = 1e-2f;
        for (int i = 0; i < input.Length; i++)
        {
            float[] plus = (float[])input.Clone(), minus = (float[])input.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = ((double)loss(plus) - loss(minus)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-4 + 1e-3 * Math.Abs(numeric),
                $"element {i}: analytic {analytic[i]:R}, central difference {numeric:R}");
        }
    }

    [Fact]
    public void SoftmaxCrossEntropy_TargetOutOfRange_NamesRowRangeAndValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SoftmaxCrossEntropy.Compute(Classes, CeLogits, [2, 0, 5, 4], new float[CeLogits.Length]));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains("row 2", ex.Message);
        Assert.Contains("[0, 5)", ex.Message);
        Assert.Contains("is 5", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SoftmaxCrossEntropy.Compute(Classes, CeLogits, [-1, 0, 1, 4], default));
        Assert.Contains("row 0", ex.Message);
        Assert.Contains("-1", ex.Message);
    }

    [Fact]
    public void Losses_ValidateLengths_NamingArgumentExpectedAndActual()
    {
        var ex = Assert.Throws<ArgumentException>(() => MeanSquaredError.Compute(new float[4], new float[3], new float[4]));
        AssertLengthMessage(ex, "target", "4", "3");
        ex = Assert.Throws<ArgumentException>(() => MeanSquaredError.Compute(new float[4], new float[4], new float[5]));
        AssertLengthMessage(ex, "gradient", "4", "5");
        ex = Assert.Throws<ArgumentException>(() => BinaryCrossEntropy.ComputeWithLogits(new float[4], new float[4], new float[2]));
        AssertLengthMessage(ex, "gradient", "4", "2");
        ex = Assert.Throws<ArgumentException>(() => BinaryCrossEntropy.Sigmoid(new float[4], new float[3]));
        AssertLengthMessage(ex, "probabilities", "4", "3");
        ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(5, new float[19], new int[4], default));
        AssertLengthMessage(ex, "logits", "20", "19");
        ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(5, new float[20], new int[4], new float[20], new float[21]));
        AssertLengthMessage(ex, "probabilities", "20", "21");
        Assert.Throws<ArgumentException>(() => MeanSquaredError.Compute(default, default, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Compute(0, new float[4], new int[4], default));
        var target = Assert.Throws<ArgumentOutOfRangeException>(() =>
            BinaryCrossEntropy.ComputeWithLogits(new float[3], [0f, 1.5f, 0f], default));
        Assert.Contains("targets[1]", target.Message);
        Assert.Contains("1.5", target.Message);
    }

    internal static void AssertLengthMessage(ArgumentException ex, string name, string expected, string actual)
    {
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message);
        Assert.Contains("length " + expected, ex.Message);
        Assert.Contains("length " + actual, ex.Message);
    }
}
