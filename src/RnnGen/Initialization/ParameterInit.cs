using System;

namespace RnnGen.Initialization;

/// <summary>Seeded parameter initializers used by generated models.</summary>
public static class ParameterInit
{
    /// <summary>
    /// Fills <paramref name="values"/> with uniform(−bound, bound): PyTorch's default for
    /// recurrent weights and biases (bound = 1/√H) and for <c>nn.Linear</c> (bound = 1/√fan_in).
    /// </summary>
    public static void Uniform(Span<float> values, float bound, ref SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (2f * random.NextSingle() - 1f) * bound;
        }
    }
}
