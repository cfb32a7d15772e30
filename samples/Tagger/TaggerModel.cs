using RnnGen;

namespace Tagging;

/// <summary>
/// Bidirectional LSTM tagger: word ids → embedding → BiLSTM → softmax over tags at every word.
/// Vocabulary and OutputSize are compile-time sizes: the program keeps at most 4000 words (rarer
/// ones become &lt;unk&gt;) and at most 16 tags (the bundled corpus has 7).
/// </summary>
[RnnModel(Cell.Lstm, Vocabulary = 4000, EmbeddingSize = 32, PaddingId = 0, HiddenSize = 48, Bidirectional = true,
          Head = Head.Softmax, OutputSize = 16, Sequence = Sequence.ManyToMany)]
public partial class EntityTagger;
