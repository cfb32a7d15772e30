using System;
using System.Collections.Generic;
using System.Numerics;
using RnnGen.Kernels;

namespace RnnGen.Training;

/// <summary>
/// Adagrad with exactly <c>torch.optim.Adagrad</c> semantics (dense gradients, maximize = False). With t = step
/// number (1-based), per element:
/// <code>
/// g   = grad + weightDecay·p                        (L2 penalty added to the gradient)
/// clr = lr / (1 + (t − 1)·lrDecay)
/// s   = s + g²                                      ("sum", starts at initialAccumulatorValue)
/// p   = p − clr·g / (√s + ε)
/// </code>
/// PyTorch's defaults: lr = 0.01, lrDecay = 0, initialAccumulatorValue = 0, ε = 1e-10.
/// </summary>
/// <remarks>State: <c>"sum"</c>, the running sum of squared gradients, filled with InitialAccumulatorValue at construction (as PyTorch).</remarks>
public sealed class Adagrad : Optimizer
{
    private readonly float[] _sum;

    public Adagrad(int parameterCount, float learningRate = 1e-2f, float learningRateDecay = 0f, float weightDecay = 0f,
        float initialAccumulatorValue = 0f, float epsilon = 1e-10f)
        : base(parameterCount, learningRate, "sum")
    {
        ArgumentChecks.NonNegativeFinite(learningRateDecay, nameof(learningRateDecay));
        ArgumentChecks.NonNegativeFinite(weightDecay, nameof(weightDecay));
        ArgumentChecks.NonNegativeFinite(initialAccumulatorValue, nameof(initialAccumulatorValue));
        ArgumentChecks.NonNegativeFinite(epsilon, nameof(epsilon));

        LearningRateDecay = learningRateDecay;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
        _sum = State["sum"];
        _sum.AsSpan().Fill(initialAccumulatorValue);
    }

    public float LearningRateDecay { get; }
    public float WeightDecay { get; }
    public float InitialAccumulatorValue { get; }
    public float Epsilon { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        long t = StepCount + 1;
        // clr is computed in double from the Python-style values, as PyTorch does with Python floats, then cast.
        double clr = OptimizerState.PythonScalar(LearningRate)
                     / (1 + (t - 1) * OptimizerState.PythonScalar(LearningRateDecay));
        float negClr = (float)-clr, eps = Epsilon, wd = WeightDecay;
        Span<float> s = _sum;
        int n = ParameterCount;
        int body = OptimizerState.VectorizedLength(n);

        Span<Vector<float>> pv = OptimizerState.AsVectors(parameters, body);
        ReadOnlySpan<Vector<float>> gv = OptimizerState.AsVectors(gradients, body);
        Span<Vector<float>> sv = OptimizerState.AsVectors(s, body);
        var vNegClr = new Vector<float>(negClr);
        var vEps = new Vector<float>(eps);
        var vWd = new Vector<float>(wd);
        // Same operations and rounding as torch.optim.Adagrad's single-tensor path: add(…, alpha=…) is a fused
        // multiply-add; addcmul_(g, g, value=1) computes s + g·g; addcdiv_ computes p + (value·g)/std.
        for (int i = 0; i < pv.Length; i++)
        {
            Vector<float> p = pv[i];
            Vector<float> g = gv[i];
            if (wd != 0f) g = FusedMath.MultiplyAdd(p, vWd, g);      // grad.add(p, alpha=wd)
            Vector<float> si = sv[i] + g * g;                         // sum.addcmul_(g, g, value=1)
            sv[i] = si;
            Vector<float> std = Vector.SquareRoot(si) + vEps;         // sum.sqrt().add_(ε)
            pv[i] = p + vNegClr * g / std;                            // p.addcdiv_(g, std, value=-clr)
        }

        for (int i = body; i < n; i++)
        {
            float p = parameters[i];
            float g = gradients[i];
            if (wd != 0f) g = FusedMath.MultiplyAdd(p, wd, g);
            float si = s[i] + g * g;
            s[i] = si;
            float std = MathF.Sqrt(si) + eps;
            parameters[i] = p + negClr * g / std;
        }
    }
}
