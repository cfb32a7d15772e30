using System;
using System.Collections.Generic;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

/// <summary>A variant layer under test with every buffer owned; tensors listed for finite differences.</summary>
internal interface IVariantLayer
{
    float[] Y { get; }
    float[] HN { get; }
    /// <summary>Empty for GRU.</summary>
    float[] CN { get; }
    void Forward();
    /// <summary>dy uses y's [B·T, 2S] addressing; empty arrays mean zero.</summary>
    void Backward(float[] dy, float[] dhN, float[] dcN, bool wantDx = true, bool wantDh0 = true);
    /// <summary>(name, value, gradient, accumulates): accumulating gradients are +=, the others (dh0, dc0) =.</summary>
    IReadOnlyList<(string Name, float[] Value, float[] Grad, bool Accumulates)> Tensors { get; }
}

internal static class VariantFill
{
    public static float[] Uniform(Random rng, int n, float scale, float offset = 0f)
    {
        var a = new float[n];
        for (int k = 0; k < n; k++) a[k] = offset + (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }

    /// <summary>Recurrent-dropout mask: each value 0 (probability p) or 1/(1 − p); at least one zero per row.</summary>
    public static float[] DropoutMask(Random rng, int rows, int width, double p)
    {
        var m = new float[rows * width];
        float keep = (float)(1.0 / (1.0 - p));
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < width; j++) m[r * width + j] = rng.NextDouble() < p ? 0f : keep;
            m[r * width + rng.Next(width)] = 0f;
        }
        return m;
    }
}

/// <summary>
/// Central finite differences (float32 forward, double loss) against the analytic backward for every
/// tensor of a variant layer; loss L = Σ y⊙R + Σ hN⊙S (+ Σ cN⊙U), R covering padded positions too.
/// Step eps = 1e-2 as in <see cref="LayerGradientCheckTests"/>, Richardson-extrapolated (five-point stencil),
/// which allows tighter tolerances: fail when |analytic − numeric| &gt; 5e-3·max(|analytic|, |numeric|) + 5e-4.
/// </summary>
internal static class VariantGradientCheck
{
    public const double Eps = 1e-2;
    public const double RelTol = 5e-3;
    public const double AbsTol = 5e-4;

    public static void Run(IVariantLayer layer, string label, ITestOutputHelper output)
    {
        var rng = new Random(99);
        float[] r = VariantFill.Uniform(rng, layer.Y.Length, 1f);
        float[] s = VariantFill.Uniform(rng, layer.HN.Length, 1f);
        float[] u = VariantFill.Uniform(rng, layer.CN.Length, 1f);

        var tensors = layer.Tensors;
        var priors = new float[tensors.Count][];
        for (int k = 0; k < tensors.Count; k++)
        {
            var (_, _, grad, acc) = tensors[k];
            if (acc)
            {
                priors[k] = VariantFill.Uniform(rng, grad.Length, 3f);
                priors[k].CopyTo(grad, 0);
            }
            else
            {
                Array.Fill(grad, float.NaN);
            }
        }

        layer.Forward();
        layer.Backward(r, s, u);

        double Loss()
        {
            layer.Forward();
            double l = 0;
            for (int k = 0; k < r.Length; k++) l += (double)layer.Y[k] * r[k];
            for (int k = 0; k < s.Length; k++) l += (double)layer.HN[k] * s[k];
            for (int k = 0; k < u.Length; k++) l += (double)layer.CN[k] * u[k];
            return l;
        }

        double Central(float[] value, int k, double step)
        {
            float original = value[k];
            value[k] = (float)(original + step);
            double plusStep = value[k] - (double)original;
            double lp = Loss();
            value[k] = (float)(original - step);
            double minusStep = original - (double)value[k];
            double lm = Loss();
            value[k] = original;
            return (lp - lm) / (plusStep + minusStep);
        }

        double maxAbs = 0, maxScaled = 0;
        int total = 0;
        var failures = new List<string>();
        for (int ti = 0; ti < tensors.Count; ti++)
        {
            var (name, value, analytic, acc) = tensors[ti];
            for (int k = 0; k < value.Length; k++)
            {
                // Central differences at steps eps and 2·eps, combined by Richardson extrapolation
                // (the five-point stencil): truncation O(eps⁴), so the curvature that layer norm adds
                // does not swamp the comparison.
                double numeric = (4 * Central(value, k, Eps) - Central(value, k, 2 * Eps)) / 3;
                total++;
                double a = analytic[k] - (acc ? priors[ti][k] : 0.0);
                double err = Math.Abs(a - numeric);
                double scale = Math.Max(Math.Abs(a), Math.Abs(numeric));
                maxAbs = Math.Max(maxAbs, err);
                maxScaled = Math.Max(maxScaled, err / Math.Max(scale, 0.1));
                if (!(err <= RelTol * scale + AbsTol))
                {
                    failures.Add($"{name}[{k}]: analytic {a:G6}, numeric {numeric:G6}");
                }
            }
        }
        output.WriteLine($"{label}: {total} entries, max |analytic - numeric| = {maxAbs:E2}, max error / max(|g|, 0.1) = {maxScaled:E2}");
        Assert.True(failures.Count == 0, label + ":\n" + string.Join("\n", failures.GetRange(0, Math.Min(40, failures.Count))));
    }
}

/// <summary>Finite-difference gradient checks of <see cref="RnnGen.Kernels.LstmVariantLayer"/> and <see cref="RnnGen.Kernels.GruVariantLayer"/>.</summary>
public class VariantGradientCheckTests(ITestOutputHelper output)
{
    private static readonly int[] Lengths = { 5, 2, 4 };

    public static IEnumerable<object[]> LstmCases()
    {
        // (peepholes, projection, layer norm, mask): each option alone, every pair, all three; masks on a few.
        var combos = new (bool, bool, bool, bool)[]
        {
            (true, false, false, false), (false, true, false, false), (false, false, true, false),
            (true, true, false, false), (true, false, true, false), (false, true, true, false),
            (true, true, true, false),
            (false, false, false, true), (false, true, false, true), (true, true, true, true),
        };
        foreach (var (peep, proj, ln, mask) in combos)
        {
            foreach (bool reverse in new[] { false, true })
            {
                yield return new object[] { peep, proj, ln, mask, reverse };
            }
        }
    }

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void Lstm_variant_gradients_match_finite_differences(bool peepholes, bool projection, bool layerNorm, bool mask, bool reverse)
    {
        var options = new RnnGen.Kernels.LstmVariantOptions(peepholes, projection ? 5 : 0, layerNorm);
        var dims = new RnnGen.Kernels.LayerDims(Batch: 3, Steps: 5, InputSize: 3, HiddenSize: 9);
        var layer = new LstmVariantHarness(dims, options, reverse, Lengths, seed: 2000 + (peepholes ? 1 : 0) + (projection ? 2 : 0) + (layerNorm ? 4 : 0) + (mask ? 8 : 0) + (reverse ? 16 : 0),
            withMask: mask);
        VariantGradientCheck.Run(layer, $"LSTM {options} mask={mask} reverse={reverse}", output);
    }

    public static IEnumerable<object[]> GruCases()
    {
        // (reset before, layer norm, mask)
        var combos = new (bool, bool, bool)[]
        {
            (true, false, false), (false, true, false), (true, true, false),
            (false, false, true), (true, false, true), (false, true, true), (true, true, true),
        };
        foreach (var (before, ln, mask) in combos)
        {
            foreach (bool reverse in new[] { false, true })
            {
                yield return new object[] { before, ln, mask, reverse };
            }
        }
    }

    [Theory]
    [MemberData(nameof(GruCases))]
    public void Gru_variant_gradients_match_finite_differences(bool resetBefore, bool layerNorm, bool mask, bool reverse)
    {
        var options = new RnnGen.Kernels.GruVariantOptions(resetBefore, layerNorm);
        var dims = new RnnGen.Kernels.LayerDims(Batch: 3, Steps: 5, InputSize: 3, HiddenSize: 9);
        var layer = new GruVariantHarness(dims, options, reverse, Lengths, seed: 3000 + (resetBefore ? 1 : 0) + (layerNorm ? 2 : 0) + (mask ? 4 : 0) + (reverse ? 8 : 0),
            withMask: mask);
        VariantGradientCheck.Run(layer, $"GRU {options} mask={mask} reverse={reverse}", output);
    }
}
