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

    /// <summary>Per-step linear layer + softmax over labels and a blank (index 0), trained with the
    /// CTC loss for unsegmented sequence labelling; needs <see cref="Sequence.ManyToMany"/>.</summary>
    Ctc = 4,
}

/// <summary>How a bidirectional layer merges its two directions (Keras' <c>merge_mode</c>).</summary>
public enum Merge
{
    /// <summary>[forward, reverse] side by side: 2·H wide (PyTorch's only mode).</summary>
    Concat = 0,

    /// <summary>forward + reverse: H wide.</summary>
    Sum = 1,

    /// <summary>(forward + reverse) / 2: H wide.</summary>
    Mean = 2,

    /// <summary>forward ⊙ reverse: H wide.</summary>
    Product = 3,
}

/// <summary>Where a GRU applies its reset gate.</summary>
public enum GruVariant
{
    /// <summary>n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): PyTorch, cuDNN, Keras <c>reset_after=True</c>.</summary>
    ResetAfter = 0,

    /// <summary>n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn): Cho et al. 2014, Keras <c>reset_after=False</c>.</summary>
    ResetBefore = 1,
}

/// <summary>How parameters are initialized (always from a seed).</summary>
public enum WeightInit
{
    /// <summary>PyTorch's defaults: every recurrent tensor uniform(±1/√H); the head uniform(±1/√fan_in).</summary>
    PyTorch = 0,

    /// <summary>Keras' defaults: Glorot-uniform input weights, orthogonal recurrent weights, zero biases
    /// with the LSTM forget-gate bias 1.</summary>
    Keras = 1,
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

/// <summary>Attention over a sequence's outputs.</summary>
public enum Attention
{
    /// <summary>No attention.</summary>
    None = 0,

    /// <summary>Bahdanau: score_t = vᵀ tanh(W y_t + b).</summary>
    Additive = 1,

    /// <summary>Luong dot: score_t = qᵀ y_t (for pooling, q is a learned query vector).</summary>
    Dot = 2,

    /// <summary>Luong general: score = sᵀ W y_t between a decoder state s and y_t (encoder–decoder models).</summary>
    General = 3,
}
