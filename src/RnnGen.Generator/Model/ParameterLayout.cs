using System;
using System.Collections.Generic;

namespace RnnGen.Generator.Model;

/// <summary>How one tensor is initialized; the emitter turns it into a call to RnnGen.Initialization.ParameterInit.</summary>
internal enum InitRule
{
    /// <summary>uniform(−Scale, Scale)</summary>
    Uniform,

    /// <summary>normal(0, Scale²)</summary>
    Normal,

    /// <summary>every element = Scale</summary>
    Constant,

    /// <summary>orthonormal columns (Keras' orthogonal recurrent kernel, transposed to PyTorch's layout)</summary>
    Orthogonal,

    /// <summary>zeros, with the LSTM forget-gate block (rows H..2H) set to Scale</summary>
    ForgetGateBias,
}

/// <summary>One named tensor of the flat parameter buffer.</summary>
/// <param name="Name">PyTorch <c>state_dict</c> name, e.g. <c>rnn.weight_hh_l1_reverse</c>.</param>
/// <param name="Identifier">C# identifier stem, e.g. <c>WeightHhL1Reverse</c>.</param>
/// <param name="Rows">First dimension.</param>
/// <param name="Columns">Second dimension, or 0 for a vector.</param>
/// <param name="Offset">Index of the first element in the flat buffer.</param>
/// <param name="Init">Initialization rule.</param>
/// <param name="Scale">The rule's parameter (bound, standard deviation or constant).</param>
internal sealed record ParameterSpec(string Name, string Identifier, int Rows, int Columns, long Offset, InitRule Init, double Scale)
{
    public long Length => Columns == 0 ? Rows : (long)Rows * Columns;

    public string ShapeText => Columns == 0 ? $"[{Rows}]" : $"[{Rows}, {Columns}]";
}

/// <summary>
/// The order, names, shapes, offsets and initialization of a model's parameters — PyTorch's
/// <c>state_dict</c> order: <c>embedding.weight</c>, then per layer and direction
/// <c>rnn.weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>, <c>weight_hr</c> (projection),
/// then RnnGen's extras PyTorch lacks (peepholes, layer norm), then the head (<c>nn.Linear</c>).
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
        void Add(string name, string identifier, int rows, int columns, InitRule init, double scale)
        {
            var p = new ParameterSpec(name, identifier, rows, columns, offset, init, scale);
            result.Add(p);
            offset += p.Length;
        }

        bool keras = spec.Initialization == InitKind.Keras;
        if (spec.HasEmbedding)
        {
            // PyTorch nn.Embedding: N(0, 1); Keras Embedding: uniform(±0.05). The padding row is zeroed at init.
            Add("embedding.weight", "EmbeddingWeight", spec.Vocabulary, spec.EmbeddingSize,
                keras ? InitRule.Uniform : InitRule.Normal, keras ? 0.05 : 1.0);
        }

        int h = spec.HiddenSize, g = spec.Gates, gateRows = g * h;
        double rnnBound = 1.0 / Math.Sqrt(h);
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            for (int direction = 0; direction < spec.Directions; direction++)
            {
                string suffix = RecurrentSuffix(layer, direction);
                string id = RecurrentIdentifierSuffix(layer, direction);
                int input = spec.LayerInputSize(layer);
                if (keras)
                {
                    // Keras kernel [in, G·H] is Glorot-uniform over fan_in + fan_out of the whole kernel.
                    Add("rnn.weight_ih" + suffix, "WeightIh" + id, gateRows, input, InitRule.Uniform, Math.Sqrt(6.0 / (input + gateRows)));
                    Add("rnn.weight_hh" + suffix, "WeightHh" + id, gateRows, spec.StateSize, InitRule.Orthogonal, 1.0);
                    Add("rnn.bias_ih" + suffix, "BiasIh" + id, gateRows, 0,
                        spec.Cell == CellKind.Lstm ? InitRule.ForgetGateBias : InitRule.Constant, spec.Cell == CellKind.Lstm ? 1.0 : 0.0);
                    Add("rnn.bias_hh" + suffix, "BiasHh" + id, gateRows, 0, InitRule.Constant, 0.0);
                }
                else
                {
                    Add("rnn.weight_ih" + suffix, "WeightIh" + id, gateRows, input, InitRule.Uniform, rnnBound);
                    Add("rnn.weight_hh" + suffix, "WeightHh" + id, gateRows, spec.StateSize, InitRule.Uniform, rnnBound);
                    Add("rnn.bias_ih" + suffix, "BiasIh" + id, gateRows, 0, InitRule.Uniform, rnnBound);
                    Add("rnn.bias_hh" + suffix, "BiasHh" + id, gateRows, 0, InitRule.Uniform, rnnBound);
                }
                if (spec.ProjectionSize > 0)
                {
                    Add("rnn.weight_hr" + suffix, "WeightHr" + id, spec.ProjectionSize, h,
                        InitRule.Uniform, keras ? Math.Sqrt(6.0 / (h + spec.ProjectionSize)) : rnnBound);
                }
                if (spec.Peepholes)
                {
                    Add("rnn.weight_peephole" + suffix, "WeightPeephole" + id, 3, h, InitRule.Uniform, rnnBound);
                }
                if (spec.LayerNorm)
                {
                    Add("rnn.layer_norm_gates_weight" + suffix, "LayerNormGatesWeight" + id, g, h, InitRule.Constant, 1.0);
                    Add("rnn.layer_norm_gates_bias" + suffix, "LayerNormGatesBias" + id, g, h, InitRule.Constant, 0.0);
                    if (spec.Cell == CellKind.Lstm)
                    {
                        Add("rnn.layer_norm_cell_weight" + suffix, "LayerNormCellWeight" + id, h, 0, InitRule.Constant, 1.0);
                        Add("rnn.layer_norm_cell_bias" + suffix, "LayerNormCellBias" + id, h, 0, InitRule.Constant, 0.0);
                    }
                }
            }
        }

        int pooled = spec.LayerOutputSize;
        if (spec.Attention == AttentionKind.Additive)
        {
            Add("attention.weight", "AttentionWeight", spec.AttentionSize, pooled, InitRule.Uniform, 1.0 / Math.Sqrt(pooled));
            Add("attention.bias", "AttentionBias", spec.AttentionSize, 0, InitRule.Uniform, 1.0 / Math.Sqrt(pooled));
            Add("attention.vector", "AttentionVector", spec.AttentionSize, 0, InitRule.Uniform, 1.0 / Math.Sqrt(spec.AttentionSize));
        }
        else if (spec.Attention == AttentionKind.Dot)
        {
            Add("attention.query", "AttentionQuery", pooled, 0, InitRule.Uniform, 1.0 / Math.Sqrt(pooled));
        }

        if (spec.Head != HeadKind.None)
        {
            int features = spec.LayerOutputSize;
            if (keras)
            {
                Add("head.weight", "HeadWeight", spec.OutputSize, features, InitRule.Uniform, Math.Sqrt(6.0 / (features + spec.OutputSize)));
                Add("head.bias", "HeadBias", spec.OutputSize, 0, InitRule.Constant, 0.0);
            }
            else
            {
                double headBound = 1.0 / Math.Sqrt(features);
                Add("head.weight", "HeadWeight", spec.OutputSize, features, InitRule.Uniform, headBound);
                Add("head.bias", "HeadBias", spec.OutputSize, 0, InitRule.Uniform, headBound);
            }
        }
        return result;
    }

    /// <summary>PyTorch's name suffix: <c>_l{k}</c> plus <c>_reverse</c> for the reverse direction.</summary>
    public static string RecurrentSuffix(int layer, int direction) =>
        "_l" + layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (direction == 1 ? "_reverse" : "");

    public static string RecurrentIdentifierSuffix(int layer, int direction) =>
        "L" + layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + (direction == 1 ? "Reverse" : "");
}
