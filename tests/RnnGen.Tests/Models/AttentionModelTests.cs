using System;
using System.Linq;
using RnnGen.Tests.Support;
using RnnGen.Training;
using Xunit.Abstractions;

namespace RnnGen.Tests.Models;

/// <summary>Attention pooling for many-to-one heads through generated models.</summary>
public class AttentionModelTests(ITestOutputHelper log)
{
    private const int B = 3, T = 5;
    private static readonly int[] Lengths = { 5, 2, 4 };

    [Fact]
    public void Additive_attention_gradients_and_weights_sum_to_one_over_valid_steps()
    {
        var model = new AdditiveAttentionClassifier(seed: 2);
        Assert.Contains(model.ParameterTensors, t => t.Name == "attention.weight" && t.ShapeText == "[5, 8]");
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 4);
        int[] y = TestData.Classes(B, 3, 5);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);

        session.Forward(x, B, T, Lengths);
        float[] alpha = session.AttentionWeights.ToArray();
        for (int b = 0; b < B; b++)
        {
            Assert.Equal(1.0, alpha.Skip(b * T).Take(Lengths[b]).Sum(v => (double)v), 5);
            Assert.All(alpha.Skip(b * T + Lengths[b]).Take(T - Lengths[b]), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Dot_attention_gradients()
    {
        var model = new DotAttentionRegressor(seed: 2);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 4);
        float[] y = TestData.Uniform(B * 2, 5);
        Check(model, () => { session.Forward(x, B, T, Lengths); return session.Loss(y); }, session.Backward);
    }

    [Fact]
    public void Attention_learns_to_find_the_marked_step()
    {
        // Class = the value bucket at the one step whose marker feature is 1; the position varies.
        const int batch = 32, steps = 8;
        var model = new AdditiveAttentionClassifier(seed: 1);
        var session = model.CreateSession(batch, steps);
        var random = new RnnGen.Initialization.SeededRandom(3);
        float[] x = new float[batch * steps * 3];
        int[] y = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int marked = random.NextInt(steps);
            for (int t = 0; t < steps; t++)
            {
                x[(b * steps + t) * 3] = random.NextSingle();
                x[(b * steps + t) * 3 + 1] = t == marked ? 1f : 0f;
            }
            y[b] = Math.Min(2, (int)(x[(b * steps + marked) * 3] * 3));
        }
        var adam = new Adam(AdditiveAttentionClassifier.ParameterCount, learningRate: 0.02f);
        float loss = 0;
        for (int step = 0; step < 250; step++)
        {
            session.Forward(x, batch, steps);
            loss = session.Loss(y);
            session.Backward();
            model.ApplyGradients(adam, maxGradientNorm: 5f);
        }
        log.WriteLine($"final loss {loss}");
        Assert.True(loss < 0.3f, $"loss {loss}");
    }

    private void Check(IRnnModel model, Func<float> loss, Action backward) => GradientCheck.Assert(log, model, loss, backward);
}
