using System;
using System.Collections.Generic;

namespace RnnGen.Data;

/// <summary>One time series of <see cref="Length"/> steps × <see cref="Features"/> values, row-major [T, F], all finite.</summary>
public sealed class TimeSeries
{
    private readonly float[] _data;

    private TimeSeries(float[] data, int features)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
                throw new ArgumentException($"Expected finite values, but the value at [t = {i / features}, f = {i % features}] is {data[i]}.", nameof(data));
        }
        _data = data;
        Features = features;
        Length = data.Length / features;
    }

    /// <summary>A series with one feature.</summary>
    public static TimeSeries Univariate(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
            throw new ArgumentException("Expected at least one value, but values is empty.", nameof(values));
        return new TimeSeries(values.ToArray(), 1);
    }

    /// <summary>A multivariate series from its steps: <c>steps[t]</c> holds the F features of step t.</summary>
    public static TimeSeries FromSteps(IReadOnlyList<float[]> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
            throw new ArgumentException("Expected at least one step, but steps is empty.", nameof(steps));
        int features = steps[0]?.Length ?? 0;
        if (features < 1)
            throw new ArgumentException("Expected steps[0] to hold ≥ 1 feature, but it is empty or null.", nameof(steps));
        var data = new float[(long)steps.Count * features];
        for (int t = 0; t < steps.Count; t++)
        {
            float[]? step = steps[t];
            if (step is null || step.Length != features)
                throw new ArgumentException($"Expected every step to hold {features} features (as steps[0]), but steps[{t}] holds {step?.Length ?? 0}.", nameof(steps));
            step.CopyTo(data, (long)t * features);
        }
        return new TimeSeries(data, features);
    }

    /// <summary>A series from row-major data [T, F].</summary>
    public static TimeSeries FromFlat(ReadOnlySpan<float> data, int features)
    {
        DataChecks.Positive(features, nameof(features));
        if (data.IsEmpty || data.Length % features != 0)
            throw new ArgumentException($"Expected data to hold a positive multiple of features = {features} values ([T, {features}]), but it holds {data.Length}.", nameof(data));
        return new TimeSeries(data.ToArray(), features);
    }

    public int Length { get; }
    public int Features { get; }

    /// <summary>All values, row-major [T, F].</summary>
    public ReadOnlySpan<float> Data => _data;

    public float this[int step, int feature]
    {
        get
        {
            if ((uint)step >= (uint)Length)
                throw new ArgumentOutOfRangeException(nameof(step), step, $"Expected a step in 0..{Length - 1}, but got {step}.");
            if ((uint)feature >= (uint)Features)
                throw new ArgumentOutOfRangeException(nameof(feature), feature, $"Expected a feature in 0..{Features - 1}, but got {feature}.");
            return _data[step * Features + feature];
        }
    }

    internal float[] Buffer => _data;
}

/// <summary>Which part of each series a <see cref="WindowDataset"/> takes its windows from.</summary>
public enum SeriesPart
{
    /// <summary>Every window of the whole series.</summary>
    All = 0,

    /// <summary>Windows whose targets lie in [0, TrainEnd).</summary>
    Train = 1,

    /// <summary>Windows whose targets lie in [TrainEnd, ValidationEnd); inputs may reach back into the training part.</summary>
    Validation = 2,

    /// <summary>Windows whose targets lie in [ValidationEnd, T).</summary>
    Test = 3,
}

/// <summary>
/// A chronological split of each series: the first round(T·TrainFraction) steps train, the next
/// round(T·ValidationFraction) validate, the rest test (the same rounding as <see cref="DataSplit"/>).
/// </summary>
public readonly record struct TimeSplit
{
    public TimeSplit(double trainFraction, double validationFraction)
    {
        DataSplit.Sizes(0, trainFraction, validationFraction); // validates
        TrainFraction = trainFraction;
        ValidationFraction = validationFraction;
    }

    public double TrainFraction { get; }
    public double ValidationFraction { get; }

    /// <summary>End (exclusive) of the training part of a series of <paramref name="length"/> steps.</summary>
    public int TrainEnd(int length) => DataSplit.Sizes(length, TrainFraction, ValidationFraction).Train;

    /// <summary>End (exclusive) of the validation part.</summary>
    public int ValidationEnd(int length)
    {
        var (train, validation) = DataSplit.Sizes(length, TrainFraction, ValidationFraction);
        return train + validation;
    }
}
