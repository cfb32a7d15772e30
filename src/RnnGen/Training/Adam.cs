using System;
using System.Collections.Generic;
using System.Numerics;
using RnnGen.Kernels;

namespace RnnGen.Training;

/// <summary>
/// Adam with exactly <c>torch.optim.Adam</c> semantics (amsgrad = False, maximize = False). With t = step number (1-based):
/// <code>
/// g = grad + weightDecay·p                          (L2 penalty added to the gradient)
/// m = β1·m + (1 − β1)·g                             ("exp_avg")
/// v = β2·v + (1 − β2)·g²                            ("exp_avg_sq")
/// p = p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// <see cref="AdamW"/> replaces the L2 term with decoupled weight decay.
/// </summary>
/// <remarks>State: <c>"exp_avg"</c> (first moment m) and <c>"exp_avg_sq"</c> (second moment v).</remarks>
public class Adam : Optimizer
{
    private readonly float[] _expAvg;
    private readonly float[] _expAvgSq;
    private readonly bool _decoupled;

    public Adam(int parameterCount, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : this(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
    }

    private protected Adam(int parameterCount, float learningRate, float beta1, float beta2, float epsilon,
        float weightDecay, bool decoupled)
        : base(parameterCount, learningRate, "exp_avg", "exp_avg_sq")
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        ArgumentChecks.NonNegativeFinite(epsilon, nameof(epsilon));
        ArgumentChecks.NonNegativeFinite(weightDecay, nameof(weightDecay));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
        _expAvg = State["exp_avg"];
        _expAvgSq = State["exp_avg_sq"];
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public float WeightDecay { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        long t = StepCount + 1;
        // Scalars are derived in double from the Python-style value of each hyperparameter and then cast to float,
        // as PyTorch computes them with Python floats before applying them to float32 tensors.
        double lrD = OptimizerState.PythonScalar(LearningRate);
        double b1D = OptimizerState.PythonScalar(Beta1), b2D = OptimizerState.PythonScalar(Beta2);
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        float oneMinusB1 = (float)(1 - b1D), oneMinusB2 = (float)(1 - b2D);
        double biasCorrection1 = 1 - Math.Pow(b1D, t);
        double biasCorrection2 = 1 - Math.Pow(b2D, t);
        float stepSize = (float)(lrD / biasCorrection1);
        float bc2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float l2 = _decoupled ? 0f : WeightDecay;
        float decay = _decoupled ? (float)(1 - lrD * OptimizerState.PythonScalar(WeightDecay)) : 1f;

        Span<float> m = _expAvg, v = _expAvgSq;
        int n = ParameterCount;
        int body = OptimizerState.VectorizedLength(n);
        Span<Vector<float>> pv = OptimizerState.AsVectors(parameters, body);
        ReadOnlySpan<Vector<float>> gv = OptimizerState.AsVectors(gradients, body);
        Span<Vector<float>> mv = OptimizerState.AsVectors(m, body);
        Span<Vector<float>> vv = OptimizerState.AsVectors(v, body);
        var vB1 = new Vector<float>(b1);
        var vB2 = new Vector<float>(b2);
        var v1B1 = new Vector<float>(oneMinusB1);
        var v1B2 = new Vector<float>(oneMinusB2);
        var vStep = new Vector<float>(stepSize);
        var vBc2 = new Vector<float>(bc2Sqrt);
        var vEps = new Vector<float>(eps);
        var vL2 = new Vector<float>(l2);
        var vDecay = new Vector<float>(decay);
        // Same operations and rounding as torch.optim.Adam/AdamW's single-tensor path: add_(…, alpha=…) is a fused
        // multiply-add; addcmul_ computes v + (value·g)·g and addcdiv_ computes p + (value·m)/denom.
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> p = pv[i];
            Vector<float> g = gv[i];
            if (l2 != 0f) g = FusedMath.MultiplyAdd(p, vL2, g);                   // grad.add(p, alpha=wd)
            if (decay != 1f) p *= vDecay;                                          // p.mul_(1 - lr·wd)
            Vector<float> mi = FusedMath.MultiplyAdd(g, v1B1, mv[i] * vB1);        // m.mul_(β1).add_(g, alpha=1-β1)
            Vector<float> vi = vv[i] * vB2 + v1B2 * g * g;                         // v.mul_(β2).addcmul_(g, g, value=1-β2)
            mv[i] = mi;
            vv[i] = vi;
            Vector<float> denom = Vector.SquareRoot(vi) / vBc2 + vEps;
            pv[i] = p - vStep * mi / denom;                                        // p.addcdiv_(m, denom, value=-step)
        }

        for (int i = body; i < n; i++)
        {
            float p = parameters[i];
            float g = gradients[i];
            if (l2 != 0f) g = FusedMath.MultiplyAdd(p, l2, g);
            if (decay != 1f) p *= decay;
            float mi = FusedMath.MultiplyAdd(g, oneMinusB1, m[i] * b1);
            float vi = v[i] * b2 + oneMinusB2 * g * g;
            m[i] = mi;
            v[i] = vi;
            float denom = MathF.Sqrt(vi) / bc2Sqrt + eps;
            parameters[i] = p - stepSize * mi / denom;
        }
    }

    private static void CheckBeta(float beta, string name)
    {
        if (!(beta >= 0f && beta < 1f))
            throw new ArgumentOutOfRangeException(name, beta, $"{name} must be in [0, 1) but is {beta}.");
    }
}

/// <summary>
/// AdamW with exactly <c>torch.optim.AdamW</c> semantics (amsgrad = False): decoupled weight decay
/// <c>p = p·(1 − lr·weightDecay)</c> first, then the <see cref="Adam"/> update with the raw gradient.
/// Default weightDecay = 0.01 as in PyTorch.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(int parameterCount, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true)
    {
    }
}
