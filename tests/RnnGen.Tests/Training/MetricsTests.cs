using System;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void Softmax_ManyToMany_AccuracyAndPerplexity_OverValidRows()
    {
        var acc = new MetricsAccumulator(Head.Softmax, Sequence.ManyToMany, 3);
        // batch 1: 2 sequences × 2 steps, lengths {2, 1}; row (1, 1) is padding and must be ignored.
        float[] probabilities =
        [
            0.1f, 0.7f, 0.2f,   0.5f, 0.3f, 0.2f,
            0.2f, 0.2f, 0.6f,   0.9f, 0.05f, 0.05f,
        ];
        acc.Add(2, 2, [2, 1], probabilities, default, [1, 2, 2, 0], 0.9f); // correct, wrong, correct, (padding)
        // batch 2: 1 sequence × 2 steps.
        acc.Add(1, 2, [2], [0.9f, 0.05f, 0.05f, 0.3f, 0.4f, 0.3f], default, [0, 0], 0.3f); // correct, wrong
        Metrics m = acc.Result();
        Assert.Equal(5, m.Rows);
        Assert.Equal(0.6, m.Accuracy, 12);
        double loss = (0.9f * 3.0 + 0.3f * 2.0) / 5; // weighted by rows
        Assert.Equal(loss, m.Loss, 12);
        Assert.Equal(Math.Exp(loss), m.Perplexity, 12);
        Assert.True(double.IsNaN(m.MeanAbsoluteError));
        Assert.Equal(m.Accuracy, m[Metric.Accuracy]);
    }

    [Fact]
    public void Softmax_ManyToOne_HasAccuracyButNoPerplexity()
    {
        var acc = new MetricsAccumulator(Head.Softmax, Sequence.ManyToOne, 2);
        acc.Add(3, 5, default, [0.2f, 0.8f, 0.6f, 0.4f, 0.3f, 0.7f], default, [1, 1, 1], 0.5f);
        Metrics m = acc.Result();
        Assert.Equal(3, m.Rows);
        Assert.Equal(2.0 / 3, m.Accuracy, 12);
        Assert.True(double.IsNaN(m.Perplexity));
    }

    [Fact]
    public void Linear_MaeAndRmse_OverEveryElement()
    {
        var acc = new MetricsAccumulator(Head.Linear, Sequence.ManyToOne, 2);
        acc.Add(2, 7, default, [1f, 2f, 3f, 4f], [0f, 2f, 5f, 1f], default, 3.5f); // errors 1, 0, −2, 3
        Metrics m = acc.Result();
        Assert.Equal(1.5, m.MeanAbsoluteError, 12);
        Assert.Equal(Math.Sqrt(3.5), m.RootMeanSquaredError, 12);
        Assert.Equal(3.5, m.Loss, 12);
        Assert.True(double.IsNaN(m.Accuracy));
    }

    [Fact]
    public void Linear_ManyToMany_IgnoresPaddedSteps()
    {
        var acc = new MetricsAccumulator(Head.Linear, Sequence.ManyToMany, 1);
        acc.Add(2, 2, [1, 2], [1f, 100f, 2f, 2f], [0f, -100f, 0f, 2f], default, 1f); // errors 1, (pad), 2, 0
        Metrics m = acc.Result();
        Assert.Equal(3, m.Rows);
        Assert.Equal(1.0, m.MeanAbsoluteError, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), m.RootMeanSquaredError, 12);
    }

    [Fact]
    public void Sigmoid_AccuracyPerElementAtOneHalf()
    {
        var acc = new MetricsAccumulator(Head.Sigmoid, Sequence.ManyToOne, 2);
        acc.Add(2, 3, default, [0.7f, 0.2f, 0.5f, 0.1f], [1f, 1f, 1f, 0f], default, 0.4f);
        Assert.Equal(0.75, acc.Result().Accuracy, 12);
        acc.Reset();
        Assert.True(double.IsNaN(acc.Result().Loss));
    }

    [Fact]
    public void MetricInfo_DirectionAndApplicability()
    {
        Assert.True(Metric.Accuracy.HigherIsBetter());
        Assert.False(Metric.Perplexity.HigherIsBetter());
        Assert.True(Metric.Perplexity.AppliesTo(Head.Softmax, Sequence.ManyToMany));
        Assert.False(Metric.Perplexity.AppliesTo(Head.Softmax, Sequence.ManyToOne));
        Assert.True(Metric.MeanAbsoluteError.AppliesTo(Head.Linear, Sequence.ManyToOne));
        Assert.False(Metric.Accuracy.AppliesTo(Head.Linear, Sequence.ManyToOne));
    }
}
