using System;
using System.Collections.Generic;

namespace RnnGen.Serialization;

/// <summary>One tensor entry of a safetensors header.</summary>
public sealed class SafeTensorInfo
{
    internal SafeTensorInfo(string name, SafeTensorsDType dtype, long[] shape, long elementCount, long dataBegin, long dataEnd)
    {
        Name = name;
        DType = dtype;
        Shape = Array.AsReadOnly(shape);
        ElementCount = elementCount;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
    }

    public string Name { get; }

    public SafeTensorsDType DType { get; }

    /// <summary>Row-major shape; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>First byte of the tensor, relative to the start of the data section.</summary>
    public long DataBegin { get; }

    /// <summary>One past the last byte, relative to the start of the data section.</summary>
    public long DataEnd { get; }

    public long ByteLength => DataEnd - DataBegin;

    /// <summary>The shape as PyTorch prints it, e.g. <c>[16, 4]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>True when the shape equals <paramref name="shape"/> exactly (same rank and dims).</summary>
    public bool ShapeEquals(IReadOnlyList<int> shape)
    {
        if (shape.Count != Shape.Count) return false;
        for (int i = 0; i < shape.Count; i++)
            if (shape[i] != Shape[i]) return false;
        return true;
    }

    public override string ToString() => Name + " " + DType.ToText() + " " + ShapeText;

    internal static string FormatShape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";
}
