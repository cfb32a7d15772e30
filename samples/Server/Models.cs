using RnnGen;

namespace Server;

/// <summary>
/// A small character language model served by <c>POST /api/generate</c>: embedding (96 × 24) → LSTM (128) → softmax
/// over the same 96 ids. Smaller than samples/CharLm's model so that it trains at start-up in seconds.
/// </summary>
[RnnModel(Cell.Lstm, Vocabulary = 96, EmbeddingSize = 24, HiddenSize = 128, Head = Head.Softmax, OutputSize = 96)]
public partial class ServedCharModel;

/// <summary>
/// The "odd character out" classifier served by <c>POST /api/classify</c>: a bidirectional GRU over characters with
/// additive attention pooling; the head reads Σ_t α_t y_t, and α (<c>session.AttentionWeights</c>) is returned per
/// character. Classes: <see cref="OddOneOut.Classes"/>.
/// </summary>
[RnnModel(Cell.Gru, Vocabulary = 96, EmbeddingSize = 16, HiddenSize = 24, Bidirectional = true, Attention = Attention.Additive,
          Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToOne)]
public partial class OddOneOutModel;
