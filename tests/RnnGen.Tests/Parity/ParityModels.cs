namespace RnnGen.Tests.Parity;

// One model per PyTorch fixture configuration (tests/fixtures/rnn): I=3, H=4 for the small cases,
// I=2, H=8 for the 200-step cases.
[RnnModel(Cell.Rnn, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = false)] public partial class RnnTanhL1Uni;
[RnnModel(Cell.Rnn, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = true)] public partial class RnnTanhL1Bi;
[RnnModel(Cell.Rnn, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = false)] public partial class RnnTanhL2Uni;
[RnnModel(Cell.Rnn, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true)] public partial class RnnTanhL2Bi;
[RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = false)] public partial class RnnReluL1Uni;
[RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = true)] public partial class RnnReluL1Bi;
[RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = false)] public partial class RnnReluL2Uni;
[RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true)] public partial class RnnReluL2Bi;
[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = false)] public partial class LstmL1Uni;
[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = true)] public partial class LstmL1Bi;
[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = false)] public partial class LstmL2Uni;
[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true)] public partial class LstmL2Bi;
[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = false)] public partial class GruL1Uni;
[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 1, Bidirectional = true)] public partial class GruL1Bi;
[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = false)] public partial class GruL2Uni;
[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Layers = 2, Bidirectional = true)] public partial class GruL2Bi;
[RnnModel(Cell.Lstm, InputSize = 2, HiddenSize = 8, Layers = 1, Bidirectional = false)] public partial class LstmL1UniLong;
[RnnModel(Cell.Lstm, InputSize = 2, HiddenSize = 8, Layers = 2, Bidirectional = true)] public partial class LstmL2BiLong;
[RnnModel(Cell.Gru, InputSize = 2, HiddenSize = 8, Layers = 1, Bidirectional = false)] public partial class GruL1UniLong;
[RnnModel(Cell.Gru, InputSize = 2, HiddenSize = 8, Layers = 2, Bidirectional = true)] public partial class GruL2BiLong;

internal static class ParityModels
{
    /// <summary>The model for a fixture case, by the case name without its lengths suffix.</summary>
    public static IRnnNetwork Create(string configuration) => configuration switch
    {
        "rnn_tanh_l1_uni" => new RnnTanhL1Uni(),
        "rnn_tanh_l1_bi" => new RnnTanhL1Bi(),
        "rnn_tanh_l2_uni" => new RnnTanhL2Uni(),
        "rnn_tanh_l2_bi" => new RnnTanhL2Bi(),
        "rnn_relu_l1_uni" => new RnnReluL1Uni(),
        "rnn_relu_l1_bi" => new RnnReluL1Bi(),
        "rnn_relu_l2_uni" => new RnnReluL2Uni(),
        "rnn_relu_l2_bi" => new RnnReluL2Bi(),
        "lstm_l1_uni" => new LstmL1Uni(),
        "lstm_l1_bi" => new LstmL1Bi(),
        "lstm_l2_uni" => new LstmL2Uni(),
        "lstm_l2_bi" => new LstmL2Bi(),
        "gru_l1_uni" => new GruL1Uni(),
        "gru_l1_bi" => new GruL1Bi(),
        "gru_l2_uni" => new GruL2Uni(),
        "gru_l2_bi" => new GruL2Bi(),
        "lstm_l1_uni_long" => new LstmL1UniLong(),
        "lstm_l2_bi_long" => new LstmL2BiLong(),
        "gru_l1_uni_long" => new GruL1UniLong(),
        "gru_l2_bi_long" => new GruL2BiLong(),
        _ => throw new System.ArgumentException("No parity model for " + configuration, nameof(configuration)),
    };
}
