using System;
using System.Numerics.Tensors;
using RnnGen.Initialization;
using RnnGen.Kernels;
using RnnGen.Runtime;
using RnnGen.Training;

namespace RnnGen.Seq2Seq;

/// <summary>
/// Training and evaluation workspace of a <see cref="Seq2SeqNetwork"/>: <c>Forward</c> (teacher forcing, or
/// scheduled sampling with <see cref="SamplingProbability"/>), <see cref="Loss"/> (mean cross-entropy over the valid
/// target tokens) and <see cref="Backward"/> (BPTT through the decoder, the attention, the bridge and the encoder;
/// gradients are added into the network's <see cref="Seq2SeqNetwork.Gradients"/>).
/// </summary>
/// <remarks>
/// <para>Batches are padded: source [B, Ts] and target [B, Ty] token ids, row-major, with per-row lengths. Source
/// positions past a row's length get no attention and no gradient (packed-sequence semantics in the encoder); target
/// positions past a row's length contribute no loss. Each target row ends with <c>&lt;eos&gt;</c>; the decoder's input
/// at step t is <c>&lt;sos&gt;</c> for t = 0 and the target token t − 1 afterwards (teacher forcing).</para>
/// <para>Every buffer is allocated by the constructor; Forward, Loss and Backward allocate nothing.
/// Not thread-safe: one session per thread.</para>
/// </remarks>
public sealed partial class Seq2SeqSession : IBidirectionalForward
{
    private readonly Seq2SeqNetwork _network;
    private readonly Seq2SeqShape _shape;
    private readonly Seq2SeqLayout _layout;

    // encoder
    private readonly int[] _source, _sourceLengths;
    private readonly AlignedBuffer _sourceEmbedding, _dSourceEmbedding;
    private readonly AlignedBuffer[] _encoderOutput, _dEncoderOutput;          // per layer [B, Ts, D]
    private readonly AlignedBuffer[] _encoderCache;                            // per layer·direction
    private readonly AlignedBuffer[] _encoderHidden, _encoderCell;             // final states per layer·direction [B, He]
    private readonly AlignedBuffer[] _dEncoderHidden, _dEncoderCell;
    private readonly AlignedBuffer _encoderScratch;
    private readonly AlignedBuffer _keys, _dKeys;                              // [B·Ts, K]

    // bridge
    private readonly AlignedBuffer _bridgeInput, _bridgeOutput, _dBridge, _dBridgeInput;

    // decoder, step-major: block t holds step t for the current batch
    private readonly int[] _target, _targetLengths, _inputTokens, _ones;
    private readonly AlignedBuffer _hidden, _cell;                             // [(Ty + 1), Ld, B, Hd]
    private readonly AlignedBuffer _input, _features, _alpha, _attentionCache, _layerCaches, _logits, _dLogits;
    private readonly AlignedBuffer _embedding, _context;
    private readonly AlignedBuffer _dHidden, _dCell, _dHiddenNext, _dCellNext, _dFeatures, _dInput, _dLayerOutput, _dContext, _dEmbedding;
    private readonly AlignedBuffer _decoderScratch, _attentionScratch;
    private readonly int _stateBlock, _attentionCacheBlock, _layerCacheBlock;

    private SeededRandom _sampling;
    private int _batch, _sourceSteps, _targetSteps, _validTokens;
    private bool _forwardReady, _lossReady;

    internal Seq2SeqSession(Seq2SeqNetwork network, int maxBatch, int maxSourceSteps, int maxTargetSteps)
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.SessionSize(maxBatch, maxSourceSteps);
        if (maxTargetSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(maxTargetSteps), maxTargetSteps, $"Expected maxTargetSteps ≥ 1, but got {maxTargetSteps}.");
        _network = network;
        _shape = network.Shape;
        _layout = network.Layout;
        MaxBatch = maxBatch;
        MaxSourceSteps = maxSourceSteps;
        MaxTargetSteps = maxTargetSteps;

        Seq2SeqShape s = _shape;
        int b = maxBatch, ts = maxSourceSteps, ty = maxTargetSteps;
        int he = s.EncoderHiddenSize, hd = s.DecoderHiddenSize, d = s.MemorySize, ld = s.DecoderLayers;
        int slots = s.EncoderLayers * s.Directions;

        _source = new int[b * ts];
        _sourceLengths = new int[b];
        _sourceEmbedding = new AlignedBuffer(b * ts * s.SourceEmbeddingSize);
        _dSourceEmbedding = new AlignedBuffer(b * ts * s.SourceEmbeddingSize);
        _encoderOutput = Jagged(s.EncoderLayers, b * ts * d);
        _dEncoderOutput = Jagged(s.EncoderLayers, b * ts * d);
        _encoderCache = Jagged(slots, CellOps.CacheLength(s.EncoderCell, b, ts, he));
        _encoderHidden = Jagged(slots, b * he);
        _encoderCell = Jagged(slots, b * he);
        _dEncoderHidden = Jagged(slots, b * he);
        _dEncoderCell = Jagged(slots, b * he);
        _encoderScratch = new AlignedBuffer(CellOps.ScratchLength(s.EncoderCell, b, ts, he));
        _keys = new AlignedBuffer(s.Attention is Attention.Additive or Attention.General ? b * ts * s.KeySize : 0);
        _dKeys = new AlignedBuffer(_keys.Length);

        _bridgeInput = new AlignedBuffer(b * d);
        _bridgeOutput = new AlignedBuffer(b * ld * hd);
        _dBridge = new AlignedBuffer(b * ld * hd);
        _dBridgeInput = new AlignedBuffer(b * d);

        _target = new int[b * ty];
        _targetLengths = new int[b];
        _inputTokens = new int[ty * b];
        _ones = new int[b];
        Array.Fill(_ones, 1);
        _stateBlock = ld * b * hd;
        _hidden = new AlignedBuffer((ty + 1) * _stateBlock);
        _cell = new AlignedBuffer(CellOps.HasCellState(s.DecoderCell) ? (ty + 1) * _stateBlock : 0);
        _input = new AlignedBuffer(ty * b * s.DecoderInputSize);
        _features = new AlignedBuffer(ty * b * s.OutputFeatures);
        _alpha = new AlignedBuffer(ty * b * ts);
        _attentionCacheBlock = s.HasAttention ? DecoderAttention.CacheLength(s.Attention, b, ts, s.AttentionSize) : 0;
        _attentionCache = new AlignedBuffer(ty * _attentionCacheBlock);
        _layerCacheBlock = CellOps.CacheLength(s.DecoderCell, b, 1, hd);
        _layerCaches = new AlignedBuffer(ty * ld * _layerCacheBlock);
        _logits = new AlignedBuffer(ty * b * s.TargetVocabulary);
        _dLogits = new AlignedBuffer(ty * b * s.TargetVocabulary);
        _embedding = new AlignedBuffer(b * s.TargetEmbeddingSize);
        _context = new AlignedBuffer(b * d);

        _dHidden = new AlignedBuffer(ld * b * hd);
        _dCell = new AlignedBuffer(ld * b * hd);
        _dHiddenNext = new AlignedBuffer(b * hd);
        _dCellNext = new AlignedBuffer(b * hd);
        _dFeatures = new AlignedBuffer(b * s.OutputFeatures);
        _dInput = new AlignedBuffer(b * Math.Max(s.DecoderInputSize, hd));
        _dLayerOutput = new AlignedBuffer(b * hd);
        _dContext = new AlignedBuffer(b * d);
        _dEmbedding = new AlignedBuffer(ty * b * s.TargetEmbeddingSize);
        _decoderScratch = new AlignedBuffer(CellOps.ScratchLength(s.DecoderCell, b, 1, hd));
        _attentionScratch = new AlignedBuffer(s.HasAttention ? DecoderAttention.ScratchLength(s.Attention, b, ts, s.AttentionSize) : 0);
        _sampling = new SeededRandom(0);
    }

    public Seq2SeqNetwork Network => _network;
    public int MaxBatch { get; }
    public int MaxSourceSteps { get; }
    public int MaxTargetSteps { get; }

    /// <summary>Batch size, source steps and target steps of the last <c>Forward</c>.</summary>
    public int Batch => _batch;
    public int SourceSteps => _sourceSteps;
    public int TargetSteps => _targetSteps;

    /// <summary>Scheduled sampling (Bengio et al. 2015): the probability, per row and step after the first, of feeding
    /// the model's own previous prediction (arg max of the previous logits) instead of the reference token. 0 (the
    /// default) is pure teacher forcing; raise it during training to expose the model to its own mistakes.
    /// The choice is treated as a constant (no gradient through the arg max).</summary>
    public float SamplingProbability
    {
        get => _samplingProbability;
        set
        {
            if (!(value >= 0f && value <= 1f))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Expected a sampling probability in [0, 1], but got {value}.");
            _samplingProbability = value;
        }
    }

    private float _samplingProbability;

    /// <summary>Reseeds the scheduled-sampling coin flips (default seed 0).</summary>
    public void SeedSampling(long seed) => _sampling = new SeededRandom(seed);

    /// <summary>Logits of every step [Ty, B, Vt] (step-major: row t·B + b) from the last <c>Forward</c>.</summary>
    public ReadOnlySpan<float> Logits => _logits.AsSpan(0, _targetSteps * _batch * _shape.TargetVocabulary);

    /// <summary>Attention weights α of row <paramref name="row"/> at decoder step <paramref name="step"/>, [Ts]
    /// (zero past the row's source length); empty for a model without attention.</summary>
    public ReadOnlySpan<float> AttentionWeights(int step, int row)
    {
        Guard.State(_forwardReady, "AttentionWeights needs the results of Forward: call Forward first.");
        if ((uint)step >= (uint)_targetSteps) throw new ArgumentOutOfRangeException(nameof(step), step, $"Expected a step in 0..{_targetSteps - 1}, but got {step}.");
        if ((uint)row >= (uint)_batch) throw new ArgumentOutOfRangeException(nameof(row), row, $"Expected a row in 0..{_batch - 1}, but got {row}.");
        if (!_shape.HasAttention) return default;
        return _alpha.AsSpan((step * _batch + row) * _sourceSteps, _sourceSteps);
    }

    /// <summary>
    /// Runs the encoder over <paramref name="source"/> [B, Ts] and the decoder over the target [B, Ty] with teacher
    /// forcing (or scheduled sampling). Lengths: each source length in 1..Ts (an empty source has nothing to attend
    /// to and is rejected), each target length in 1..Ty counting the final <c>&lt;eos&gt;</c>. Ids outside a
    /// vocabulary are rejected with the row and step that hold them.
    /// </summary>
    public void Forward(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths,
        ReadOnlySpan<int> target, ReadOnlySpan<int> targetLengths, int batch, int sourceSteps, int targetSteps)
    {
        _forwardReady = _lossReady = false;
        CheckSourceSteps(sourceSteps);
        Guard.BatchAndSteps(batch, sourceSteps, MaxBatch, MaxSourceSteps);
        if (targetSteps < 1 || targetSteps > MaxTargetSteps)
            throw new ArgumentOutOfRangeException(nameof(targetSteps), targetSteps,
                $"Expected a target step count in 1..{MaxTargetSteps} (the session's maxTargetSteps), but got {targetSteps}.");
        Guard.Length(target.Length, (long)batch * targetSteps, nameof(target), "[batch, targetSteps]");
        CheckLengths(targetLengths, batch, targetSteps, nameof(targetLengths), "target");
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < targetLengths[b]; t++)
            {
                int id = target[b * targetSteps + t];
                if ((uint)id >= (uint)_shape.TargetVocabulary)
                    throw new ArgumentOutOfRangeException(nameof(target), id,
                        $"target[{b}, {t}] = {id} is not a target vocabulary id (expected 0..{_shape.TargetVocabulary - 1}).");
            }
        }

        Encode(source, sourceLengths, batch, sourceSteps);
        target.CopyTo(_target);
        targetLengths.Slice(0, batch).CopyTo(_targetLengths);
        _targetSteps = targetSteps;
        ForwardDecoder();
        _forwardReady = true;
    }

    /// <summary>Runs rows [start, start + count) of <paramref name="batch"/> (all rows by default).</summary>
    public void Forward(Seq2SeqBatch batch, int start = 0, int count = -1)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (count < 0) count = batch.Count - start;
        if (start < 0 || count < 1 || start + count > batch.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected rows within the batch's {batch.Count}, but got start {start}, count {count}.");
        Forward(batch.Source(start, count), batch.SourceLengths(start, count), batch.Target(start, count), batch.TargetLengths(start, count),
            count, batch.SourceSteps, batch.TargetSteps);
    }

    /// <summary>Encoder forward, keys and the decoder's initial state (step block 0 of the state buffers).</summary>
    internal void Encode(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, int batch, int sourceSteps)
    {
        CheckSourceSteps(sourceSteps);
        Guard.BatchAndSteps(batch, sourceSteps, MaxBatch, MaxSourceSteps);
        Guard.Length(source.Length, (long)batch * sourceSteps, nameof(source), "[batch, sourceSteps]");
        CheckLengths(sourceLengths, batch, sourceSteps, nameof(sourceLengths), "source");
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < sourceLengths[b]; t++)
            {
                int id = source[b * sourceSteps + t];
                if ((uint)id >= (uint)_shape.SourceVocabulary)
                    throw new ArgumentOutOfRangeException(nameof(source), id,
                        $"source[{b}, {t}] = {id} is not a source vocabulary id (expected 0..{_shape.SourceVocabulary - 1}); map unknown symbols to <unk> first, as Vocabulary.Encode does.");
            }
        }
        _batch = batch;
        _sourceSteps = sourceSteps;
        source.CopyTo(_source);
        sourceLengths.Slice(0, batch).CopyTo(_sourceLengths);

        Seq2SeqShape s = _shape;
        ReadOnlySpan<float> p = _network.Parameters;
        int ts = sourceSteps, he = s.EncoderHiddenSize, d = s.MemorySize, dirs = s.Directions;
        ReadOnlySpan<int> lengths = _sourceLengths.AsSpan(0, batch);

        // x [B, Ts, Es] = source embedding (positions past a length are zero and never read)
        Embedding.ForwardPadded(source, lengths, batch, ts,
            p.Slice(_layout.SourceEmbedding.Offset, _layout.SourceEmbedding.Length), s.SourceVocabulary, s.SourceEmbeddingSize,
            _sourceEmbedding.AsSpan(0, batch * ts * s.SourceEmbeddingSize));

        for (int l = 0; l < s.EncoderLayers; l++)
        {
            if (dirs == 2)
            {
                // both directions at once, one per core when the kernel worker is free (same results either way)
                Bidirectional.Forward(this, l);
            }
            else
            {
                ForwardEncoderDirection(l, 0);
            }
        }

        ReadOnlySpan<float> memory = Memory;
        if (s.Attention is Attention.Additive or Attention.General)
        {
            DecoderAttention.ProjectKeys(s.Attention, batch * ts, d, s.KeySize, memory,
                p.Slice(_layout.AttentionKey!.Offset, _layout.AttentionKey.Length), _keys.AsSpan(0, batch * ts * s.KeySize));
        }

        InitialDecoderState(batch);
    }

    void IBidirectionalForward.ForwardDirection(int layer, int direction) => ForwardEncoderDirection(layer, direction);

    /// <summary>One direction of one encoder layer over the current source batch; writes columns dir·He..(dir+1)·He of the layer output [B, Ts, D].</summary>
    private void ForwardEncoderDirection(int l, int dir)
    {
        Seq2SeqShape s = _shape;
        ReadOnlySpan<float> p = _network.Parameters;
        int batch = _batch, ts = _sourceSteps, he = s.EncoderHiddenSize, d = s.MemorySize;
        ReadOnlySpan<int> lengths = _sourceLengths.AsSpan(0, batch);
        bool lstm = CellOps.HasCellState(s.EncoderCell);
        int input = l == 0 ? s.SourceEmbeddingSize : d;
        ReadOnlySpan<float> x = l == 0 ? _sourceEmbedding.AsSpan(0, batch * ts * input) : _encoderOutput[l - 1].AsSpan(0, batch * ts * input);
        int slot = l * s.Directions + dir;
        CellOps.Forward(s.EncoderCell, new LayerDims(batch, ts, input, he), reverse: dir == 1, lengths,
            x, _layout.Encoder[slot].Weights(p), default, default,
            _encoderOutput[l].AsSpan(dir * he), d,
            _encoderHidden[slot].AsSpan(0, batch * he), lstm ? _encoderCell[slot].AsSpan(0, batch * he) : default,
            _encoderCache[slot]);
    }

    /// <summary>Encoder outputs M [B, Ts, D] of the last encode.</summary>
    internal ReadOnlySpan<float> Memory => _encoderOutput[_shape.EncoderLayers - 1].AsSpan(0, _batch * _sourceSteps * _shape.MemorySize);

    /// <summary>Projected keys [B·Ts, K] of the last encode (empty for dot and none).</summary>
    internal ReadOnlySpan<float> Keys => _keys.AsSpan(0, Math.Min(_keys.Length, _batch * _sourceSteps * _shape.KeySize));

    internal ReadOnlySpan<int> SourceLengths => _sourceLengths.AsSpan(0, _batch);

    /// <summary>Decoder states before the first step, [Ld, B, Hd] (hidden) and the same for the cell (LSTM).</summary>
    internal ReadOnlySpan<float> InitialHidden => _hidden.AsSpan(0, _shape.DecoderLayers * _batch * _shape.DecoderHiddenSize);
    internal ReadOnlySpan<float> InitialCell => _cell.Length == 0 ? default : _cell.AsSpan(0, _shape.DecoderLayers * _batch * _shape.DecoderHiddenSize);

    private void InitialDecoderState(int batch)
    {
        Seq2SeqShape s = _shape;
        ReadOnlySpan<float> p = _network.Parameters;
        int he = s.EncoderHiddenSize, hd = s.DecoderHiddenSize, d = s.MemorySize, dirs = s.Directions, ld = s.DecoderLayers;
        int state = batch * hd;
        Span<float> h0 = _hidden.AsSpan(0, ld * state);
        Span<float> c0 = _cell.Length == 0 ? default : _cell.AsSpan(0, ld * state);
        bool copyCell = CellOps.HasCellState(s.EncoderCell) && !c0.IsEmpty;

        if (s.CopiesEncoderState)
        {
            // decoder layer l starts from encoder layer l's final state, directions side by side: [h_fwd; h_bwd]
            for (int l = 0; l < ld; l++)
            {
                for (int b = 0; b < batch; b++)
                {
                    for (int dir = 0; dir < dirs; dir++)
                    {
                        int slot = l * dirs + dir;
                        _encoderHidden[slot].AsSpan(b * he, he).CopyTo(h0.Slice(l * state + b * hd + dir * he, he));
                        if (copyCell) _encoderCell[slot].AsSpan(b * he, he).CopyTo(c0.Slice(l * state + b * hd + dir * he, he));
                    }
                }
            }
            if (!c0.IsEmpty && !copyCell) c0.Clear();
            return;
        }

        // bridge: every decoder layer's h0 = tanh(W_b [h_fwd; h_bwd] + b_b) of the top encoder layer; c0 = 0
        int topSlot = (s.EncoderLayers - 1) * dirs;
        Span<float> input = _bridgeInput.AsSpan(0, batch * d);
        for (int b = 0; b < batch; b++)
        {
            for (int dir = 0; dir < dirs; dir++)
            {
                _encoderHidden[topSlot + dir].AsSpan(b * he, he).CopyTo(input.Slice(b * d + dir * he, he));
            }
        }
        Span<float> output = _bridgeOutput.AsSpan(0, batch * ld * hd);
        LinearHead.Forward(batch, d, ld * hd, input,
            p.Slice(_layout.BridgeWeight!.Offset, _layout.BridgeWeight.Length),
            p.Slice(_layout.BridgeBias!.Offset, _layout.BridgeBias.Length), output);
        ActivationMath.Tanh(output, output);
        for (int l = 0; l < ld; l++)
        {
            for (int b = 0; b < batch; b++)
            {
                output.Slice(b * ld * hd + l * hd, hd).CopyTo(h0.Slice(l * state + b * hd, hd));
            }
        }
        if (!c0.IsEmpty) c0.Clear();
    }

    private void ForwardDecoder()
    {
        Seq2SeqShape s = _shape;
        int batch = _batch, ts = _sourceSteps, ty = _targetSteps, v = s.TargetVocabulary;
        int state = s.DecoderLayers * batch * s.DecoderHiddenSize;
        int filler = s.PaddingId >= 0 ? s.PaddingId : s.EndId;
        ReadOnlySpan<float> memory = Memory, keys = Keys;
        ReadOnlySpan<int> sourceLengths = _sourceLengths.AsSpan(0, batch);

        for (int t = 0; t < ty; t++)
        {
            Span<int> tokens = _inputTokens.AsSpan(t * batch, batch);
            for (int b = 0; b < batch; b++)
            {
                int token;
                if (t == 0) token = s.StartId;
                else if (t >= _targetLengths[b]) token = filler; // past the row's end: any valid id, its loss is masked
                else if (_samplingProbability > 0f && _sampling.NextSingle() < _samplingProbability)
                    token = TensorPrimitives.IndexOfMax(_logits.AsSpan(((t - 1) * batch + b) * v, v));
                else token = _target[b * ty + t - 1];
                tokens[b] = token;
            }

            var buffers = new DecoderStepBuffers
            {
                HiddenIn = _hidden.AsSpan(t * _stateBlock, state),
                HiddenOut = _hidden.AsSpan((t + 1) * _stateBlock, state),
                CellIn = _cell.Length == 0 ? default : _cell.AsSpan(t * _stateBlock, state),
                CellOut = _cell.Length == 0 ? default : _cell.AsSpan((t + 1) * _stateBlock, state),
                Embedding = _embedding,
                Input = _input.AsSpan(t * batch * s.DecoderInputSize, batch * s.DecoderInputSize),
                Features = _features.AsSpan(t * batch * s.OutputFeatures, batch * s.OutputFeatures),
                Context = _context,
                Alpha = _alpha.AsSpan(t * batch * ts, batch * ts),
                AttentionCache = _attentionCache.AsSpan(t * _attentionCacheBlock, _attentionCacheBlock),
                LayerCaches = _layerCaches.AsSpan(t * s.DecoderLayers * _layerCacheBlock, s.DecoderLayers * _layerCacheBlock),
                LayerCacheStride = _layerCacheBlock,
                StateStride = batch * s.DecoderHiddenSize,
                Logits = _logits.AsSpan(t * batch * v, batch * v),
            };
            DecoderStep.Forward(_network, batch, tokens, ts, sourceLengths, memory, keys, _ones, ref buffers);
        }
    }

    /// <summary>
    /// Mean cross-entropy over the valid target tokens of the last <c>Forward</c> (PyTorch
    /// <c>cross_entropy(..., ignore_index=pad)</c> with reduction mean); prepares <see cref="Backward"/>.
    /// </summary>
    public float Loss()
    {
        Guard.State(_forwardReady, "Loss needs the results of Forward: call Forward first.");
        int batch = _batch, ty = _targetSteps, v = _shape.TargetVocabulary;
        int valid = 0;
        for (int b = 0; b < batch; b++) valid += _targetLengths[b];
        _validTokens = valid;
        float scale = 1f / valid;
        double total = 0;
        for (int t = 0; t < ty; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = t * batch + b;
                Span<float> gradient = _dLogits.AsSpan(row * v, v);
                if (t >= _targetLengths[b])
                {
                    gradient.Clear();
                    continue;
                }
                // one row: loss −log softmax(z)[y], gradient softmax(z) − onehot(y), then scaled by 1/N
                total += SoftmaxCrossEntropy.Compute(v, _logits.AsSpan(row * v, v), _target.AsSpan(b * ty + t, 1), gradient);
                TensorPrimitives.Multiply(gradient, scale, gradient);
            }
        }
        _lossReady = true;
        return (float)(total / valid);
    }

    /// <summary>Number of target tokens (including each <c>&lt;eos&gt;</c>) the last <see cref="Loss"/> averaged over.</summary>
    public int ValidTokens => _validTokens;

    /// <summary>
    /// Teacher-forced accuracy of the last <c>Forward</c>: tokens whose arg-max logit equals the reference,
    /// and rows whose every valid token does.
    /// </summary>
    public (int CorrectTokens, int Tokens, int CorrectSequences) Accuracy()
    {
        Guard.State(_forwardReady, "Accuracy needs the results of Forward: call Forward first.");
        int batch = _batch, ty = _targetSteps, v = _shape.TargetVocabulary;
        int correct = 0, tokens = 0, sequences = 0;
        for (int b = 0; b < batch; b++)
        {
            bool all = true;
            for (int t = 0; t < _targetLengths[b]; t++)
            {
                bool hit = TensorPrimitives.IndexOfMax(_logits.AsSpan((t * batch + b) * v, v)) == _target[b * ty + t];
                correct += hit ? 1 : 0;
                all &= hit;
                tokens++;
            }
            sequences += all ? 1 : 0;
        }
        return (correct, tokens, sequences);
    }

    private void CheckSourceSteps(int sourceSteps)
    {
        if (sourceSteps < 1 || sourceSteps > MaxSourceSteps)
            throw new ArgumentOutOfRangeException(nameof(sourceSteps), sourceSteps,
                $"Expected a padded source length in 1..{MaxSourceSteps} (the session's maxSourceSteps), but got {sourceSteps}: create the session with a larger maxSourceSteps or shorten the sources.");
    }

    private static void CheckLengths(ReadOnlySpan<int> lengths, int batch, int steps, string name, string what)
    {
        if (lengths.Length < batch)
            throw new ArgumentException($"Expected {name} to hold one length per row ({batch}), but it holds {lengths.Length}.", name);
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            if (length == 0)
                throw new ArgumentException($"{name}[{b}] is 0: row {b} has an empty {what} sequence; every {what} needs at least one token.", name);
            if (length < 0 || length > steps)
                throw new ArgumentOutOfRangeException(name, length, $"Expected {name}[{b}] in 1..{steps} (the padded {what} length), but got {length}.");
        }
    }

    private static AlignedBuffer[] Jagged(int count, int length)
    {
        var arrays = new AlignedBuffer[count];
        for (int i = 0; i < count; i++) arrays[i] = new AlignedBuffer(length);
        return arrays;
    }
}
