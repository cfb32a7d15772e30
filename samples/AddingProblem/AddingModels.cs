using RnnGen;

namespace AddingProblem;

// Three many-to-one regressors with the same hidden size, differing only in the cell. Each reads
// [value, marker] per step and predicts the sum of the two marked values with a linear head (MSE).

/// <summary>Vanilla (Elman) RNN, h' = tanh(W_ih x + b_ih + W_hh h + b_hh).</summary>
[RnnModel(Cell.Rnn, InputSize = 2, HiddenSize = 32, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
public partial class AddingRnn;

/// <summary>LSTM: gated cell state with an additive update.</summary>
[RnnModel(Cell.Lstm, InputSize = 2, HiddenSize = 32, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
public partial class AddingLstm;

/// <summary>GRU: gated interpolation between the old state and a candidate.</summary>
[RnnModel(Cell.Gru, InputSize = 2, HiddenSize = 32, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
public partial class AddingGru;
