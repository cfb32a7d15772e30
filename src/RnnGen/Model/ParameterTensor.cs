using System;
using System.Collections.Generic;

namespace RnnGen;

/// <summary>A named tensor inside a model's flat parameter buffer (PyTorch <c>state_dict</c> naming).</summary>
public sealed class ParameterTensor
{
    public ParameterTensor(string name, int offset, params int[] shape)
    {
        Name = name;
        Offset = offset;
        int length = 1;
        foreach (int dim in shape) length *= dim;
        Length = length;
        Shape = Array.AsReadOnly((int[])shape.Clone());
    }

    /// <summary>PyTorch name, e.g. <c>rnn.weight_ih_l0_reverse</c>.</summary>
    public string Name { get; }

    /// <summary>Index of the first element in the flat buffer.</summary>
    public int Offset { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>Row-major shape, e.g. [4·H, I].</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The shape as PyTorch prints it, e.g. <c>[512, 32]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public override string ToString() => Name + " " + ShapeText;
}
