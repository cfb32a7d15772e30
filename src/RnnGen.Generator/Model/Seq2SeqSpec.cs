namespace RnnGen.Generator.Model;

/// <summary>
/// One declared encoder–decoder model (<c>[Seq2SeqModel]</c>): plain values only, so the incremental pipeline can
/// compare and cache it. Mirrors the runtime's <c>RnnGen.Seq2Seq.Seq2SeqShape</c>.
/// </summary>
internal sealed record Seq2SeqSpec(
    TypeSpec Type,
    int SourceVocabulary,
    int SourceEmbeddingSize,
    int TargetVocabulary,
    int TargetEmbeddingSize,
    CellKind EncoderCell,
    int EncoderHiddenSize,
    int EncoderLayers,
    bool Bidirectional,
    CellKind DecoderCell,
    int DecoderHiddenSize,
    int DecoderLayers,
    AttentionKind Attention,
    int AttentionSize,
    int PaddingId,
    int StartId,
    int EndId)
{
    public int Directions => Bidirectional ? 2 : 1;
    public int MemorySize => Directions * EncoderHiddenSize;
    public bool CopiesEncoderState => EncoderLayers == DecoderLayers && MemorySize == DecoderHiddenSize;
    public bool HasAttention => Attention != AttentionKind.None;
    public int DecoderInputSize => TargetEmbeddingSize + (HasAttention ? MemorySize : 0);
    public int OutputFeatures => DecoderHiddenSize + (HasAttention ? MemorySize : 0);
}

/// <summary>What the parser found for one <c>[Seq2SeqModel]</c> class.</summary>
internal sealed record Seq2SeqParseResult(Seq2SeqSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
