using System;
using RnnGen.Initialization;

namespace AddingProblem;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber, 1997). Each step carries two features: a value drawn
/// uniformly from [0, 1) and a marker that is 1 at exactly two steps, one in the first half of the
/// sequence and one in the second, and 0 elsewhere. The target is the sum of the two marked values.
/// Predicting the constant 1 (the target's mean) scores MSE = Var(U₁ + U₂) = 2/12 ≈ 0.167: a model only
/// beats that by remembering the first marked value across at least half the sequence.
/// </summary>
internal sealed class AddingData
{
    public const int Features = 2;
    public const double BaselineMse = 2.0 / 12.0;

    private SeededRandom _random;

    public AddingData(long seed) => _random = new SeededRandom(seed);

    /// <summary>Fills <paramref name="inputs"/> [batch, steps, 2] and <paramref name="targets"/> [batch] with fresh sequences.</summary>
    public void Fill(Span<float> inputs, Span<float> targets, int batch, int steps)
    {
        int half = steps / 2;
        for (int b = 0; b < batch; b++)
        {
            Span<float> sequence = inputs.Slice(b * steps * Features, steps * Features);
            for (int t = 0; t < steps; t++)
            {
                sequence[t * Features] = _random.NextSingle();
                sequence[t * Features + 1] = 0f;
            }
            int first = _random.NextInt(half);
            int second = half + _random.NextInt(steps - half);
            sequence[first * Features + 1] = 1f;
            sequence[second * Features + 1] = 1f;
            targets[b] = sequence[first * Features] + sequence[second * Features];
        }
    }
}
