namespace RnnGen;

/// <summary>The recurrent cell of a model.</summary>
public enum Cell
{
    /// <summary>Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh (default) or relu.</summary>
    Rnn = 0,

    /// <summary>Long short-term memory, PyTorch gate order i, f, g, o.</summary>
    Lstm = 1,

    /// <summary>Gated recurrent unit, PyTorch gate order r, z, n, reset applied after the recurrent product.</summary>
    Gru = 2,
}

/// <summary>The nonlinearity of a vanilla <see cref="Cell.Rnn"/> cell (PyTorch's <c>nonlinearity</c>).</summary>
public enum Nonlinearity
{
    Tanh = 0,
    Relu = 1,
}

/// <summary>The output head on top of the last recurrent layer.</summary>
public enum Head
{
    /// <summary>No head: the model exposes the recurrent outputs and final states.</summary>
    None = 0,

    /// <summary>Linear layer; trained with mean squared error.</summary>
    Linear = 1,

    /// <summary>Linear layer + sigmoid; trained with binary cross-entropy on the logits.</summary>
    Sigmoid = 2,

    /// <summary>Linear layer + softmax; trained with cross-entropy on the logits.</summary>
    Softmax = 3,
}

/// <summary>Which steps the head reads.</summary>
public enum Sequence
{
    /// <summary>One head output per sequence, from its last valid step (bidirectional: the forward
    /// direction's last valid step concatenated with the reverse direction's step 0, i.e. PyTorch's
    /// <c>cat(h_n[-2], h_n[-1])</c>).</summary>
    ManyToOne = 0,

    /// <summary>One head output per valid step; padded steps are ignored.</summary>
    ManyToMany = 1,
}
