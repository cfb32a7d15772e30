using System;
using RnnGen.Initialization;

namespace RnnGen.Tests.Support;

internal static class TestData
{
    public static float[] Uniform(int count, int seed, float scale = 1f)
    {
        var random = new SeededRandom(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (2f * random.NextSingle() - 1f) * scale;
        }
        return values;
    }

    public static int[] Classes(int count, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        var values = new int[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextInt(classes);
        }
        return values;
    }

    public static float[] Probabilities(int count, int seed)
    {
        var random = new SeededRandom(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextSingle();
        }
        return values;
    }

    /// <summary>Relative error |a − b| / max(|a|, |b|, floor).</summary>
    public static double RelativeError(double a, double b, double floor) =>
        Math.Abs(a - b) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), floor);
}

/// <summary>
/// Central finite differences on a model's flat parameter buffer, in the style of llm.c's
/// gradient tests: compares analytic and numeric derivatives and reports the worst mismatch.
/// </summary>
internal static class GradientCheck
{
    public static (double MaxError, string Worst) Check(IRnnModel model, Func<float> loss, Action backward,
        int samples = 80, float epsilon = 1e-2f, int seed = 7, Func<string, int, bool>? skip = null)
    {
        Array.Clear(model.Gradients);
        loss();
        backward();
        float[] analytic = (float[])model.Gradients.Clone();

        var random = new SeededRandom(seed);
        double maxError = 0;
        string worst = "";
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            // Every element of small tensors, a random sample of large ones.
            int count = Math.Min(tensor.Length, Math.Max(4, samples / model.ParameterTensors.Count));
            for (int s = 0; s < count; s++)
            {
                int index = tensor.Offset + (count == tensor.Length ? s : random.NextInt(tensor.Length));
                if (skip?.Invoke(tensor.Name, index - tensor.Offset) == true)
                {
                    continue;
                }
                float saved = model.Parameters[index];
                model.Parameters[index] = saved + epsilon;
                double plus = loss();
                model.Parameters[index] = saved - epsilon;
                double minus = loss();
                model.Parameters[index] = saved;
                double numeric = (plus - minus) / (2 * epsilon);
                double error = TestData.RelativeError(numeric, analytic[index], 1e-2);
                if (error > maxError)
                {
                    maxError = error;
                    worst = $"{tensor.Name}[{index - tensor.Offset}]: analytic {analytic[index]:G6}, numeric {numeric:G6}";
                }
            }
        }
        return (maxError, worst);
    }

    /// <summary><see cref="Check"/>, logged, failing when the worst relative error reaches <paramref name="tolerance"/>.</summary>
    public static void Assert(Xunit.Abstractions.ITestOutputHelper log, IRnnModel model, Func<float> loss, Action backward,
        double tolerance = 2e-2, float epsilon = 1e-2f, Func<string, int, bool>? skip = null)
    {
        var (maxError, worst) = Check(model, loss, backward, epsilon: epsilon, skip: skip);
        log.WriteLine($"max relative error {maxError:E2} at {worst}");
        Xunit.Assert.True(maxError < tolerance, $"gradient mismatch {maxError:E2} at {worst}");
    }
}
