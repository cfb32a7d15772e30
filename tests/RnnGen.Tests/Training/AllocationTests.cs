using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

/// <summary>After construction and one warm-up call, steps, losses, clipping and the head kernels allocate nothing.</summary>
public class AllocationTests
{
    [Fact]
    public void OptimizerSteps_DoNotAllocate()
    {
        const int n = 1001;
        var p = new float[n];
        var g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (i % 5 - 2) * 0.01f;
        IOptimizer[] optimizers =
        [
            new Sgd(n, 0.1f), new Sgd(n, 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 1e-4f),
            new Adam(n, weightDecay: 0.1f), new AdamW(n),
        ];
        foreach (IOptimizer optimizer in optimizers)
            Assert.Equal(0, SteadyState.AllocatedBytes(() => optimizer.Step(p, g)));
    }

    [Fact]
    public void LossesAndClipping_DoNotAllocate()
    {
        const int rows = 16, classes = 10;
        var logits = new float[rows * classes];
        for (int i = 0; i < logits.Length; i++) logits[i] = (i % 13 - 6) * 0.7f;
        var gradient = new float[logits.Length];
        var probabilities = new float[logits.Length];
        var targets = new int[rows];
        var binaryTargets = new float[logits.Length];
        for (int r = 0; r < rows; r++) targets[r] = r % classes;
        float sink = 0;
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += MeanSquaredError.Compute(logits, binaryTargets, gradient)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += BinaryCrossEntropy.ComputeWithLogits(logits, binaryTargets, gradient)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => BinaryCrossEntropy.Sigmoid(logits, probabilities)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += SoftmaxCrossEntropy.Compute(classes, logits, targets, gradient, probabilities)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += SoftmaxCrossEntropy.Compute(classes, logits, targets, default)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => Softmax.Forward(rows, classes, logits, probabilities)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => Softmax.LogForward(rows, classes, logits, probabilities)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += GradientClipping.ClipByGlobalNorm(gradient, 0.5f)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => GradientClipping.ClipByValue(gradient, 0.01f)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += GradientClipping.IndexOfNonFinite(gradient)));
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void LinearHead_DoesNotAllocate()
    {
        const int rows = 8, features = 12, outputs = 5;
        var x = new float[rows * features];
        var w = new float[outputs * features];
        var b = new float[outputs];
        var y = new float[rows * outputs];
        var dw = new float[w.Length];
        var db = new float[b.Length];
        var dx = new float[x.Length];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => LinearHead.Forward(rows, features, outputs, x, w, b, y)));
        Assert.Equal(0, SteadyState.AllocatedBytes(() => LinearHead.Backward(rows, features, outputs, x, w, y, dw, db, dx)));
    }
}
