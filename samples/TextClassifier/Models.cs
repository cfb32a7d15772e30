using RnnGen;

namespace TextClassification;

// Both models read word ids through a trained embedding (row 0 = <pad>, never updated), run a
// bidirectional recurrent layer and classify the whole review from [forward at the last word,
// reverse at the first word]. Vocabulary and OutputSize are compile-time sizes: the program keeps
// at most MaxVocabulary words (the rest map to <unk>) and at most MaxClasses labels.

/// <summary>Bidirectional LSTM review classifier (the default).</summary>
[RnnModel(Cell.Lstm, Vocabulary = 3000, EmbeddingSize = 32, PaddingId = 0, HiddenSize = 32, Bidirectional = true,
          Head = Head.Softmax, OutputSize = 8, Sequence = Sequence.ManyToOne)]
public partial class ReviewLstm;

/// <summary>Bidirectional GRU review classifier (<c>--cell gru</c>).</summary>
[RnnModel(Cell.Gru, Vocabulary = 3000, EmbeddingSize = 32, PaddingId = 0, HiddenSize = 32, Bidirectional = true,
          Head = Head.Softmax, OutputSize = 8, Sequence = Sequence.ManyToOne)]
public partial class ReviewGru;
