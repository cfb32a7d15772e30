using System;

namespace RnnGen.Kernels;

/// <summary>Stub until the head kernel lands: y = x·Wᵀ + b and its backward, via Gemm.</summary>
public static class LinearHead
{
    public static void Forward(int rows, int features, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> y)
    {
        Gemm.Multiply(false, true, rows, outputs, features, x, features, weight, features, y, outputs, false);
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                y[r * outputs + o] += bias[o];
            }
        }
    }

    public static void Backward(int rows, int features, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dx)
    {
        Gemm.Multiply(true, false, outputs, features, rows, dy, outputs, x, features, dWeight, features, true);
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                dBias[o] += dy[r * outputs + o];
            }
        }
        if (!dx.IsEmpty)
        {
            Gemm.Multiply(false, false, rows, features, outputs, dy, outputs, weight, features, dx, features, false);
        }
    }
}
