using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Models;

/// <summary>
/// Finite-difference checks of every head + loss pairing through a whole generated model
/// (unequal lengths, padded positions included in the inputs and targets).
/// </summary>
public class HeadGradientCheckTests(ITestOutputHelper output)
{
    private const int B = 3, T = 5;
    private static readonly int[] Lengths = { 5, 2, 4 };
    private const double Tolerance = 2e-2;

    [Fact]
    public void Linear_mse_many_to_one()
    {
        var model = new LinearManyToOne(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * LinearManyToOne.InputSize, 2);
        float[] y = TestData.Uniform(B * LinearManyToOne.OutputSize, 3);
        Assert_Gradients(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Sigmoid_bce_many_to_many()
    {
        var model = new SigmoidManyToMany(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * SigmoidManyToMany.InputSize, 2);
        float[] y = TestData.Probabilities(B * T * SigmoidManyToMany.OutputSize, 3);
        Assert_Gradients(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Softmax_cross_entropy_many_to_one()
    {
        var model = new SoftmaxManyToOne(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * SoftmaxManyToOne.InputSize, 2);
        int[] y = TestData.Classes(B, SoftmaxManyToOne.OutputSize, 3);
        Assert_Gradients(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Softmax_cross_entropy_many_to_many()
    {
        var model = new SoftmaxManyToMany(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * SoftmaxManyToMany.InputSize, 2);
        int[] y = TestData.Classes(B * T, SoftmaxManyToMany.OutputSize, 3);
        Assert_Gradients(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Linear_mse_many_to_many()
    {
        var model = new LinearManyToMany(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * LinearManyToMany.InputSize, 2);
        float[] y = TestData.Uniform(B * T * LinearManyToMany.OutputSize, 3);
        Assert_Gradients(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Padded_targets_do_not_change_the_loss()
    {
        var model = new SoftmaxManyToMany(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * SoftmaxManyToMany.InputSize, 2);
        int[] y = TestData.Classes(B * T, SoftmaxManyToMany.OutputSize, 3);
        session.Forward(x, B, T, Lengths);
        float before = session.Loss(y);
        y[1 * T + 3] = (y[1 * T + 3] + 1) % SoftmaxManyToMany.OutputSize; // sequence 1 has 2 valid steps
        float after = session.Loss(y);
        Assert.Equal(before, after);
        y[0] = (y[0] + 1) % SoftmaxManyToMany.OutputSize; // a valid position does change it
        Assert.NotEqual(before, session.Loss(y));
    }

    private void Assert_Gradients(IRnnModel model, System.Func<float> loss, System.Action backward) =>
        GradientCheck.Assert(output, model, loss, backward, Tolerance);
}
