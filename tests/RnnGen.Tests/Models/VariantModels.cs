namespace RnnGen.Tests.Models;

// Cell variants through generated models.
[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 6, ProjectionSize = 4, Bidirectional = true)]
public partial class ProjectionLstmL1;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 6, ProjectionSize = 4, Layers = 2, Bidirectional = true)]
public partial class ProjectionLstmL2;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 5, Peepholes = true, LayerNorm = true, ProjectionSize = 3, Layers = 2,
          Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToOne)]
public partial class PeepholeLayerNormLstm;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, GruVariant = GruVariant.ResetBefore, Bidirectional = true,
          Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToMany)]
public partial class ResetBeforeGru;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, LayerNorm = true, RecurrentDropout = 0.3, Head = Head.Linear, OutputSize = 2)]
public partial class LayerNormDropoutGru;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Peepholes = true, RecurrentDropout = 0.25, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToOne)]
public partial class PeepholeRecurrentDropoutLstm;
