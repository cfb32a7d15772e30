using System;

namespace RnnGen;

/// <summary>
/// Declares a recurrent model on a <c>partial class</c>. At build time the RnnGen generator emits
/// the model's parameters (PyTorch <c>state_dict</c> names), forward and backward passes, a
/// session type that owns every buffer, and one-step streaming inference.
/// </summary>
/// <example>
/// <code>
/// [RnnModel(Cell.Lstm, InputSize = 32, HiddenSize = 128, Layers = 2, Bidirectional = true,
///           Head = Head.Softmax, OutputSize = 5, Sequence = Sequence.ManyToOne)]
/// public partial class IntentClassifier;
/// </code>
/// </example>
/// <remarks>
/// Invalid declarations are reported as RNG diagnostics at build time (see docs/diagnostics.md).
/// <see cref="AttributeUsageAttribute.AllowMultiple"/> is true only so that a repeated attribute
/// gets RnnGen's own diagnostic (RNG0009) instead of a generic compiler error.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RnnModelAttribute : Attribute
{
    public RnnModelAttribute(Cell cell) => Cell = cell;

    /// <summary>The recurrent cell.</summary>
    public Cell Cell { get; }

    /// <summary>Features per time step (PyTorch <c>input_size</c>). Required.</summary>
    public int InputSize { get; set; }

    /// <summary>Hidden units per direction (PyTorch <c>hidden_size</c>). Required.</summary>
    public int HiddenSize { get; set; }

    /// <summary>Stacked recurrent layers (PyTorch <c>num_layers</c>). Default 1.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Run a reverse direction too; outputs are concatenated [forward, reverse] as in PyTorch.</summary>
    public bool Bidirectional { get; set; }

    /// <summary>Activation of a <see cref="Cell.Rnn"/> cell. Only valid for <see cref="Cell.Rnn"/>.</summary>
    public Nonlinearity Nonlinearity { get; set; }

    /// <summary>The output head. Default <see cref="RnnGen.Head.None"/>.</summary>
    public Head Head { get; set; }

    /// <summary>Outputs of the head (classes, targets). Required with a head, invalid without one.</summary>
    public int OutputSize { get; set; }

    /// <summary>Which steps the head reads. Default <see cref="RnnGen.Sequence.ManyToMany"/>.</summary>
    public Sequence Sequence { get; set; } = Sequence.ManyToMany;
}
