namespace RnnGen.Generator.Model;

/// <summary>Mirror of the runtime's <c>RnnGen.Cell</c> (same numeric values).</summary>
internal enum CellKind { Rnn = 0, Lstm = 1, Gru = 2 }

/// <summary>Mirror of the runtime's <c>RnnGen.Nonlinearity</c>.</summary>
internal enum NonlinearityKind { Tanh = 0, Relu = 1 }

/// <summary>Mirror of the runtime's <c>RnnGen.Head</c>.</summary>
internal enum HeadKind { None = 0, Linear = 1, Sigmoid = 2, Softmax = 3 }

/// <summary>Mirror of the runtime's <c>RnnGen.Sequence</c>.</summary>
internal enum SequenceMode { ManyToOne = 0, ManyToMany = 1 }

/// <summary>
/// Everything the emitter needs to know about one declared model: plain values only (no symbols,
/// syntax or compilation), so the incremental pipeline can compare and cache it.
/// </summary>
internal sealed record ModelSpec(
    TypeSpec Type,
    CellKind Cell,
    NonlinearityKind Nonlinearity,
    int InputSize,
    int HiddenSize,
    int Layers,
    bool Bidirectional,
    HeadKind Head,
    int OutputSize,
    SequenceMode Sequence)
{
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Gate blocks per cell: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1.</summary>
    public int Gates => Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>Width of each layer's output: D·H.</summary>
    public int LayerOutputSize => Directions * HiddenSize;

    public int LayerInputSize(int layer) => layer == 0 ? InputSize : LayerOutputSize;

    public bool HasCellState => Cell == CellKind.Lstm;
}

/// <summary>Where to emit the partial class: namespace, name, and enclosing types (outermost first).</summary>
internal sealed record TypeSpec(
    string? Namespace,
    string Name,
    string FullName,
    EquatableArray<string> ContainingTypeDeclarations);
