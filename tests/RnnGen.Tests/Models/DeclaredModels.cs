namespace RnnGen.Tests.Models;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true,
          Head = Head.Softmax, OutputSize = 5, Sequence = Sequence.ManyToOne)]
public partial class LstmClassifier;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true)]
public partial class GruEncoder;

[RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 3, HiddenSize = 4, Head = Head.Linear, OutputSize = 2)]
public partial class ReluTagger;

public static partial class Outer
{
    [RnnModel(Cell.Lstm, InputSize = 2, HiddenSize = 3, Head = Head.Sigmoid, OutputSize = 1, Sequence = Sequence.ManyToOne)]
    public partial class NestedDetector;
}

// One model per head × sequence mode, small enough for finite-difference checks.
[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToOne)]
public partial class LinearManyToOne;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Bidirectional = true, Head = Head.Sigmoid, OutputSize = 2, Sequence = Sequence.ManyToMany)]
public partial class SigmoidManyToMany;

[RnnModel(Cell.Rnn, InputSize = 3, HiddenSize = 4, Layers = 2, Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToOne)]
public partial class SoftmaxManyToOne;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToMany)]
public partial class SoftmaxManyToMany;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 5, Layers = 2, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToMany)]
public partial class LinearManyToMany;
