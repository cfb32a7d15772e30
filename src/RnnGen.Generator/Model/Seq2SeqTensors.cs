using System.Collections.Generic;

namespace RnnGen.Generator.Model;

/// <summary>One parameter tensor of an encoder–decoder model (name and shape), for the emitted documentation.</summary>
internal readonly record struct Seq2SeqTensor(string Name, long Rows, long Columns)
{
    public long Length => Columns == 0 ? Rows : Rows * Columns;
    public string ShapeText => Columns == 0 ? "[" + Num(Rows) + "]" : "[" + Num(Rows) + ", " + Num(Columns) + "]";

    private static string Num(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The tensor table of a <see cref="Seq2SeqSpec"/>, in buffer order. Must match the runtime's
/// <c>RnnGen.Seq2Seq.Seq2SeqLayout</c> (a generator test compares the emitted count with the runtime's).
/// </summary>
internal static class Seq2SeqTensors
{
    public static List<Seq2SeqTensor> Build(Seq2SeqSpec spec)
    {
        var list = new List<Seq2SeqTensor>();
        long he = spec.EncoderHiddenSize, hd = spec.DecoderHiddenSize, d = spec.MemorySize;
        list.Add(new("encoder.embedding.weight", spec.SourceVocabulary, spec.SourceEmbeddingSize));
        for (int l = 0; l < spec.EncoderLayers; l++)
        {
            long input = l == 0 ? spec.SourceEmbeddingSize : d;
            for (int dir = 0; dir < spec.Directions; dir++)
            {
                AddRecurrent(list, "encoder.rnn", l, dir == 1, spec.EncoderCell, input, he);
            }
        }
        if (!spec.CopiesEncoderState)
        {
            list.Add(new("bridge.weight", spec.DecoderLayers * hd, d));
            list.Add(new("bridge.bias", spec.DecoderLayers * hd, 0));
        }
        if (spec.Attention == AttentionKind.Additive)
        {
            list.Add(new("attention.query.weight", spec.AttentionSize, hd));
            list.Add(new("attention.key.weight", spec.AttentionSize, d));
            list.Add(new("attention.score.weight", 1, spec.AttentionSize));
        }
        else if (spec.Attention == AttentionKind.General)
        {
            list.Add(new("attention.weight", hd, d));
        }
        list.Add(new("decoder.embedding.weight", spec.TargetVocabulary, spec.TargetEmbeddingSize));
        for (int l = 0; l < spec.DecoderLayers; l++)
        {
            AddRecurrent(list, "decoder.rnn", l, false, spec.DecoderCell, l == 0 ? spec.DecoderInputSize : hd, hd);
        }
        list.Add(new("output.weight", spec.TargetVocabulary, spec.OutputFeatures));
        list.Add(new("output.bias", spec.TargetVocabulary, 0));
        return list;
    }

    private static void AddRecurrent(List<Seq2SeqTensor> list, string prefix, int layer, bool reverse, CellKind cell, long input, long hidden)
    {
        long gates = (cell == CellKind.Lstm ? 4 : cell == CellKind.Gru ? 3 : 1) * hidden;
        string suffix = "_l" + layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (reverse ? "_reverse" : "");
        list.Add(new(prefix + ".weight_ih" + suffix, gates, input));
        list.Add(new(prefix + ".weight_hh" + suffix, gates, hidden));
        list.Add(new(prefix + ".bias_ih" + suffix, gates, 0));
        list.Add(new(prefix + ".bias_hh" + suffix, gates, 0));
    }
}
