using System;
using System.Globalization;

namespace RnnGen.Training;

/// <summary>The minimal training step shared by samples and the trainer.</summary>
public static class ModelTrainingExtensions
{
    /// <summary>
    /// Finishes one training step after <c>Backward</c>: checks the gradients are finite, clips
    /// them to <paramref name="maxGradientNorm"/> (global L2 norm, PyTorch's <c>clip_grad_norm_</c>),
    /// lets <paramref name="optimizer"/> update the parameters, and zeroes the gradients.
    /// Returns the gradient norm before clipping. Allocation-free.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A gradient is NaN or infinite; parameters are left unchanged
    /// (gradients are zeroed so the next batch starts clean).</exception>
    public static float ApplyGradients(this IRnnModel model, IOptimizer optimizer, float maxGradientNorm = float.PositiveInfinity)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (optimizer is null) throw new ArgumentNullException(nameof(optimizer));
        if (!(maxGradientNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxGradientNorm), maxGradientNorm,
                $"Expected a positive maximum gradient norm, but got {maxGradientNorm.ToString(CultureInfo.InvariantCulture)}.");
        }

        Span<float> gradients = model.Gradients;
        int bad = GradientClipping.IndexOfNonFinite(gradients);
        if (bad >= 0)
        {
            string tensor = TensorAt(model, bad);
            float value = gradients[bad];
            gradients.Clear();
            throw new TrainingDivergedException(
                $"Training diverged: the gradient of {tensor} is {value.ToString(CultureInfo.InvariantCulture)} after {optimizer.StepCount} optimizer steps. " +
                "The parameters were not updated. Lower the learning rate, clip gradients (maxGradientNorm), or check the inputs and targets.");
        }

        float norm = float.IsPositiveInfinity(maxGradientNorm)
            ? GradientClipping.GlobalNorm(gradients)
            : GradientClipping.ClipByGlobalNorm(gradients, maxGradientNorm);
        optimizer.Step(model.Parameters, gradients);
        gradients.Clear();
        return norm;
    }

    private static string TensorAt(IRnnModel model, int index)
    {
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            if (index >= tensor.Offset && index < tensor.Offset + tensor.Length)
            {
                return $"{tensor.Name}[{index - tensor.Offset}]";
            }
        }
        return $"parameter {index}";
    }
}
