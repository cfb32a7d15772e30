using System.Collections.Generic;

namespace RnnGen;

/// <summary>
/// What every generated model exposes to the runtime (trainer, serializer, decoders, pool),
/// so generic code works with any model without reflection.
/// </summary>
public interface IRnnModel
{
    /// <summary>Canonical one-line description of the architecture; two models can exchange
    /// weights exactly when their architectures are equal.</summary>
    string Architecture { get; }

    /// <summary>Total number of trainable floats.</summary>
    int ParameterCount { get; }

    /// <summary>All parameters in one contiguous buffer, laid out as <see cref="ParameterTensors"/> says.</summary>
    float[] Parameters { get; }

    /// <summary>Gradients, same layout as <see cref="Parameters"/>; backward passes add into it.</summary>
    float[] Gradients { get; }

    /// <summary>Named views of <see cref="Parameters"/> with PyTorch <c>state_dict</c> names and shapes.</summary>
    IReadOnlyList<ParameterTensor> ParameterTensors { get; }
}
