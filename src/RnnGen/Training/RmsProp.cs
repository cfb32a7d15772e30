using System;
using System.Collections.Generic;
using System.Numerics;
using RnnGen.Kernels;

namespace RnnGen.Training;

/// <summary>
/// RMSProp with exactly <c>torch.optim.RMSprop</c> semantics (maximize = False). Per element:
/// <code>
/// g = grad + weightDecay·p                              (L2 penalty added to the gradient)
/// v = α·v + (1 − α)·g²                                  ("square_avg")
/// if centered:  ḡ = α·ḡ + (1 − α)·g                     ("grad_avg")
///               avg = √(v − ḡ²) + ε
/// else:         avg = √v + ε
/// if momentum &gt; 0:  buf = momentum·buf + g / avg       ("momentum_buffer", starts at 0)
///                   p = p − lr·buf
/// else:             p = p − lr·g / avg
/// </code>
/// Note that ε is added outside the square root (as in PyTorch; TensorFlow adds it inside) and that
/// PyTorch's default learning rate is 0.01.
/// </summary>
/// <remarks>State: <c>"square_avg"</c>, plus <c>"momentum_buffer"</c> (momentum &gt; 0) and <c>"grad_avg"</c> (centered).</remarks>
public sealed class RmsProp : Optimizer
{
    private readonly float[] _squareAvg;
    private readonly float[] _gradAvg;
    private readonly float[] _momentumBuffer;

    public RmsProp(int parameterCount, float learningRate = 1e-2f, float alpha = 0.99f, float epsilon = 1e-8f,
        float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(parameterCount, learningRate, StateNames(momentum, centered))
    {
        if (!(alpha >= 0f && alpha <= 1f))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha must be in [0, 1] but is {alpha}.");
        ArgumentChecks.NonNegativeFinite(epsilon, nameof(epsilon));
        ArgumentChecks.NonNegativeFinite(weightDecay, nameof(weightDecay));
        ArgumentChecks.NonNegativeFinite(momentum, nameof(momentum));

        Alpha = alpha;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;

        _squareAvg = State["square_avg"];
        _momentumBuffer = momentum > 0f ? State["momentum_buffer"] : Array.Empty<float>();
        _gradAvg = centered ? State["grad_avg"] : Array.Empty<float>();
    }

    /// <summary>State names as in PyTorch's <c>optimizer.state[p]</c>: <c>"square_avg"</c> always, <c>"momentum_buffer"</c>
    /// when momentum &gt; 0, <c>"grad_avg"</c> when centered. All start at zero.</summary>
    private static string[] StateNames(float momentum, bool centered) =>
        (momentum > 0f, centered) switch
        {
            (true, true) => new[] { "square_avg", "momentum_buffer", "grad_avg" },
            (true, false) => new[] { "square_avg", "momentum_buffer" },
            (false, true) => new[] { "square_avg", "grad_avg" },
            _ => new[] { "square_avg" },
        };

    public float Alpha { get; }
    public float Epsilon { get; }
    public float WeightDecay { get; }
    public float Momentum { get; }
    public bool Centered { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        // Python-style scalars, as in Adam: 1 − α is computed in double from the decimal value of α, then cast.
        float alpha = Alpha, oneMinusAlpha = (float)(1 - OptimizerState.PythonScalar(Alpha));
        float eps = Epsilon, wd = WeightDecay, mu = Momentum, negLr = -LearningRate;
        bool centered = Centered, hasMomentum = mu > 0f;
        Span<float> sq = _squareAvg, ga = _gradAvg, buf = _momentumBuffer;
        int n = ParameterCount;
        int body = OptimizerState.VectorizedLength(n);

        Span<Vector<float>> pv = OptimizerState.AsVectors(parameters, body);
        ReadOnlySpan<Vector<float>> gv = OptimizerState.AsVectors(gradients, body);
        Span<Vector<float>> sqv = OptimizerState.AsVectors(sq, body);
        Span<Vector<float>> gav = centered ? OptimizerState.AsVectors(ga, body) : default;
        Span<Vector<float>> bufv = hasMomentum ? OptimizerState.AsVectors(buf, body) : default;
        var vAlpha = new Vector<float>(alpha);
        var v1Alpha = new Vector<float>(oneMinusAlpha);
        var vEps = new Vector<float>(eps);
        var vWd = new Vector<float>(wd);
        var vMu = new Vector<float>(mu);
        var vNegLr = new Vector<float>(negLr);
        // Same operations and rounding as torch.optim.RMSprop's single-tensor path: add_(…, alpha=…) is a fused
        // multiply-add; addcmul_ computes v + (value·g)·g; addcdiv_ computes p + (value·g)/avg.
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> p = pv[i];
            Vector<float> g = gv[i];
            if (wd != 0f) g = FusedMath.MultiplyAdd(p, vWd, g);                      // grad.add(p, alpha=wd)
            Vector<float> v = sqv[i] * vAlpha + v1Alpha * g * g;                      // v.mul_(α).addcmul_(g, g, value=1-α)
            sqv[i] = v;
            Vector<float> avg;
            if (centered)
            {
                Vector<float> m = FusedMath.MultiplyAdd(g, v1Alpha, gav[i] * vAlpha); // ḡ.mul_(α).add_(g, alpha=1-α)
                gav[i] = m;
                avg = Vector.SquareRoot(v - m * m) + vEps;                             // v.addcmul(ḡ, ḡ, value=-1).sqrt_().add_(ε)
            }
            else
            {
                avg = Vector.SquareRoot(v) + vEps;                                     // v.sqrt().add_(ε)
            }
            if (hasMomentum)
            {
                Vector<float> b = bufv[i] * vMu + g / avg;                             // buf.mul_(μ).addcdiv_(g, avg)
                bufv[i] = b;
                pv[i] = FusedMath.MultiplyAdd(b, vNegLr, p);                           // p.add_(buf, alpha=-lr)
            }
            else
            {
                pv[i] = p + vNegLr * g / avg;                                          // p.addcdiv_(g, avg, value=-lr)
            }
        }

        for (int i = body; i < n; i++)
        {
            float p = parameters[i];
            float g = gradients[i];
            if (wd != 0f) g = FusedMath.MultiplyAdd(p, wd, g);
            float v = sq[i] * alpha + oneMinusAlpha * g * g;
            sq[i] = v;
            float avg;
            if (centered)
            {
                float m = FusedMath.MultiplyAdd(g, oneMinusAlpha, ga[i] * alpha);
                ga[i] = m;
                avg = MathF.Sqrt(v - m * m) + eps;
            }
            else
            {
                avg = MathF.Sqrt(v) + eps;
            }
            if (hasMomentum)
            {
                float b = buf[i] * mu + g / avg;
                buf[i] = b;
                parameters[i] = FusedMath.MultiplyAdd(b, negLr, p);
            }
            else
            {
                parameters[i] = p + negLr * g / avg;
            }
        }
    }
}
