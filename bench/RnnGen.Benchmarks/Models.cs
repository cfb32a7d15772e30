using RnnGen;

namespace RnnGen.Benchmarks;

// The nine configurations of the speed issue, declared as generated models.
// The char LM stands in dense 64-wide input vectors (one-hot rows) for its 65x64 embedding:
// RnnGen has no embedding input yet (the variants issue); everything after the embedding
// (LSTM H=512, linear 512->65, softmax cross-entropy, clipping, Adam) is the real thing.

[RnnModel(Cell.Lstm, InputSize = 32, HiddenSize = 128)]
public partial class LstmH128I32;

[RnnModel(Cell.Lstm, InputSize = 128, HiddenSize = 256, Layers = 2)]
public partial class LstmH256x2;

[RnnModel(Cell.Gru, InputSize = 128, HiddenSize = 256, Layers = 2)]
public partial class GruH256x2;

[RnnModel(Cell.Rnn, InputSize = 128, HiddenSize = 256, Layers = 2, Nonlinearity = Nonlinearity.Tanh)]
public partial class RnnH256x2;

[RnnModel(Cell.Lstm, InputSize = 64, HiddenSize = 128, Bidirectional = true)]
public partial class BiLstmH128;

[RnnModel(Cell.Lstm, Vocabulary = 65, EmbeddingSize = 64, HiddenSize = 512, Head = Head.Softmax, OutputSize = 65, Sequence = Sequence.ManyToMany)]
public partial class CharLmH512;

// Beyond the nine: the variant cells on their fast path (issue: no cell left on a slow path). The projection LSTM has a
// PyTorch counterpart (nn.LSTM proj_size); peepholes and layer norm have none in PyTorch.
[RnnModel(Cell.Lstm, InputSize = 128, HiddenSize = 256, Layers = 2, ProjectionSize = 128)]
public partial class LstmpH256P128x2;

[RnnModel(Cell.Lstm, InputSize = 128, HiddenSize = 256, Layers = 2, Peepholes = true, LayerNorm = true)]
public partial class LstmPeepLnH256x2;

// Beyond the nine: the encoder–decoder of the date sample (bidirectional GRU 64 → additive attention 64 → GRU 128),
// with a 64-symbol source vocabulary.
[Seq2SeqModel(SourceVocabulary = 64, SourceEmbeddingSize = 32, TargetVocabulary = 15, TargetEmbeddingSize = 16,
    EncoderCell = Cell.Gru, EncoderHiddenSize = 64, Bidirectional = true,
    DecoderCell = Cell.Gru, DecoderHiddenSize = 128, Attention = Attention.Additive, AttentionSize = 64)]
public partial class DateSeq2Seq;
