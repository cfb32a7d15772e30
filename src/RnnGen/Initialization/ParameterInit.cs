using System;

namespace RnnGen.Initialization;

/// <summary>Seeded parameter initializers used by generated models. Each consumes the shared
/// <see cref="SeededRandom"/> in a fixed order, so a seed fixes every weight.</summary>
public static class ParameterInit
{
    /// <summary>
    /// Fills <paramref name="values"/> with uniform(−bound, bound): PyTorch's default for
    /// recurrent weights and biases (bound = 1/√H) and for <c>nn.Linear</c> (bound = 1/√fan_in);
    /// Glorot-uniform with bound = √(6 / (fan_in + fan_out)).
    /// </summary>
    public static void Uniform(Span<float> values, float bound, ref SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (2f * random.NextSingle() - 1f) * bound;
        }
    }

    /// <summary>Normal(0, std²): PyTorch's <c>nn.Embedding</c> default with std = 1.</summary>
    public static void Normal(Span<float> values, float std, ref SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextGaussian() * std);
        }
    }

    /// <summary>Every element = <paramref name="value"/> (layer-norm gains 1, biases 0).</summary>
    public static void Constant(Span<float> values, float value) => values.Fill(value);

    /// <summary>
    /// Zero biases with the LSTM forget-gate block (elements H..2H of the i, f, g, o stack) set to
    /// <paramref name="forgetBias"/>: Keras' <c>unit_forget_bias</c>.
    /// </summary>
    public static void ForgetGateBias(Span<float> values, int hiddenSize, float forgetBias)
    {
        if (values.Length != 4 * hiddenSize)
        {
            throw new ArgumentException($"Expected an LSTM bias of 4·{hiddenSize} values, but got {values.Length}.", nameof(values));
        }
        values.Clear();
        values.Slice(hiddenSize, hiddenSize).Fill(forgetBias);
    }

    /// <summary>
    /// A matrix [rows, columns] (rows ≥ columns) with orthonormal columns: Gaussian draws, then
    /// modified Gram–Schmidt in double precision. This is Keras' orthogonal recurrent kernel
    /// [columns, rows] transposed into PyTorch's [G·H, H] layout.
    /// </summary>
    public static void Orthogonal(Span<float> values, int rows, int columns, ref SeededRandom random)
    {
        if (rows < columns || values.Length != rows * columns)
        {
            throw new ArgumentException($"Expected a [{rows}, {columns}] matrix with rows ≥ columns, but got {values.Length} values.", nameof(values));
        }
        var q = new double[rows * columns]; // initialization only: allocation is fine here
        for (int i = 0; i < q.Length; i++)
        {
            q[i] = random.NextGaussian();
        }
        for (int j = 0; j < columns; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < rows; i++) dot += q[i * columns + j] * q[i * columns + k];
                for (int i = 0; i < rows; i++) q[i * columns + j] -= dot * q[i * columns + k];
            }
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += q[i * columns + j] * q[i * columns + j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < rows; i++) q[i * columns + j] /= norm;
        }
        for (int i = 0; i < q.Length; i++)
        {
            values[i] = (float)q[i];
        }
    }
}
