using System;
using System.Numerics.Tensors;
using RnnGen.Kernels;

namespace RnnGen.Seq2Seq;

/// <summary>The buffers of one decoder step for <c>rows</c> rows (see <see cref="DecoderStep.Forward"/>).</summary>
internal ref struct DecoderStepBuffers
{
    /// <summary>Decoder states entering the step, [Ld, rows, Hd] (layer-major); cell states likewise (LSTM only).</summary>
    public ReadOnlySpan<float> HiddenIn, CellIn;

    /// <summary>Decoder states after the step, [Ld, rows, Hd].</summary>
    public Span<float> HiddenOut, CellOut;

    /// <summary>Target embedding of the input tokens [rows, Et] (scratch).</summary>
    public Span<float> Embedding;

    /// <summary>Layer-0 input [rows, Din] = [e; c] (kept for backward).</summary>
    public Span<float> Input;

    /// <summary>Output-layer input [rows, F] = [s; c] (kept for backward).</summary>
    public Span<float> Features;

    /// <summary>Context vectors [rows, D] (scratch) and attention weights α [rows, Ts] (kept).</summary>
    public Span<float> Context, Alpha;

    /// <summary>Attention cache (kept) and the Ld layer caches, each <see cref="LayerCacheStride"/> floats apart (kept).</summary>
    public Span<float> AttentionCache, LayerCaches;

    public int LayerCacheStride;

    /// <summary>Floats between the starts of consecutive layers' blocks in the state spans (≥ rows·Hd).</summary>
    public int StateStride;

    /// <summary>Logits over the target vocabulary [rows, Vt].</summary>
    public Span<float> Logits;
}

/// <summary>
/// One step of the decoder, shared by training (<see cref="Seq2SeqSession"/>, which keeps every step's caches for
/// BPTT) and decoding (<see cref="Seq2SeqStepSource"/>): embed the input tokens, attend with the state entering the
/// step, advance every decoder layer by one step through the tested sequence kernels (T = 1), and project
/// [s; c] to logits.
/// </summary>
internal static class DecoderStep
{
    /// <summary>Advances <paramref name="rows"/> rows by one token each: <paramref name="tokens"/> [rows] are the inputs,
    /// <paramref name="memory"/> [rows, Ts, D] the encoder outputs of these rows, <paramref name="keys"/> [rows·Ts, K]
    /// their projected keys (unused for dot and none), <paramref name="sourceLengths"/> [rows] their source lengths,
    /// <paramref name="ones"/> at least rows ones (every row advances one step); <paramref name="s"/> the buffers.</summary>
    public static void Forward(Seq2SeqNetwork network, int rows, ReadOnlySpan<int> tokens,
        int sourceSteps, ReadOnlySpan<int> sourceLengths, ReadOnlySpan<float> memory, ReadOnlySpan<float> keys,
        ReadOnlySpan<int> ones, ref DecoderStepBuffers s)
    {
        Seq2SeqShape shape = network.Shape;
        Seq2SeqLayout layout = network.Layout;
        ReadOnlySpan<float> p = network.Parameters;
        int et = shape.TargetEmbeddingSize, hd = shape.DecoderHiddenSize, d = shape.MemorySize;
        int din = shape.DecoderInputSize, f = shape.OutputFeatures, top = shape.DecoderLayers - 1;
        int state = rows * hd, stride = s.StateStride;

        // e [rows, Et] = embedding rows of the input tokens (ids are checked by the kernel)
        Embedding.Forward(tokens.Slice(0, rows), p.Slice(layout.TargetEmbedding.Offset, layout.TargetEmbedding.Length),
            shape.TargetVocabulary, et, s.Embedding.Slice(0, rows * et));

        if (shape.HasAttention)
        {
            // α [rows, Ts], c [rows, D] from the top layer's state entering the step (Bahdanau: s(t−1)).
            Attend(network, rows, sourceSteps, sourceLengths, memory, keys, s.HiddenIn.Slice(top * stride, state),
                s.Alpha, s.Context, s.AttentionCache);
        }

        // Layer-0 input x = [e; c] and output features [s; c] are row-interleaved copies (a few hundred floats per row).
        for (int r = 0; r < rows; r++)
        {
            Span<float> x = s.Input.Slice(r * din, din);
            s.Embedding.Slice(r * et, et).CopyTo(x);
            if (shape.HasAttention) s.Context.Slice(r * d, d).CopyTo(x.Slice(et));
        }

        bool lstm = CellOps.HasCellState(shape.DecoderCell);
        for (int l = 0; l <= top; l++)
        {
            int input = l == 0 ? din : hd;
            var dims = new LayerDims(rows, 1, input, hd);
            ReadOnlySpan<float> x = l == 0 ? s.Input.Slice(0, rows * din) : s.HiddenOut.Slice((l - 1) * stride, state);
            CellOps.Forward(shape.DecoderCell, dims, reverse: false, ones,
                x, layout.Decoder[l].Weights(p),
                s.HiddenIn.Slice(l * stride, state), lstm ? s.CellIn.Slice(l * stride, state) : default,
                s.HiddenOut.Slice(l * stride, state), hd, default, lstm ? s.CellOut.Slice(l * stride, state) : default,
                s.LayerCaches.Slice(l * s.LayerCacheStride, CellOps.CacheLength(shape.DecoderCell, rows, 1, hd)));
        }

        ReadOnlySpan<float> topOut = s.HiddenOut.Slice(top * stride, state);
        for (int r = 0; r < rows; r++)
        {
            Span<float> feature = s.Features.Slice(r * f, f);
            topOut.Slice(r * hd, hd).CopyTo(feature);
            if (shape.HasAttention) s.Context.Slice(r * d, d).CopyTo(feature.Slice(hd));
        }

        LinearHead.Forward(rows, f, shape.TargetVocabulary, s.Features.Slice(0, rows * f),
            p.Slice(layout.OutputWeight.Offset, layout.OutputWeight.Length),
            p.Slice(layout.OutputBias.Offset, layout.OutputBias.Length),
            s.Logits.Slice(0, rows * shape.TargetVocabulary));
    }

    /// <summary>Attention of <paramref name="query"/> [rows, Hd] over <paramref name="memory"/> with the model's kind.</summary>
    public static void Attend(Seq2SeqNetwork network, int rows, int sourceSteps, ReadOnlySpan<int> sourceLengths,
        ReadOnlySpan<float> memory, ReadOnlySpan<float> keys, ReadOnlySpan<float> query,
        Span<float> alpha, Span<float> context, Span<float> cache)
    {
        Seq2SeqShape shape = network.Shape;
        Seq2SeqLayout layout = network.Layout;
        ReadOnlySpan<float> p = network.Parameters;
        bool additive = shape.Attention == Attention.Additive;
        DecoderAttention.Forward(shape.Attention, rows, sourceSteps, shape.MemorySize, shape.DecoderHiddenSize, shape.AttentionSize,
            sourceLengths.Slice(0, rows),
            memory.Slice(0, rows * sourceSteps * shape.MemorySize),
            shape.Attention == Attention.Dot ? default : keys.Slice(0, rows * sourceSteps * shape.KeySize),
            query,
            additive ? p.Slice(layout.AttentionQuery!.Offset, layout.AttentionQuery.Length) : default,
            additive ? p.Slice(layout.AttentionScore!.Offset, layout.AttentionScore.Length) : default,
            alpha.Slice(0, rows * sourceSteps), context.Slice(0, rows * shape.MemorySize),
            cache.Slice(0, DecoderAttention.CacheLength(shape.Attention, rows, sourceSteps, shape.AttentionSize)));
    }
}
