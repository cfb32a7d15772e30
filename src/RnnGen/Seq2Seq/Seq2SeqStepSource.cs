using System;
using System.Numerics.Tensors;
using RnnGen.Decoding;
using RnnGen.Kernels;
using RnnGen.Runtime;

namespace RnnGen.Seq2Seq;

/// <summary>
/// The decoder of a <see cref="Seq2SeqNetwork"/> as an <see cref="ITokenStepSource"/>, so the runtime's greedy,
/// sampling and beam-search decoders work on encoder–decoder models exactly as on language models:
/// <see cref="Encode"/> a source once, then decode with the prompt <c>[StartId]</c> and <c>endId = EndId</c>.
/// Each <see cref="Step"/> advances every row by one token (the prefix is never re-run); the encoder outputs are
/// shared by all rows (beams), only the decoder states are reordered.
/// </summary>
/// <remarks>
/// <para><see cref="LastAttention"/> holds the attention weights of the last step; <see cref="Translate"/> (greedy,
/// recording each step's weights) and <see cref="AttentionFor"/> (the weights a given output gets, for a beam
/// search result) give whole heat maps.</para>
/// <para>Allocation-free after construction. Not thread-safe: one source per thread (the weights are shared).</para>
/// </remarks>
public sealed class Seq2SeqStepSource : ITokenStepSource
{
    private readonly Seq2SeqNetwork _network;
    private readonly Seq2SeqShape _shape;
    private readonly Seq2SeqSession _encoder;
    private readonly int _maxSourceSteps, _stride;
    private readonly float[] _memory, _keys;
    private readonly int[] _sourceLengths, _ones, _source, _token;
    private float[] _hidden, _cell, _nextHidden, _nextCell;
    private readonly float[] _embedding, _context, _input, _features, _alpha, _attentionCache, _layerCaches, _logits, _logProbabilities;
    private readonly int _layerCacheBlock;
    private int _sourceSteps, _batch;
    private bool _encoded;

    internal Seq2SeqStepSource(Seq2SeqNetwork network, int maxSourceSteps, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.SessionSize(maxRows, maxSourceSteps);
        _network = network;
        _shape = network.Shape;
        _maxSourceSteps = maxSourceSteps;
        MaxBatch = maxRows;
        _encoder = new Seq2SeqSession(network, 1, maxSourceSteps, 1);

        Seq2SeqShape s = _shape;
        int r = maxRows, ts = maxSourceSteps, hd = s.DecoderHiddenSize, ld = s.DecoderLayers;
        _memory = new float[r * ts * s.MemorySize];
        _keys = new float[s.Attention is Attention.Additive or Attention.General ? r * ts * s.KeySize : 0];
        _sourceLengths = new int[r];
        _ones = new int[r];
        Array.Fill(_ones, 1);
        _source = new int[ts];
        _token = new int[1];
        _stride = r * hd;
        _hidden = new float[ld * _stride];
        _nextHidden = new float[ld * _stride];
        bool lstm = CellOps.HasCellState(s.DecoderCell);
        _cell = new float[lstm ? ld * _stride : 0];
        _nextCell = new float[_cell.Length];
        _embedding = new float[r * s.TargetEmbeddingSize];
        _context = new float[r * s.MemorySize];
        _input = new float[r * s.DecoderInputSize];
        _features = new float[r * s.OutputFeatures];
        _alpha = new float[r * ts];
        _attentionCache = new float[s.HasAttention ? DecoderAttention.CacheLength(s.Attention, r, ts, s.AttentionSize) : 0];
        _layerCacheBlock = CellOps.CacheLength(s.DecoderCell, r, 1, hd);
        _layerCaches = new float[ld * _layerCacheBlock];
        _logits = new float[r * s.TargetVocabulary];
        _logProbabilities = new float[r * s.TargetVocabulary];
    }

    public Seq2SeqNetwork Network => _network;
    public int VocabularySize => _shape.TargetVocabulary;
    public int MaxBatch { get; }

    /// <summary>Longest source <see cref="Encode"/> accepts.</summary>
    public int MaxSourceSteps => _maxSourceSteps;

    /// <summary>Length of the encoded source.</summary>
    public int SourceLength => _sourceSteps;

    /// <summary>Number of <see cref="Step"/> calls since construction (or since set to 0).</summary>
    public long StepCount { get; set; }

    /// <summary>The token every decode starts from (pass <c>[StartId]</c> as the decoders' prompt).</summary>
    public int StartId => _shape.StartId;

    /// <summary>The token that ends a decode (pass it as the decoders' endId).</summary>
    public int EndId => _shape.EndId;

    /// <summary>
    /// Encodes one source sequence (ids of the source vocabulary; map unknown symbols to <c>&lt;unk&gt;</c> first, as
    /// <see cref="RnnGen.Data.Vocabulary.Encode"/> does). Empty sources, sources longer than
    /// <see cref="MaxSourceSteps"/> and ids outside the source vocabulary are rejected with the limits in the message;
    /// after a rejected source nothing is encoded (decoding throws until the next successful <see cref="Encode"/>).
    /// </summary>
    public void Encode(ReadOnlySpan<int> source)
    {
        _encoded = false; // a rejected source must not leave the previous one to be decoded by mistake
        if (source.IsEmpty)
            throw new ArgumentException("The source is empty: an encoder–decoder needs at least one source token to attend to.", nameof(source));
        if (source.Length > _maxSourceSteps)
            throw new ArgumentException(
                $"The source has {source.Length} tokens, but this decoder was created for at most {_maxSourceSteps} (maxSourceSteps); shorten the input or create a larger step source.",
                nameof(source));
        source.CopyTo(_source);
        _sourceLengths[0] = source.Length;
        _encoder.Encode(_source.AsSpan(0, source.Length), _sourceLengths.AsSpan(0, 1), 1, source.Length);
        _sourceSteps = source.Length;

        // every row (beam) attends over the same source: replicate M and K once per encode
        int m = _sourceSteps * _shape.MemorySize, k = _sourceSteps * _shape.KeySize;
        ReadOnlySpan<float> memory = _encoder.Memory, keys = _encoder.Keys;
        for (int r = 0; r < MaxBatch; r++)
        {
            memory.CopyTo(_memory.AsSpan(r * m, m));
            if (_keys.Length > 0) keys.CopyTo(_keys.AsSpan(r * k, k));
            _sourceLengths[r] = _sourceSteps;
        }
        _encoded = true;
        Reset();
    }

    /// <summary>Puts every row in the decoder's initial state derived from the encoded source.</summary>
    public void Reset()
    {
        Guard.State(_encoded, "Encode a source before decoding: call Encode(source) first.");
        int hd = _shape.DecoderHiddenSize;
        ReadOnlySpan<float> h0 = _encoder.InitialHidden, c0 = _encoder.InitialCell;
        for (int l = 0; l < _shape.DecoderLayers; l++)
        {
            for (int r = 0; r < MaxBatch; r++)
            {
                h0.Slice(l * hd, hd).CopyTo(_hidden.AsSpan(l * _stride + r * hd, hd));
                if (_cell.Length > 0) c0.Slice(l * hd, hd).CopyTo(_cell.AsSpan(l * _stride + r * hd, hd));
            }
        }
        _batch = 0;
    }

    public void Step(ReadOnlySpan<int> tokens, int batch)
    {
        Guard.State(_encoded, "Encode a source before decoding: call Encode(source) first.");
        Guard.Batch(batch, MaxBatch);
        Guard.Length(tokens.Length, batch, nameof(tokens), "[batch]");
        int v = _shape.TargetVocabulary;
        for (int b = 0; b < batch; b++)
        {
            if ((uint)tokens[b] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[b],
                    $"tokens[{b}] = {tokens[b]} is not a target vocabulary id (expected 0..{v - 1}).");
        }
        var buffers = new DecoderStepBuffers
        {
            HiddenIn = _hidden, CellIn = _cell, HiddenOut = _nextHidden, CellOut = _nextCell,
            Embedding = _embedding, Input = _input, Features = _features, Context = _context,
            Alpha = _alpha, AttentionCache = _attentionCache, LayerCaches = _layerCaches,
            LayerCacheStride = _layerCacheBlock, StateStride = _stride, Logits = _logits,
        };
        DecoderStep.Forward(_network, batch, tokens, _sourceSteps, _sourceLengths, _memory, _keys, _ones, ref buffers);
        (_hidden, _nextHidden) = (_nextHidden, _hidden);
        (_cell, _nextCell) = (_nextCell, _cell);
        Softmax.LogForward(batch, v, _logits.AsSpan(0, batch * v), _logProbabilities.AsSpan(0, batch * v));
        _batch = batch;
        StepCount++;
    }

    public ReadOnlySpan<float> LogProbabilities => _logProbabilities.AsSpan(0, _batch * _shape.TargetVocabulary);

    /// <summary>Attention weights α of the last <see cref="Step"/>, [batch, SourceLength] (empty without attention).</summary>
    public ReadOnlySpan<float> LastAttention => _shape.HasAttention ? _alpha.AsSpan(0, _batch * _sourceSteps) : default;

    public void Reorder(ReadOnlySpan<int> sourceRows)
    {
        if (sourceRows.Length > MaxBatch)
            throw new ArgumentException($"Expected at most {MaxBatch} rows (maxRows), but got {sourceRows.Length}.", nameof(sourceRows));
        int hd = _shape.DecoderHiddenSize;
        for (int i = 0; i < sourceRows.Length; i++)
        {
            int from = sourceRows[i];
            if ((uint)from >= (uint)MaxBatch)
                throw new ArgumentOutOfRangeException(nameof(sourceRows), from, $"sourceRows[{i}] must be a row in 0..{MaxBatch - 1}, but is {from}.");
            for (int l = 0; l < _shape.DecoderLayers; l++)
            {
                _hidden.AsSpan(l * _stride + from * hd, hd).CopyTo(_nextHidden.AsSpan(l * _stride + i * hd, hd));
                if (_cell.Length > 0) _cell.AsSpan(l * _stride + from * hd, hd).CopyTo(_nextCell.AsSpan(l * _stride + i * hd, hd));
            }
        }
        (_hidden, _nextHidden) = (_nextHidden, _hidden);
        (_cell, _nextCell) = (_nextCell, _cell);
    }

    /// <summary>
    /// Greedy translation of <paramref name="source"/>: writes up to <paramref name="output"/>.Length tokens (the
    /// <c>&lt;eos&gt;</c> not included) and returns their count. When <paramref name="attention"/> is not empty it
    /// receives the weights of every produced token, [count, SourceLength] row-major (≥ output.Length × source.Length).
    /// Same tokens as <see cref="GreedyDecoder"/> with prompt [StartId] and endId EndId.
    /// </summary>
    public int Translate(ReadOnlySpan<int> source, Span<int> output, Span<float> attention = default)
    {
        Encode(source);
        int ts = _sourceSteps, v = _shape.TargetVocabulary;
        if (!attention.IsEmpty && _shape.HasAttention && attention.Length < output.Length * ts)
            throw new ArgumentException($"Expected attention to hold at least {output.Length} × {ts} = {output.Length * ts} weights (output.Length × source length), but it holds {attention.Length}.", nameof(attention));
        _token[0] = _shape.StartId;
        int count = 0;
        while (count < output.Length)
        {
            Step(_token, 1);
            int next = TensorPrimitives.IndexOfMax(_logits.AsSpan(0, v));
            if (next == _shape.EndId) break;
            if (!attention.IsEmpty && _shape.HasAttention) _alpha.AsSpan(0, ts).CopyTo(attention.Slice(count * ts, ts));
            output[count++] = next;
            _token[0] = next;
        }
        return count;
    }

    /// <summary>
    /// The attention weights the model gives <paramref name="output"/> (e.g. a beam search result) when it is fed back
    /// token by token: writes [output.Length, source.Length] into <paramref name="attention"/>.
    /// </summary>
    public void AttentionFor(ReadOnlySpan<int> source, ReadOnlySpan<int> output, Span<float> attention)
    {
        if (!_shape.HasAttention) throw new InvalidOperationException("This model has no attention (Attention = None).");
        Encode(source);
        int ts = _sourceSteps;
        if (attention.Length < output.Length * ts)
            throw new ArgumentException($"Expected attention to hold at least {output.Length} × {ts} = {output.Length * ts} weights (output tokens × source tokens), but it holds {attention.Length}.", nameof(attention));
        _token[0] = _shape.StartId;
        for (int i = 0; i < output.Length; i++)
        {
            Step(_token, 1);
            _alpha.AsSpan(0, ts).CopyTo(attention.Slice(i * ts, ts));
            _token[0] = output[i];
        }
    }
}
