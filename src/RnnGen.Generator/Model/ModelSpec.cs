namespace RnnGen.Generator.Model;

/// <summary>Mirror of the runtime's <c>RnnGen.Cell</c> (same numeric values).</summary>
internal enum CellKind { Rnn = 0, Lstm = 1, Gru = 2 }

/// <summary>Mirror of the runtime's <c>RnnGen.Nonlinearity</c>.</summary>
internal enum NonlinearityKind { Tanh = 0, Relu = 1 }

/// <summary>Mirror of the runtime's <c>RnnGen.Head</c>.</summary>
internal enum HeadKind { None = 0, Linear = 1, Sigmoid = 2, Softmax = 3, Ctc = 4 }

/// <summary>Mirror of the runtime's <c>RnnGen.Merge</c>.</summary>
internal enum MergeKind { Concat = 0, Sum = 1, Mean = 2, Product = 3 }

/// <summary>Mirror of the runtime's <c>RnnGen.GruVariant</c>.</summary>
internal enum GruVariantKind { ResetAfter = 0, ResetBefore = 1 }

/// <summary>Mirror of the runtime's <c>RnnGen.Attention</c>.</summary>
internal enum AttentionKind { None = 0, Additive = 1, Dot = 2, General = 3 }

/// <summary>Mirror of the runtime's <c>RnnGen.WeightInit</c>.</summary>
internal enum InitKind { PyTorch = 0, Keras = 1 }

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
    SequenceMode Sequence,
    int Vocabulary = 0,
    int EmbeddingSize = 0,
    int PaddingId = -1,
    bool Peepholes = false,
    int ProjectionSize = 0,
    bool LayerNorm = false,
    GruVariantKind GruVariant = GruVariantKind.ResetAfter,
    MergeKind Merge = MergeKind.Concat,
    double Dropout = 0,
    double RecurrentDropout = 0,
    InitKind Initialization = InitKind.PyTorch,
    AttentionKind Attention = AttentionKind.None,
    int AttentionSize = 0)
{
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>The model reads token ids through an embedding.</summary>
    public bool HasEmbedding => Vocabulary > 0;

    /// <summary>Features per step entering layer 0: the embedding width for token models.</summary>
    public int FeatureSize => HasEmbedding ? EmbeddingSize : InputSize;

    /// <summary>Width of one direction's output and hidden state: P with a projection, else H.</summary>
    public int StateSize => ProjectionSize > 0 ? ProjectionSize : HiddenSize;

    /// <summary>A standard PyTorch cell runs on the fast kernels; anything else on the variant kernels.</summary>
    public bool UsesVariantKernel => Peepholes || ProjectionSize > 0 || LayerNorm || GruVariant != GruVariantKind.ResetAfter || RecurrentDropout > 0;

    /// <summary>Gate blocks per cell: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1.</summary>
    public int Gates => Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>Width of each layer's output: D·state for concatenation, the state width for other merges.</summary>
    public int LayerOutputSize => Merge == MergeKind.Concat ? Directions * StateSize : StateSize;

    public int LayerInputSize(int layer) => layer == 0 ? FeatureSize : LayerOutputSize;

    public bool HasCellState => Cell == CellKind.Lstm;
}

/// <summary>Where to emit the partial class: namespace, name, and enclosing types (outermost first).</summary>
internal sealed record TypeSpec(
    string? Namespace,
    string Name,
    string FullName,
    EquatableArray<string> ContainingTypeDeclarations);
