using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGen.Training;

/// <summary>Shared plumbing for the optimizers: state dictionaries, checkpoint restore and argument checks.</summary>
internal static class OptimizerState
{
    public static IReadOnlyDictionary<string, float[]> Create(int parameterCount, params string[] names)
    {
        var state = new Dictionary<string, float[]>(names.Length, StringComparer.Ordinal);
        foreach (string name in names) state.Add(name, new float[parameterCount]);
        return state;
    }

    public static void Load(IReadOnlyDictionary<string, float[]> own, int parameterCount, long stepCount,
        IReadOnlyDictionary<string, float[]> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (stepCount < 0)
            throw new ArgumentOutOfRangeException(nameof(stepCount), stepCount, $"stepCount must be ≥ 0 but is {stepCount}.");
        foreach (KeyValuePair<string, float[]> entry in source)
        {
            if (!own.ContainsKey(entry.Key))
                throw new ArgumentException(
                    $"state has buffer '{entry.Key}' but this optimizer keeps only [{string.Join(", ", own.Keys)}].", nameof(source));
        }
        foreach (KeyValuePair<string, float[]> entry in own)
        {
            if (!source.TryGetValue(entry.Key, out float[]? buffer))
                throw new ArgumentException($"state is missing buffer '{entry.Key}'.", nameof(source));
            ArgumentNullException.ThrowIfNull(buffer, entry.Key);
            ArgumentChecks.Length(buffer.Length, parameterCount, "state[\"" + entry.Key + "\"]", "parameterCount");
        }
        foreach (KeyValuePair<string, float[]> entry in own) source[entry.Key].AsSpan().CopyTo(entry.Value);
    }

    public static void CheckStep(int parameterCount, int parameters, int gradients)
    {
        ArgumentChecks.Length(parameters, parameterCount, "parameters", "the optimizer's parameterCount");
        ArgumentChecks.Length(gradients, parameterCount, "gradients", "the optimizer's parameterCount");
    }

    public static void CheckCount(int parameterCount) => ArgumentChecks.NonNegative(parameterCount, nameof(parameterCount));

    /// <summary>
    /// The double a Python literal with the same ~7 significant digits has (0.9f → 0.9, not 0.89999997615…).
    /// PyTorch does scalar arithmetic such as <c>1 - beta1</c> or <c>lr / bias_correction1</c> on Python floats
    /// before casting to float32; starting from this value reproduces its float32 constants bit for bit.
    /// </summary>
    public static double PythonScalar(float value)
    {
        float magnitude = Math.Abs(value);
        return magnitude is > 1e-20f and < 1e20f ? (double)(decimal)value : value;
    }

    /// <summary>Number of leading elements handled by the Vector&lt;float&gt; body of an update loop.</summary>
    public static int VectorizedLength(int length) => length - length % Vector<float>.Count;

    public static Span<Vector<float>> AsVectors(Span<float> span, int length) =>
        MemoryMarshal.Cast<float, Vector<float>>(span.Slice(0, length));

    public static ReadOnlySpan<Vector<float>> AsVectors(ReadOnlySpan<float> span, int length) =>
        MemoryMarshal.Cast<float, Vector<float>>(span.Slice(0, length));
}
