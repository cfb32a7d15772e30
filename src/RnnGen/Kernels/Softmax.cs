using System;
using System.Numerics.Tensors;
using RnnGen.Training;

namespace RnnGen.Kernels;

/// <summary>Row-wise, numerically stable softmax and log-softmax over [rows, columns] row-major spans
/// (PyTorch <c>torch.softmax(x, dim=-1)</c> / <c>log_softmax</c>).</summary>
/// <remarks>Each row is shifted by its maximum before exponentiation, so logits of ±1000 stay finite.
/// <c>output</c> may be the same span as <c>input</c> (in place); partial overlap is not allowed. Allocation-free.</remarks>
public static class Softmax
{
    /// <summary>output[r, c] = exp(x[r, c] − m_r) / Σ_j exp(x[r, j] − m_r), m_r = max_j x[r, j].</summary>
    public static void Forward(int rows, int columns, ReadOnlySpan<float> input, Span<float> output)
    {
        Check(rows, columns, input, output);
        if (columns == 0) return;
        for (int r = 0; r < rows; r++)
        {
            Span<float> dst = output.Slice(r * columns, columns);
            float sum = ShiftedExp(input.Slice(r * columns, columns), dst, out _);
            TensorPrimitives.Divide(dst, sum, dst);
        }
    }

    /// <summary>output[r, c] = (x[r, c] − m_r) − log Σ_j exp(x[r, j] − m_r).</summary>
    public static void LogForward(int rows, int columns, ReadOnlySpan<float> input, Span<float> output)
    {
        Check(rows, columns, input, output);
        if (columns == 0) return;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> src = input.Slice(r * columns, columns);
            Span<float> dst = output.Slice(r * columns, columns);
            TensorPrimitives.Subtract(src, TensorPrimitives.Max(src), dst);
            float sum = 0f;
            for (int c = 0; c < dst.Length; c++) sum += MathF.Exp(dst[c]);
            TensorPrimitives.Subtract(dst, MathF.Log(sum), dst);
        }
    }

    /// <summary>Writes exp(row − max(row)) into <paramref name="destination"/> and returns its sum.</summary>
    internal static float ShiftedExp(ReadOnlySpan<float> row, Span<float> destination, out float max)
    {
        max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, destination);
        TensorPrimitives.Exp(destination, destination);
        return TensorPrimitives.Sum(destination);
    }

    private static void Check(int rows, int columns, ReadOnlySpan<float> input, Span<float> output)
    {
        ArgumentChecks.NonNegative(rows, nameof(rows));
        ArgumentChecks.NonNegative(columns, nameof(columns));
        ArgumentChecks.Shape(input.Length, nameof(input), rows, nameof(rows), columns, nameof(columns));
        ArgumentChecks.Shape(output.Length, nameof(output), rows, nameof(rows), columns, nameof(columns));
    }
}
