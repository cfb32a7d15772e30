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

    /// <summary>Features per time step (PyTorch <c>input_size</c>). Required unless the model reads tokens
    /// (<see cref="Vocabulary"/> and <see cref="EmbeddingSize"/>).</summary>
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

    /// <summary>Token input: the number of token ids (with <see cref="EmbeddingSize"/>, instead of <see cref="InputSize"/>).
    /// The model then reads int ids [B, T] through a trained <c>embedding.weight</c> [V, E].</summary>
    public int Vocabulary { get; set; }

    /// <summary>Width of the token embedding (with <see cref="Vocabulary"/>).</summary>
    public int EmbeddingSize { get; set; }

    /// <summary>A token id whose embedding row gets no gradient (PyTorch <c>padding_idx</c>); −1 for none.</summary>
    public int PaddingId { get; set; } = -1;

    /// <summary>LSTM peephole connections (ONNX semantics): i and f see c(t−1), o sees c(t).</summary>
    public bool Peepholes { get; set; }

    /// <summary>LSTM projection size P &lt; H (PyTorch <c>proj_size</c>): h(t) = W_hr (o ⊙ tanh(c(t))). 0 for none.</summary>
    public int ProjectionSize { get; set; }

    /// <summary>Layer-normalize each gate's pre-activation (and, for LSTM, the cell state before tanh).</summary>
    public bool LayerNorm { get; set; }

    /// <summary>Where a GRU applies its reset gate. Only valid for <see cref="Cell.Gru"/>.</summary>
    public GruVariant GruVariant { get; set; }

    /// <summary>How a bidirectional layer merges its directions. Only valid with <see cref="Bidirectional"/>.</summary>
    public Merge Merge { get; set; }

    /// <summary>Dropout probability on the outputs of every layer but the last (PyTorch <c>dropout</c>), in [0, 1).</summary>
    public double Dropout { get; set; }

    /// <summary>Variational dropout probability on the recurrent state, one mask per sequence (Keras
    /// <c>recurrent_dropout</c>), in [0, 1).</summary>
    public double RecurrentDropout { get; set; }

    /// <summary>Attention pooling for many-to-one heads: the head reads Σ_t α_t y_t, α = softmax over the valid
    /// steps of the attention scores, instead of the last step.</summary>
    public Attention Attention { get; set; }

    /// <summary>Width A of the additive attention's hidden layer (default: the layer output width).</summary>
    public int AttentionSize { get; set; }

    /// <summary>Parameter initialization scheme.</summary>
    public WeightInit Initialization { get; set; }
}
