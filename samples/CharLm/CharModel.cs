using RnnGen;

namespace CharLm;

/// <summary>
/// The character language model: embedding (96 ids × 32) → LSTM (256 units) → softmax over the same 96 ids, one
/// prediction per step (many-to-many). 96 is the vocabulary's capacity: the sample builds a
/// <see cref="RnnGen.Data.Vocabulary"/> of at most 96 ids from the text (the 4 specials, then the most frequent
/// characters; rarer ones read as &lt;unk&gt;), and decoding only produces the ids that vocabulary has.
/// </summary>
[RnnModel(Cell.Lstm, Vocabulary = 96, EmbeddingSize = 32, HiddenSize = 256, Head = Head.Softmax, OutputSize = 96)]
public partial class CharModel;
