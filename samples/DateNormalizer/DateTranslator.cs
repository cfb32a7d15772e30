using RnnGen;

namespace DateNormalizer;

/// <summary>
/// Human-written date (characters) → ISO date (characters): a bidirectional GRU encoder over the source characters,
/// additive (Bahdanau) attention, and a GRU decoder that starts from the encoder's final states (2 × 64 = 128, so
/// they are copied, no bridge) and emits "yyyy-MM-dd" then &lt;eos&gt;.
/// </summary>
[Seq2SeqModel(SourceVocabulary = DateVocabularies.SourceCapacity, SourceEmbeddingSize = 32,
    TargetVocabulary = DateVocabularies.TargetCapacity, TargetEmbeddingSize = 16,
    EncoderCell = Cell.Gru, EncoderHiddenSize = 64, Bidirectional = true,
    DecoderCell = Cell.Gru, DecoderHiddenSize = 128,
    Attention = Attention.Additive, AttentionSize = 64)]
public partial class DateTranslator;
