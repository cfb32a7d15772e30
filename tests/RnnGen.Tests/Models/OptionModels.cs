namespace RnnGen.Tests.Models;

// Models exercising the declaration options beyond the basic cells.
[RnnModel(Cell.Gru, Vocabulary = 7, EmbeddingSize = 3, HiddenSize = 4, Bidirectional = true, PaddingId = 0)]
public partial class GruEmbeddingParity;

[RnnModel(Cell.Lstm, Vocabulary = 9, EmbeddingSize = 4, HiddenSize = 5, Layers = 2, PaddingId = 1, Dropout = 0.3)]
public partial class LstmEmbeddingDropoutParity;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Bidirectional = true, Merge = Merge.Sum, Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToOne)]
public partial class SumMergeClassifier;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true, Merge = Merge.Mean, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToMany)]
public partial class MeanMergeTagger;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Bidirectional = true, Merge = Merge.Product, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToOne)]
public partial class ProductMergeRegressor;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 3, Dropout = 0.4, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToMany)]
public partial class DropoutTagger;

[RnnModel(Cell.Lstm, Vocabulary = 11, EmbeddingSize = 3, HiddenSize = 4, PaddingId = 0, Head = Head.Softmax, OutputSize = 11)]
public partial class TinyCharLm;

[RnnModel(Cell.Lstm, InputSize = 5, HiddenSize = 6, Layers = 2, Initialization = WeightInit.Keras, Head = Head.Linear, OutputSize = 2)]
public partial class KerasInitialized;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Bidirectional = true)]
public partial class ConcatEncoder;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Bidirectional = true, Merge = Merge.Sum)]
public partial class SumEncoder;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Bidirectional = true, Merge = Merge.Product)]
public partial class ProductEncoder;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 5, Bidirectional = true, Head = Head.Ctc, OutputSize = 4)]
public partial class CtcRecognizer;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Bidirectional = true, Attention = Attention.Additive, AttentionSize = 5,
          Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToOne)]
public partial class AdditiveAttentionClassifier;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 2, Attention = Attention.Dot, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToOne)]
public partial class DotAttentionRegressor;
