using System;
using RnnGen.Tests.Models;
using RnnGen.Tests.Support;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

public class ApplyGradientsTests
{
    [Fact]
    public void Clips_steps_and_zeroes_gradients()
    {
        var model = new LinearManyToOne(seed: 1);
        float[] before = (float[])model.Parameters.Clone();
        model.Gradients.AsSpan().Fill(1f);
        var sgd = new Sgd(LinearManyToOne.ParameterCount, learningRate: 0.5f);

        float norm = model.ApplyGradients(sgd, maxGradientNorm: 1f);

        Assert.Equal(MathF.Sqrt(LinearManyToOne.ParameterCount), norm, 3);
        float expectedStep = 0.5f * 1f / MathF.Sqrt(LinearManyToOne.ParameterCount);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i] - expectedStep, model.Parameters[i], 5);
        }
        Assert.All(model.Gradients, g => Assert.Equal(0f, g));
        Assert.Equal(1, sgd.StepCount);
    }

    [Fact]
    public void Non_finite_gradient_stops_with_weights_unchanged()
    {
        var model = new LinearManyToOne(seed: 1);
        float[] before = (float[])model.Parameters.Clone();
        model.Gradients[LinearManyToOne.HeadBiasOffset + 1] = float.NaN;
        var adam = new Adam(LinearManyToOne.ParameterCount);

        var error = Assert.Throws<TrainingDivergedException>(() => model.ApplyGradients(adam));

        Assert.Contains("head.bias[1]", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Equal(before, model.Parameters);
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void A_generated_model_learns_a_sequence_task()
    {
        // Many-to-one regression: the target is the mean of the sequence's first feature over its valid steps.
        const int B = 16, T = 6;
        var model = new LinearManyToOne(seed: 3);
        var session = model.CreateSession(B, T);
        var adam = new Adam(LinearManyToOne.ParameterCount, learningRate: 1e-2f);
        float[] x = TestData.Uniform(B * T * LinearManyToOne.InputSize, 11);
        int[] lengths = new int[B];
        float[] y = new float[B * LinearManyToOne.OutputSize];
        for (int b = 0; b < B; b++)
        {
            lengths[b] = 1 + b % T;
            float sum = 0;
            for (int t = 0; t < lengths[b]; t++) sum += x[(b * T + t) * LinearManyToOne.InputSize];
            y[b * 2] = sum / lengths[b];
            y[b * 2 + 1] = -sum / lengths[b];
        }

        session.Forward(x, B, T, lengths);
        float first = session.Loss(y);
        float last = first;
        for (int step = 0; step < 300; step++)
        {
            session.Forward(x, B, T, lengths);
            last = session.Loss(y);
            session.Backward();
            model.ApplyGradients(adam, maxGradientNorm: 5f);
        }
        Assert.True(last < first * 0.05f, $"loss went from {first} to {last}");
    }
}
