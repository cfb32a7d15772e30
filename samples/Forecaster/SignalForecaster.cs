using RnnGen;

namespace Forecasting;

/// <summary>
/// Reads a window of a normalized signal (one value per step) and predicts the next value.
/// Everything else — parameters, forward, backward, sessions, streaming — is generated.
/// </summary>
[RnnModel(Cell.Lstm, InputSize = 1, HiddenSize = 32, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
public partial class SignalForecaster;
