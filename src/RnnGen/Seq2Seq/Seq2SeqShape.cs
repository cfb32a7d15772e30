using System;
using System.Globalization;
using RnnGen.Data;

namespace RnnGen.Seq2Seq;

/// <summary>
/// Every size and choice of an encoder–decoder model, as a <c>[Seq2SeqModel]</c> declaration spells them.
/// The generator validates a declaration at build time (diagnostics RNG0026–RNG0031); this constructor checks
/// again so a hand-built shape fails with a clear message instead of a crash.
/// </summary>
/// <remarks>
/// The architecture (see docs/seq2seq.md):
/// <list type="number">
/// <item>encoder: source embedding [Vs, Es] → <see cref="EncoderLayers"/> layers of <see cref="EncoderCell"/>
/// (bidirectional when set) → memory M [B, Ts, D], D = directions·He;</item>
/// <item>bridge: the decoder's initial state is the encoder's final state copied layer by layer when the sizes match
/// (same layer count and D = Hd), otherwise <c>tanh(W_b [h_fwd; h_bwd] + b_b)</c> of the top encoder layer for
/// every decoder layer (an LSTM decoder's cell state then starts at zero);</item>
/// <item>decoder step t: input token y(t−1) (<see cref="StartId"/> first) → target embedding e [Et];
/// with attention, context c(t) = Σ_j α_j M_j with α = softmax over the valid source positions of
/// score(s(t−1), M_j), and the decoder input is [e; c]; the decoder layers advance one step;</item>
/// <item>output: logits = W_o [s(t); c(t)] + b_o over the target vocabulary (without attention: W_o s(t) + b_o).</item>
/// </list>
/// </remarks>
public sealed record Seq2SeqShape
{
    public Seq2SeqShape(
        int sourceVocabulary, int sourceEmbeddingSize,
        int targetVocabulary, int targetEmbeddingSize,
        Cell encoderCell, int encoderHiddenSize, int encoderLayers, bool bidirectional,
        Cell decoderCell, int decoderHiddenSize, int decoderLayers,
        Attention attention, int attentionSize,
        int paddingId = Vocabulary.PadId, int startId = Vocabulary.StartId, int endId = Vocabulary.EndId)
    {
        Positive(sourceVocabulary, nameof(sourceVocabulary));
        Positive(sourceEmbeddingSize, nameof(sourceEmbeddingSize));
        Positive(targetVocabulary, nameof(targetVocabulary));
        Positive(targetEmbeddingSize, nameof(targetEmbeddingSize));
        Positive(encoderHiddenSize, nameof(encoderHiddenSize));
        Positive(encoderLayers, nameof(encoderLayers));
        Positive(decoderHiddenSize, nameof(decoderHiddenSize));
        Positive(decoderLayers, nameof(decoderLayers));
        Id(startId, targetVocabulary, nameof(startId));
        Id(endId, targetVocabulary, nameof(endId));
        if (paddingId != -1)
        {
            Id(paddingId, Math.Min(sourceVocabulary, targetVocabulary), nameof(paddingId));
        }
        if (!Enum.IsDefined(attention)) throw new ArgumentOutOfRangeException(nameof(attention), attention, "Unknown attention kind.");
        if (!Enum.IsDefined(encoderCell)) throw new ArgumentOutOfRangeException(nameof(encoderCell), encoderCell, "Unknown cell.");
        if (!Enum.IsDefined(decoderCell)) throw new ArgumentOutOfRangeException(nameof(decoderCell), decoderCell, "Unknown cell.");

        int memory = (bidirectional ? 2 : 1) * encoderHiddenSize;
        if (attention == Attention.Additive) Positive(attentionSize, nameof(attentionSize));
        else if (attentionSize != 0)
            throw new ArgumentException($"attentionSize applies to additive attention only; expected 0 with {attention} attention but got {attentionSize}.", nameof(attentionSize));
        if (attention == Attention.Dot && decoderHiddenSize != memory)
            throw new ArgumentException(
                $"Dot attention compares the decoder state with encoder outputs, so their sizes must match: decoder hidden size {decoderHiddenSize}, encoder output size {memory} (directions × encoder hidden size).",
                nameof(decoderHiddenSize));

        SourceVocabulary = sourceVocabulary;
        SourceEmbeddingSize = sourceEmbeddingSize;
        TargetVocabulary = targetVocabulary;
        TargetEmbeddingSize = targetEmbeddingSize;
        EncoderCell = encoderCell;
        EncoderHiddenSize = encoderHiddenSize;
        EncoderLayers = encoderLayers;
        Bidirectional = bidirectional;
        DecoderCell = decoderCell;
        DecoderHiddenSize = decoderHiddenSize;
        DecoderLayers = decoderLayers;
        Attention = attention;
        AttentionSize = attentionSize;
        PaddingId = paddingId;
        StartId = startId;
        EndId = endId;
    }

    public int SourceVocabulary { get; }
    public int SourceEmbeddingSize { get; }
    public int TargetVocabulary { get; }
    public int TargetEmbeddingSize { get; }
    public Cell EncoderCell { get; }
    public int EncoderHiddenSize { get; }
    public int EncoderLayers { get; }
    public bool Bidirectional { get; }
    public Cell DecoderCell { get; }
    public int DecoderHiddenSize { get; }
    public int DecoderLayers { get; }
    public Attention Attention { get; }

    /// <summary>A: width of the additive attention's hidden layer (0 for dot/general/none).</summary>
    public int AttentionSize { get; }

    /// <summary>Padding id of both vocabularies (its embedding rows stay zero and get no gradient), or −1 for none.</summary>
    public int PaddingId { get; }

    /// <summary>The target id fed to the decoder at the first step (<c>&lt;sos&gt;</c>).</summary>
    public int StartId { get; }

    /// <summary>The target id that ends a decoded sequence (<c>&lt;eos&gt;</c>).</summary>
    public int EndId { get; }

    /// <summary>1, or 2 for a bidirectional encoder.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>D: width of the encoder outputs the decoder attends to (directions × encoder hidden size).</summary>
    public int MemorySize => Directions * EncoderHiddenSize;

    /// <summary>True when the decoder's initial state is the encoder's final state copied layer by layer
    /// (same layer count and D = Hd); false when a learned tanh bridge maps it.</summary>
    public bool CopiesEncoderState => EncoderLayers == DecoderLayers && MemorySize == DecoderHiddenSize;

    public bool HasAttention => Attention != Attention.None;

    /// <summary>Width of the decoder's layer-0 input: Et, plus D with attention (input feeding).</summary>
    public int DecoderInputSize => TargetEmbeddingSize + (HasAttention ? MemorySize : 0);

    /// <summary>Width of the output layer's input: Hd, plus D with attention.</summary>
    public int OutputFeatures => DecoderHiddenSize + (HasAttention ? MemorySize : 0);

    /// <summary>The attention's key width (A additive, Hd general, D dot, 0 none).</summary>
    public int KeySize => Attention switch
    {
        Attention.Additive => AttentionSize,
        Attention.General => DecoderHiddenSize,
        Attention.Dot => MemorySize,
        _ => 0,
    };

    /// <summary>Canonical one-line description; two models exchange weights exactly when these are equal.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Seq2Seq(src={SourceVocabulary}x{SourceEmbeddingSize}, tgt={TargetVocabulary}x{TargetEmbeddingSize}, encoder={EncoderCell}(H={EncoderHiddenSize}, layers={EncoderLayers}{(Bidirectional ? ", bidirectional" : "")}), decoder={DecoderCell}(H={DecoderHiddenSize}, layers={DecoderLayers}), attention={Attention}{(Attention == Attention.Additive ? "(" + AttentionSize.ToString(CultureInfo.InvariantCulture) + ")" : "")}, bridge={(CopiesEncoderState ? "copy" : "tanh-linear")}, pad={PaddingId}, sos={StartId}, eos={EndId})");

    public override string ToString() => Describe();

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"Expected {name} ≥ 1, but got {value}.");
    }

    private static void Id(int value, int vocabulary, string name)
    {
        if ((uint)value >= (uint)vocabulary)
            throw new ArgumentOutOfRangeException(name, value, $"Expected {name} in 0..{vocabulary - 1} (inside the vocabulary), but got {value}.");
    }
}
