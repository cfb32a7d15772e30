using System;

namespace RnnGen;

/// <summary>
/// Declares an encoder–decoder (sequence-to-sequence) model on a <c>partial class</c>: a source embedding and
/// recurrent encoder, a bridge to the decoder's initial state, optional attention between the decoder state and the
/// encoder outputs, and a recurrent decoder with an output layer over the target vocabulary. At build time the
/// generator derives the class from <see cref="Seq2Seq.Seq2SeqNetwork"/> with the sizes fixed as constants; invalid
/// declarations are RNG diagnostics (docs/diagnostics.md). See docs/seq2seq.md.
/// </summary>
/// <example>
/// <code>
/// [Seq2SeqModel(SourceVocabulary = 64, SourceEmbeddingSize = 32, TargetVocabulary = 15, TargetEmbeddingSize = 16,
///               EncoderCell = Cell.Gru, EncoderHiddenSize = 64, Bidirectional = true,
///               DecoderCell = Cell.Gru, DecoderHiddenSize = 128, Attention = Attention.Additive, AttentionSize = 64)]
/// public partial class DateTranslator;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class Seq2SeqModelAttribute : Attribute
{
    /// <summary>Source token ids 0..SourceVocabulary−1. Required.</summary>
    public int SourceVocabulary { get; set; }

    /// <summary>Width of the source embedding. Required.</summary>
    public int SourceEmbeddingSize { get; set; }

    /// <summary>Target token ids 0..TargetVocabulary−1 (the output layer's width). Required.</summary>
    public int TargetVocabulary { get; set; }

    /// <summary>Width of the target embedding (the decoder's input). Required.</summary>
    public int TargetEmbeddingSize { get; set; }

    /// <summary>The encoder's cell. Default <see cref="Cell.Gru"/>.</summary>
    public Cell EncoderCell { get; set; } = Cell.Gru;

    /// <summary>Hidden units per encoder direction. Required.</summary>
    public int EncoderHiddenSize { get; set; }

    /// <summary>Stacked encoder layers. Default 1.</summary>
    public int EncoderLayers { get; set; } = 1;

    /// <summary>Run the encoder in both directions; its outputs are [forward; reverse] (2 × EncoderHiddenSize).</summary>
    public bool Bidirectional { get; set; }

    /// <summary>The decoder's cell. Default <see cref="Cell.Gru"/>.</summary>
    public Cell DecoderCell { get; set; } = Cell.Gru;

    /// <summary>Hidden units of the decoder. Required.</summary>
    public int DecoderHiddenSize { get; set; }

    /// <summary>Stacked decoder layers. Default 1.</summary>
    public int DecoderLayers { get; set; } = 1;

    /// <summary>Attention between the decoder state and the encoder outputs: None, Additive (Bahdanau, needs
    /// <see cref="AttentionSize"/>), Dot or General (Luong). Default None.</summary>
    public Attention Attention { get; set; }

    /// <summary>Width of the additive attention's hidden layer. Required with Additive, invalid otherwise.</summary>
    public int AttentionSize { get; set; }

    /// <summary>Padding id of both vocabularies (embedding row kept zero), or −1 for none. Default 0
    /// (<see cref="Data.Vocabulary.PadId"/>).</summary>
    public int PaddingId { get; set; } = Data.Vocabulary.PadId;

    /// <summary>Target id of <c>&lt;sos&gt;</c>, the decoder's first input. Default 2 (<see cref="Data.Vocabulary.StartId"/>).</summary>
    public int StartId { get; set; } = Data.Vocabulary.StartId;

    /// <summary>Target id of <c>&lt;eos&gt;</c>, which ends a decoded sequence. Default 3 (<see cref="Data.Vocabulary.EndId"/>).</summary>
    public int EndId { get; set; } = Data.Vocabulary.EndId;
}
