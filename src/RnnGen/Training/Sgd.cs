using System;
using System.Collections.Generic;
using System.Numerics;
using RnnGen.Kernels;

namespace RnnGen.Training;

/// <summary>
/// Stochastic gradient descent with exactly <c>torch.optim.SGD</c> semantics (maximize = False). Per element:
/// <code>
/// g = grad + weightDecay·p                      (if weightDecay ≠ 0)
/// if momentum ≠ 0:
///     buf = g                                    (first step: a plain copy, no dampening)
///     buf = momentum·buf + (1 − dampening)·g     (later steps)
///     g = nesterov ? g + momentum·buf : buf
/// p = p − lr·g
/// </code>
/// </summary>
/// <remarks>State: <c>"momentum_buffer"</c> when momentum ≠ 0 (counts as initialized once StepCount &gt; 0; PyTorch's buffer is None before the first step).</remarks>
public sealed class Sgd : Optimizer
{
    private readonly float[] _momentumBuffer;

    public Sgd(int parameterCount, float learningRate, float momentum = 0f, float dampening = 0f,
        bool nesterov = false, float weightDecay = 0f)
        : base(parameterCount, learningRate, momentum != 0f ? new[] { "momentum_buffer" } : Array.Empty<string>())
    {
        ArgumentChecks.NonNegativeFinite(momentum, nameof(momentum));
        if (!float.IsFinite(dampening))
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, $"dampening must be finite but is {dampening}.");
        ArgumentChecks.NonNegativeFinite(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException(
                $"Nesterov momentum requires momentum > 0 and dampening = 0 (momentum is {momentum}, dampening is {dampening}).",
                nameof(nesterov));

        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _momentumBuffer = momentum != 0f ? State["momentum_buffer"] : Array.Empty<float>();
    }

    public float Momentum { get; }
    public float Dampening { get; }
    public bool Nesterov { get; }
    public float WeightDecay { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        float lr = LearningRate, wd = WeightDecay, mu = Momentum, keep = (float)(1 - OptimizerState.PythonScalar(Dampening));
        bool first = StepCount == 0, hasMomentum = mu != 0f, nesterov = Nesterov;
        Span<float> buffer = _momentumBuffer;
        int n = ParameterCount;
        int body = OptimizerState.VectorizedLength(n);

        Span<Vector<float>> pv = OptimizerState.AsVectors(parameters, body);
        ReadOnlySpan<Vector<float>> gv = OptimizerState.AsVectors(gradients, body);
        Span<Vector<float>> bv = hasMomentum ? OptimizerState.AsVectors(buffer, body) : default;
        var vNegLr = new Vector<float>(-lr);
        var vWd = new Vector<float>(wd);
        var vMu = new Vector<float>(mu);
        var vKeep = new Vector<float>(keep);
        // Same operations and rounding as torch.optim.SGD's single-tensor path, whose add_(…, alpha=…) is a fused multiply-add.
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> p = pv[i];
            Vector<float> g = gv[i];
            if (wd != 0f) g = FusedMath.MultiplyAdd(p, vWd, g);                  // grad.add(p, alpha=wd)
            if (hasMomentum)
            {
                Vector<float> b = first ? g : FusedMath.MultiplyAdd(g, vKeep, bv[i] * vMu); // buf.mul_(mu).add_(g, alpha=1-dampening)
                bv[i] = b;
                g = nesterov ? FusedMath.MultiplyAdd(b, vMu, g) : b;              // g.add(buf, alpha=mu)
            }
            pv[i] = FusedMath.MultiplyAdd(g, vNegLr, p);                         // p.add_(g, alpha=-lr)
        }

        for (int i = body; i < n; i++)
        {
            float p = parameters[i];
            float g = gradients[i];
            if (wd != 0f) g = FusedMath.MultiplyAdd(p, wd, g);
            if (hasMomentum)
            {
                float b = first ? g : FusedMath.MultiplyAdd(g, keep, buffer[i] * mu);
                buffer[i] = b;
                g = nesterov ? FusedMath.MultiplyAdd(b, mu, g) : b;
            }
            parameters[i] = FusedMath.MultiplyAdd(g, -lr, p);
        }
    }
}
