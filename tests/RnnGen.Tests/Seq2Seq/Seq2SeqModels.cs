namespace RnnGen.Tests.Seq2Seq;

// Tiny encoder–decoder models covering every attention kind, every cell, the copy and the bridge
// initial state, and multi-layer stacks on both sides.

/// <summary>Bidirectional GRU encoder (D = 8) → GRU decoder Hd = 8: copies the encoder state; additive attention.</summary>
[Seq2SeqModel(SourceVocabulary = 7, SourceEmbeddingSize = 3, TargetVocabulary = 6, TargetEmbeddingSize = 3,
    EncoderCell = Cell.Gru, EncoderHiddenSize = 4, Bidirectional = true,
    DecoderCell = Cell.Gru, DecoderHiddenSize = 8, Attention = Attention.Additive, AttentionSize = 5)]
public partial class TinyAdditiveGru;

/// <summary>Bidirectional LSTM encoder (D = 6) → LSTM decoder Hd = 6: copies h and c; dot attention.</summary>
[Seq2SeqModel(SourceVocabulary = 7, SourceEmbeddingSize = 3, TargetVocabulary = 6, TargetEmbeddingSize = 2,
    EncoderCell = Cell.Lstm, EncoderHiddenSize = 3, Bidirectional = true,
    DecoderCell = Cell.Lstm, DecoderHiddenSize = 6, Attention = Attention.Dot)]
public partial class TinyDotLstm;

/// <summary>Two-layer tanh RNN encoder (D = 4) → GRU decoder Hd = 5: learned bridge; general attention.</summary>
[Seq2SeqModel(SourceVocabulary = 7, SourceEmbeddingSize = 3, TargetVocabulary = 6, TargetEmbeddingSize = 3,
    EncoderCell = Cell.Rnn, EncoderHiddenSize = 4, EncoderLayers = 2,
    DecoderCell = Cell.Gru, DecoderHiddenSize = 5, Attention = Attention.General)]
public partial class TinyGeneralBridge;

/// <summary>Bidirectional GRU encoder → two-layer LSTM decoder through the bridge, no attention, no padding id.</summary>
[Seq2SeqModel(SourceVocabulary = 7, SourceEmbeddingSize = 3, TargetVocabulary = 6, TargetEmbeddingSize = 3,
    EncoderCell = Cell.Gru, EncoderHiddenSize = 3, Bidirectional = true,
    DecoderCell = Cell.Lstm, DecoderHiddenSize = 4, DecoderLayers = 2, PaddingId = -1)]
public partial class TinyPlainLstmBridge;

/// <summary>Bidirectional GRU (D = 32) → GRU Hd = 32 (copy), additive attention: the learning and decoding tests.</summary>
[Seq2SeqModel(SourceVocabulary = 10, SourceEmbeddingSize = 8, TargetVocabulary = 10, TargetEmbeddingSize = 8,
    EncoderCell = Cell.Gru, EncoderHiddenSize = 16, Bidirectional = true,
    DecoderCell = Cell.Gru, DecoderHiddenSize = 32, Attention = Attention.Additive, AttentionSize = 16)]
public partial class ReverseTranslator;
