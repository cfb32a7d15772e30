using System;
using System.Numerics.Tensors;
using RnnGen.Training;

namespace RnnGen.Kernels;

/// <summary>
/// Fully connected output head, PyTorch <c>nn.Linear</c>: <c>y = x·Wᵀ + b</c> on row-major spans,
/// with x [rows, features], W [outputs, features] (PyTorch layout), b [outputs], y [rows, outputs].
/// </summary>
/// <remarks>Allocation-free. Matrix products go through <see cref="Gemm"/>; the forward bias is added in the GEMM's tile store.
/// An empty <c>bias</c> / <c>dBias</c> means a head without bias (<c>nn.Linear(bias=False)</c>).</remarks>
public static class LinearHead
{
    /// <summary>y[n, o] = Σ_f x[n, f]·W[o, f] + b[o]. y is overwritten.</summary>
    public static void Forward(
        int rows, int features, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y)
    {
        CheckDimensions(rows, features, outputs);
        ArgumentChecks.Shape(x.Length, nameof(x), rows, nameof(rows), features, nameof(features));
        ArgumentChecks.Shape(weight.Length, nameof(weight), outputs, nameof(outputs), features, nameof(features));
        if (!bias.IsEmpty) ArgumentChecks.Length(bias.Length, outputs, nameof(bias), "outputs, or empty for no bias");
        ArgumentChecks.Shape(y.Length, nameof(y), rows, nameof(rows), outputs, nameof(outputs));
        if (rows == 0 || outputs == 0) return;

        Gemm.Multiply(false, true, rows, outputs, features, x, features, weight, features, y, outputs, false, bias);
    }

    /// <summary>
    /// Backward of <see cref="Forward"/> given dy = ∂L/∂y [rows, outputs]:
    /// dWeight [outputs, features] += dyᵀ·x; dBias [outputs] += Σ_n dy[n, ·] (skipped when empty);
    /// dx [rows, features] = dy·W is overwritten (skipped when empty).
    /// </summary>
    public static void Backward(
        int rows, int features, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dWeight, Span<float> dBias, Span<float> dx)
    {
        CheckDimensions(rows, features, outputs);
        ArgumentChecks.Shape(x.Length, nameof(x), rows, nameof(rows), features, nameof(features));
        ArgumentChecks.Shape(weight.Length, nameof(weight), outputs, nameof(outputs), features, nameof(features));
        ArgumentChecks.Shape(dy.Length, nameof(dy), rows, nameof(rows), outputs, nameof(outputs));
        ArgumentChecks.Shape(dWeight.Length, nameof(dWeight), outputs, nameof(outputs), features, nameof(features));
        if (!dBias.IsEmpty) ArgumentChecks.Length(dBias.Length, outputs, nameof(dBias), "outputs, or empty to skip");
        ArgumentChecks.OptionalShape(dx.Length, nameof(dx), rows, nameof(rows), features, nameof(features));

        if (rows > 0 && outputs > 0 && features > 0)
        {
            // dW[o, f] += Σ_n dy[n, o]·x[n, f]: op(A) = dyᵀ of the stored dy [rows, outputs].
            Gemm.Multiply(true, false, outputs, features, rows, dy, outputs, x, features, dWeight, features, true);
        }

        if (!dBias.IsEmpty)
        {
            for (int n = 0; n < rows; n++) TensorPrimitives.Add(dBias, dy.Slice(n * outputs, outputs), dBias);
        }

        if (!dx.IsEmpty)
        {
            if (outputs == 0) dx.Clear();
            else if (rows > 0 && features > 0)
                Gemm.Multiply(false, false, rows, features, outputs, dy, outputs, weight, features, dx, features, false);
        }
    }

    private static void CheckDimensions(int rows, int features, int outputs)
    {
        ArgumentChecks.NonNegative(rows, nameof(rows));
        ArgumentChecks.NonNegative(features, nameof(features));
        ArgumentChecks.NonNegative(outputs, nameof(outputs));
    }
}
