using RnnGen;

namespace RnnGen.Tests.Decoding;

/// <summary>A tiny token language model for the decoding tests: 12 ids, softmax over the same 12.</summary>
[RnnModel(Cell.Lstm, Vocabulary = 12, EmbeddingSize = 5, HiddenSize = 8, Head = Head.Softmax, OutputSize = 12)]
public partial class DecodingLm;
