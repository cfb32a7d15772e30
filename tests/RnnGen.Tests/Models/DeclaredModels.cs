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
