using System;
using System.Collections.Generic;

namespace RnnGen.Generator.Model;

/// <summary>One named tensor of the flat parameter buffer.</summary>
/// <param name="Name">PyTorch <c>state_dict</c> name, e.g. <c>rnn.weight_hh_l1_reverse</c>.</param>
/// <param name="Identifier">C# identifier stem, e.g. <c>RnnWeightHhL1Reverse</c>.</param>
/// <param name="Rows">First dimension.</param>
/// <param name="Columns">Second dimension, or 0 for a vector.</param>
/// <param name="Offset">Index of the first element in the flat buffer.</param>
/// <param name="InitBound">PyTorch's default initialization draws uniform(−bound, bound).</param>
internal sealed record ParameterSpec(string Name, string Identifier, int Rows, int Columns, long Offset, double InitBound)
{
    public long Length => Columns == 0 ? Rows : (long)Rows * Columns;

    public string ShapeText => Columns == 0 ? $"[{Rows}]" : $"[{Rows}, {Columns}]";
}

/// <summary>
/// The order, names, shapes and offsets of a model's parameters — exactly PyTorch's
/// <c>state_dict</c> order for <c>nn.RNN/LSTM/GRU</c> (per layer, per direction: weight_ih,
/// weight_hh, bias_ih, bias_hh) followed by the head (<c>nn.Linear</c>: weight, bias).
/// </summary>
internal static class ParameterLayout
{
    public static long CountParameters(ModelSpec spec)
    {
        long total = 0;
        foreach (ParameterSpec p in Build(spec))
        {
            total += p.Length;
        }
        return total;
    }

    public static IReadOnlyList<ParameterSpec> Build(ModelSpec spec)
    {
        var result = new List<ParameterSpec>();
        long offset = 0;
        void Add(string name, string identifier, int rows, int columns, double bound)
        {
            var p = new ParameterSpec(name, identifier, rows, columns, offset, bound);
            result.Add(p);
            offset += p.Length;
        }

        int gateRows = spec.Gates * spec.HiddenSize;
        double rnnBound = 1.0 / Math.Sqrt(spec.HiddenSize);
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            for (int direction = 0; direction < spec.Directions; direction++)
            {
                string suffix = RecurrentSuffix(layer, direction);
                string id = RecurrentIdentifierSuffix(layer, direction);
                Add("rnn.weight_ih" + suffix, "WeightIh" + id, gateRows, spec.LayerInputSize(layer), rnnBound);
                Add("rnn.weight_hh" + suffix, "WeightHh" + id, gateRows, spec.HiddenSize, rnnBound);
                Add("rnn.bias_ih" + suffix, "BiasIh" + id, gateRows, 0, rnnBound);
                Add("rnn.bias_hh" + suffix, "BiasHh" + id, gateRows, 0, rnnBound);
            }
        }

        if (spec.Head != HeadKind.None)
        {
            double headBound = 1.0 / Math.Sqrt(spec.LayerOutputSize);
            Add("head.weight", "HeadWeight", spec.OutputSize, spec.LayerOutputSize, headBound);
            Add("head.bias", "HeadBias", spec.OutputSize, 0, headBound);
        }
        return result;
    }

    /// <summary>PyTorch's name suffix: <c>_l{k}</c> plus <c>_reverse</c> for the reverse direction.</summary>
    public static string RecurrentSuffix(int layer, int direction) =>
        "_l" + layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (direction == 1 ? "_reverse" : "");

    public static string RecurrentIdentifierSuffix(int layer, int direction) =>
        "L" + layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (direction == 1 ? "Reverse" : "");
}
