using System;
using System.Numerics.Tensors;
using RnnGen.Kernels;
using RnnGen.Runtime;

namespace RnnGen.Seq2Seq;

public sealed partial class Seq2SeqSession
{
    /// <summary>
    /// Backpropagation through the whole model from the gradient <see cref="Loss"/> prepared: decoder steps in
    /// reverse (output layer, decoder layers, attention), then the bridge, the keys and the encoder. Adds into
    /// the network's <see cref="Seq2SeqNetwork.Gradients"/> (zero them between batches).
    /// </summary>
    public void Backward()
    {
        Guard.State(_lossReady, "Backward needs a loss: call Forward, then Loss, then Backward.");
        _lossReady = false;
        Seq2SeqShape s = _shape;
        ReadOnlySpan<float> p = _network.Parameters;
        Span<float> g = _network.Gradients;
        int batch = _batch, ts = _sourceSteps, ty = _targetSteps, v = s.TargetVocabulary;
        int hd = s.DecoderHiddenSize, d = s.MemorySize, et = s.TargetEmbeddingSize, din = s.DecoderInputSize, f = s.OutputFeatures;
        int ld = s.DecoderLayers, top = ld - 1, state = batch * hd, stateAll = ld * state;
        bool lstm = CellOps.HasCellState(s.DecoderCell);
        bool attention = s.HasAttention;

        Span<float> dMemory = _dEncoderOutput[s.EncoderLayers - 1].AsSpan(0, batch * ts * d);
        dMemory.Clear();
        Span<float> dKeys = _dKeys.AsSpan(0, Math.Min(_dKeys.Length, batch * ts * s.KeySize));
        dKeys.Clear();
        // carried gradients w.r.t. the decoder states entering the current step, [Ld, B, Hd]
        Span<float> dHidden = _dHidden.AsSpan(0, stateAll);
        Span<float> dCell = _dCell.AsSpan(0, stateAll);
        dHidden.Clear();
        dCell.Clear();
        Span<float> dEmbedding = _dEmbedding.AsSpan(0, ty * batch * et);
        ReadOnlySpan<float> memory = Memory, keys = Keys;
        ReadOnlySpan<int> sourceLengths = _sourceLengths.AsSpan(0, batch);
        ReadOnlySpan<int> ones = _ones.AsSpan(0, batch);

        for (int t = ty - 1; t >= 0; t--)
        {
            // output layer: dW_o, db_o and d[s; c] [B, F]
            Span<float> dFeatures = _dFeatures.AsSpan(0, batch * f);
            ReadOnlySpan<float> features = _features.AsSpan(t * batch * f, batch * f);
            LinearHead.Backward(batch, f, v, features,
                p.Slice(_layout.OutputWeight.Offset, _layout.OutputWeight.Length), _dLogits.AsSpan(t * batch * v, batch * v),
                g.Slice(_layout.OutputWeight.Offset, _layout.OutputWeight.Length), g.Slice(_layout.OutputBias.Offset, _layout.OutputBias.Length),
                dFeatures);

            Span<float> dContext = _dContext.AsSpan(0, batch * d);
            if (attention)
            {
                for (int b = 0; b < batch; b++) dFeatures.Slice(b * f + hd, d).CopyTo(dContext.Slice(b * d, d));
            }

            // decoder layers, top to bottom; the top layer's output gradient is the s-part of dFeatures (stride F)
            ReadOnlySpan<float> hiddenIn = _hidden.AsSpan(t * _stateBlock, stateAll);
            ReadOnlySpan<float> hiddenOut = _hidden.AsSpan((t + 1) * _stateBlock, stateAll);
            ReadOnlySpan<float> cellIn = lstm ? _cell.AsSpan(t * _stateBlock, stateAll) : default;
            ReadOnlySpan<float> layerCaches = _layerCaches.AsSpan(t * ld * _layerCacheBlock, ld * _layerCacheBlock);
            ReadOnlySpan<float> input = _input.AsSpan(t * batch * din, batch * din);
            ReadOnlySpan<float> dy = dFeatures;
            int lddy = f;
            for (int l = top; l >= 0; l--)
            {
                int inputSize = l == 0 ? din : hd;
                var dims = new LayerDims(batch, 1, inputSize, hd);
                Span<float> dx = _dInput.AsSpan(0, batch * inputSize);
                dx.Clear();
                Span<float> dh0 = _dHiddenNext.AsSpan(0, state);
                Span<float> dc0 = lstm ? _dCellNext.AsSpan(0, state) : default;
                CellOps.Backward(s.DecoderCell, dims, reverse: false, ones,
                    l == 0 ? input : hiddenOut.Slice((l - 1) * state, state), _layout.Decoder[l].Weights(p),
                    hiddenIn.Slice(l * state, state), lstm ? cellIn.Slice(l * state, state) : default,
                    layerCaches.Slice(l * _layerCacheBlock, CellOps.CacheLength(s.DecoderCell, batch, 1, hd)),
                    dy, lddy, dHidden.Slice(l * state, state), lstm ? dCell.Slice(l * state, state) : default,
                    _layout.Decoder[l].Gradients(g), dx, dh0, dc0, _decoderScratch);
                dh0.CopyTo(dHidden.Slice(l * state, state));
                if (lstm) dc0.CopyTo(dCell.Slice(l * state, state));
                if (l > 0)
                {
                    // the layer below's output gradient
                    dx.CopyTo(_dLayerOutput);
                    dy = _dLayerOutput.AsSpan(0, state);
                    lddy = hd;
                }
            }

            // layer-0 input gradient [B, Din] = [de; dc]
            ReadOnlySpan<float> dInput = _dInput.AsSpan(0, batch * din);
            for (int b = 0; b < batch; b++)
            {
                dInput.Slice(b * din, et).CopyTo(dEmbedding.Slice((t * batch + b) * et, et));
                if (attention) TensorPrimitives.Add(dContext.Slice(b * d, d), dInput.Slice(b * din + et, d), dContext.Slice(b * d, d));
            }

            if (attention)
            {
                // the query was the top layer's state entering step t: its gradient joins the carried dh
                bool additive = s.Attention == Attention.Additive;
                DecoderAttention.Backward(s.Attention, batch, ts, d, hd, s.AttentionSize, sourceLengths, memory,
                    s.Attention == Attention.Dot ? default : keys,
                    hiddenIn.Slice(top * state, state),
                    additive ? p.Slice(_layout.AttentionQuery!.Offset, _layout.AttentionQuery.Length) : default,
                    additive ? p.Slice(_layout.AttentionScore!.Offset, _layout.AttentionScore.Length) : default,
                    _alpha.AsSpan(t * batch * ts, batch * ts),
                    _attentionCache.AsSpan(t * _attentionCacheBlock, DecoderAttention.CacheLength(s.Attention, batch, ts, s.AttentionSize)),
                    dContext,
                    dHidden.Slice(top * state, state),
                    additive ? g.Slice(_layout.AttentionQuery!.Offset, _layout.AttentionQuery.Length) : default,
                    additive ? g.Slice(_layout.AttentionScore!.Offset, _layout.AttentionScore.Length) : default,
                    dKeys, dMemory,
                    _attentionScratch.AsSpan(0, DecoderAttention.ScratchLength(s.Attention, batch, ts, s.AttentionSize)));
            }
        }

        // target embedding: one pass over every step's input tokens
        Embedding.Backward(_inputTokens.AsSpan(0, ty * batch), dEmbedding, s.TargetVocabulary, et,
            g.Slice(_layout.TargetEmbedding.Offset, _layout.TargetEmbedding.Length),
            s.PaddingId >= 0 ? s.PaddingId : Embedding.NoPadding);

        // keys K = M·W_kᵀ: dW_k and the keys' share of dM
        if (s.Attention is Attention.Additive or Attention.General)
        {
            DecoderAttention.ProjectKeysBackward(s.Attention, batch * ts, d, s.KeySize, memory,
                p.Slice(_layout.AttentionKey!.Offset, _layout.AttentionKey.Length), dKeys,
                g.Slice(_layout.AttentionKey.Offset, _layout.AttentionKey.Length), dMemory);
        }

        BackwardInitialState(batch, dHidden, dCell);
        BackwardEncoder();
    }

    /// <summary>Routes the gradient of the decoder's initial state to the encoder's final states (copy or bridge).</summary>
    private void BackwardInitialState(int batch, ReadOnlySpan<float> dHidden, ReadOnlySpan<float> dCell)
    {
        Seq2SeqShape s = _shape;
        int he = s.EncoderHiddenSize, hd = s.DecoderHiddenSize, d = s.MemorySize, dirs = s.Directions, ld = s.DecoderLayers;
        int state = batch * hd;
        for (int slot = 0; slot < _dEncoderHidden.Length; slot++)
        {
            _dEncoderHidden[slot].AsSpan(0, batch * he).Clear();
            _dEncoderCell[slot].AsSpan(0, batch * he).Clear();
        }

        if (s.CopiesEncoderState)
        {
            bool copyCell = CellOps.HasCellState(s.EncoderCell) && CellOps.HasCellState(s.DecoderCell);
            for (int l = 0; l < ld; l++)
            {
                for (int b = 0; b < batch; b++)
                {
                    for (int dir = 0; dir < dirs; dir++)
                    {
                        int slot = l * dirs + dir;
                        dHidden.Slice(l * state + b * hd + dir * he, he).CopyTo(_dEncoderHidden[slot].AsSpan(b * he, he));
                        if (copyCell) dCell.Slice(l * state + b * hd + dir * he, he).CopyTo(_dEncoderCell[slot].AsSpan(b * he, he));
                    }
                }
            }
            return;
        }

        // h0 = tanh(z): dz = dh0 ⊙ (1 − h0²), then the linear layer's backward (c0 = 0 carries no gradient)
        ReadOnlySpan<float> p = _network.Parameters;
        Span<float> g = _network.Gradients;
        ReadOnlySpan<float> output = _bridgeOutput.AsSpan(0, batch * ld * hd);
        Span<float> dz = _dBridge.AsSpan(0, batch * ld * hd);
        for (int l = 0; l < ld; l++)
        {
            for (int b = 0; b < batch; b++)
            {
                dHidden.Slice(l * state + b * hd, hd).CopyTo(dz.Slice(b * ld * hd + l * hd, hd));
            }
        }
        for (int i = 0; i < dz.Length; i++) dz[i] *= 1f - output[i] * output[i];
        Span<float> dInput = _dBridgeInput.AsSpan(0, batch * d);
        LinearHead.Backward(batch, d, ld * hd, _bridgeInput.AsSpan(0, batch * d),
            p.Slice(_layout.BridgeWeight!.Offset, _layout.BridgeWeight.Length), dz,
            g.Slice(_layout.BridgeWeight.Offset, _layout.BridgeWeight.Length),
            g.Slice(_layout.BridgeBias!.Offset, _layout.BridgeBias.Length), dInput);
        int topSlot = (s.EncoderLayers - 1) * dirs;
        for (int b = 0; b < batch; b++)
        {
            for (int dir = 0; dir < dirs; dir++)
            {
                dInput.Slice(b * d + dir * he, he).CopyTo(_dEncoderHidden[topSlot + dir].AsSpan(b * he, he));
            }
        }
    }

    /// <summary>Encoder BPTT, top layer first, then the source embedding.</summary>
    private void BackwardEncoder()
    {
        Seq2SeqShape s = _shape;
        ReadOnlySpan<float> p = _network.Parameters;
        Span<float> g = _network.Gradients;
        int batch = _batch, ts = _sourceSteps, he = s.EncoderHiddenSize, d = s.MemorySize, dirs = s.Directions;
        bool lstm = CellOps.HasCellState(s.EncoderCell);
        ReadOnlySpan<int> lengths = _sourceLengths.AsSpan(0, batch);

        for (int l = s.EncoderLayers - 1; l >= 0; l--)
        {
            int input = l == 0 ? s.SourceEmbeddingSize : d;
            ReadOnlySpan<float> x = l == 0 ? _sourceEmbedding.AsSpan(0, batch * ts * input) : _encoderOutput[l - 1].AsSpan(0, batch * ts * input);
            // both directions add their dx into the layer input's gradient
            Span<float> dx = l == 0 ? _dSourceEmbedding.AsSpan(0, batch * ts * input) : _dEncoderOutput[l - 1].AsSpan(0, batch * ts * input);
            dx.Clear();
            for (int dir = 0; dir < dirs; dir++)
            {
                int slot = l * dirs + dir;
                CellOps.Backward(s.EncoderCell, new LayerDims(batch, ts, input, he), reverse: dir == 1, lengths,
                    x, _layout.Encoder[slot].Weights(p), default, default, _encoderCache[slot],
                    _dEncoderOutput[l].AsSpan(dir * he), d,
                    _dEncoderHidden[slot].AsSpan(0, batch * he), lstm ? _dEncoderCell[slot].AsSpan(0, batch * he) : default,
                    _layout.Encoder[slot].Gradients(g), dx, default, default, _encoderScratch);
            }
        }

        Embedding.BackwardPadded(_source.AsSpan(0, batch * ts), lengths, batch, ts, _dSourceEmbedding.AsSpan(0, batch * ts * s.SourceEmbeddingSize),
            s.SourceVocabulary, s.SourceEmbeddingSize,
            g.Slice(_layout.SourceEmbedding.Offset, _layout.SourceEmbedding.Length),
            s.PaddingId >= 0 ? s.PaddingId : Embedding.NoPadding);
    }
}
