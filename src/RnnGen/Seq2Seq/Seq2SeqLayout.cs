using System;
using System.Collections.Generic;
using RnnGen.Initialization;
using RnnGen.Kernels;

namespace RnnGen.Seq2Seq;

/// <summary>Offsets of one recurrent direction's four tensors (PyTorch order weight_ih, weight_hh, bias_ih, bias_hh).</summary>
internal readonly record struct RecurrentOffsets(int WeightIh, int WeightIhLength, int WeightHh, int WeightHhLength, int BiasLength)
{
    public int BiasIh => WeightHh + WeightHhLength;
    public int BiasHh => BiasIh + BiasLength;

    public RecurrentWeights Weights(ReadOnlySpan<float> p) => new(
        p.Slice(WeightIh, WeightIhLength), p.Slice(WeightHh, WeightHhLength), p.Slice(BiasIh, BiasLength), p.Slice(BiasHh, BiasLength));

    public RecurrentGradients Gradients(Span<float> g) => new(
        g.Slice(WeightIh, WeightIhLength), g.Slice(WeightHh, WeightHhLength), g.Slice(BiasIh, BiasLength), g.Slice(BiasHh, BiasLength));
}

/// <summary>
/// Where every tensor of a <see cref="Seq2SeqShape"/> lives in the one flat parameter buffer, with PyTorch-style
/// names (<c>encoder.embedding.weight</c>, <c>encoder.rnn.weight_ih_l0_reverse</c>, <c>bridge.weight</c>,
/// <c>attention.query.weight</c>, <c>decoder.rnn.weight_hh_l1</c>, <c>output.weight</c>, ...; see docs/seq2seq.md),
/// and how each is initialized (PyTorch defaults from one seed).
/// </summary>
internal sealed class Seq2SeqLayout
{
    private readonly List<ParameterTensor> _tensors = new();
    private int _offset;

    public Seq2SeqLayout(Seq2SeqShape shape)
    {
        Shape = shape;
        int he = shape.EncoderHiddenSize, hd = shape.DecoderHiddenSize, d = shape.MemorySize;

        SourceEmbedding = Add("encoder.embedding.weight", InitRule.Normal, shape.SourceVocabulary, shape.SourceEmbeddingSize);
        Encoder = new RecurrentOffsets[shape.EncoderLayers * shape.Directions];
        for (int l = 0; l < shape.EncoderLayers; l++)
        {
            int input = l == 0 ? shape.SourceEmbeddingSize : d;
            for (int dir = 0; dir < shape.Directions; dir++)
            {
                Encoder[l * shape.Directions + dir] = AddRecurrent("encoder.rnn", l, dir == 1, shape.EncoderCell, input, he);
            }
        }

        if (!shape.CopiesEncoderState)
        {
            BridgeWeight = Add("bridge.weight", InitRule.Linear(d), shape.DecoderLayers * hd, d);
            BridgeBias = Add("bridge.bias", InitRule.Linear(d), shape.DecoderLayers * hd);
        }

        switch (shape.Attention)
        {
            case Attention.Additive:
                AttentionQuery = Add("attention.query.weight", InitRule.Linear(hd), shape.AttentionSize, hd);
                AttentionKey = Add("attention.key.weight", InitRule.Linear(d), shape.AttentionSize, d);
                AttentionScore = Add("attention.score.weight", InitRule.Linear(shape.AttentionSize), 1, shape.AttentionSize);
                break;
            case Attention.General:
                AttentionKey = Add("attention.weight", InitRule.Linear(d), hd, d);
                break;
        }

        TargetEmbedding = Add("decoder.embedding.weight", InitRule.Normal, shape.TargetVocabulary, shape.TargetEmbeddingSize);
        Decoder = new RecurrentOffsets[shape.DecoderLayers];
        for (int l = 0; l < shape.DecoderLayers; l++)
        {
            Decoder[l] = AddRecurrent("decoder.rnn", l, false, shape.DecoderCell, l == 0 ? shape.DecoderInputSize : hd, hd);
        }

        OutputWeight = Add("output.weight", InitRule.Linear(shape.OutputFeatures), shape.TargetVocabulary, shape.OutputFeatures);
        OutputBias = Add("output.bias", InitRule.Linear(shape.OutputFeatures), shape.TargetVocabulary);
        ParameterCount = _offset;
    }

    public Seq2SeqShape Shape { get; }
    public int ParameterCount { get; }
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    public ParameterTensor SourceEmbedding { get; }
    public RecurrentOffsets[] Encoder { get; }
    public ParameterTensor? BridgeWeight { get; }
    public ParameterTensor? BridgeBias { get; }

    /// <summary>Additive: W [A, Hd].</summary>
    public ParameterTensor? AttentionQuery { get; }

    /// <summary>Additive: U [A, D]; general: W [Hd, D].</summary>
    public ParameterTensor? AttentionKey { get; }

    /// <summary>Additive: v [1, A].</summary>
    public ParameterTensor? AttentionScore { get; }

    public ParameterTensor TargetEmbedding { get; }
    public RecurrentOffsets[] Decoder { get; }
    public ParameterTensor OutputWeight { get; }
    public ParameterTensor OutputBias { get; }

    /// <summary>Fills <paramref name="parameters"/> from <paramref name="seed"/> in tensor order (PyTorch's default
    /// initializers: embeddings N(0, 1) with a zero padding row, recurrent tensors U(±1/√H), linear layers
    /// U(±1/√fan_in)).</summary>
    public void Initialize(Span<float> parameters, long seed)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"Expected {ParameterCount} parameters, but got {parameters.Length}.", nameof(parameters));
        var random = new SeededRandom(seed);
        for (int i = 0; i < _tensors.Count; i++)
        {
            ParameterTensor tensor = _tensors[i];
            Span<float> values = parameters.Slice(tensor.Offset, tensor.Length);
            _rules[i].Apply(values, ref random);
        }
        if (Shape.PaddingId >= 0)
        {
            parameters.Slice(SourceEmbedding.Offset + Shape.PaddingId * Shape.SourceEmbeddingSize, Shape.SourceEmbeddingSize).Clear();
            parameters.Slice(TargetEmbedding.Offset + Shape.PaddingId * Shape.TargetEmbeddingSize, Shape.TargetEmbeddingSize).Clear();
        }
    }

    private readonly List<InitRule> _rules = new();

    private ParameterTensor Add(string name, InitRule rule, params int[] shape)
    {
        var tensor = new ParameterTensor(name, _offset, shape);
        _tensors.Add(tensor);
        _rules.Add(rule);
        _offset = checked(_offset + tensor.Length);
        return tensor;
    }

    private RecurrentOffsets AddRecurrent(string prefix, int layer, bool reverse, Cell cell, int input, int hidden)
    {
        int gates = CellOps.Gates(cell) * hidden;
        string suffix = "_l" + layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (reverse ? "_reverse" : "");
        var rule = InitRule.Recurrent(hidden);
        ParameterTensor wih = Add(prefix + ".weight_ih" + suffix, rule, gates, input);
        ParameterTensor whh = Add(prefix + ".weight_hh" + suffix, rule, gates, hidden);
        Add(prefix + ".bias_ih" + suffix, rule, gates);
        Add(prefix + ".bias_hh" + suffix, rule, gates);
        return new RecurrentOffsets(wih.Offset, wih.Length, whh.Offset, whh.Length, gates);
    }

    /// <summary>How one tensor is initialized: N(0, 1) or U(±bound).</summary>
    private readonly record struct InitRule(bool IsNormal, float Bound)
    {
        public static InitRule Normal => new(true, 1f);
        public static InitRule Linear(int fanIn) => new(false, 1f / MathF.Sqrt(fanIn));
        public static InitRule Recurrent(int hidden) => new(false, 1f / MathF.Sqrt(hidden));

        public void Apply(Span<float> values, ref SeededRandom random)
        {
            if (IsNormal) ParameterInit.Normal(values, Bound, ref random);
            else ParameterInit.Uniform(values, Bound, ref random);
        }
    }
}
