using System;
using System.Collections.Generic;

namespace RnnGen.Data;

/// <summary>
/// Per-series, per-feature standardization z = (x − mean) / std, fitted on the training part of each
/// series only (population std; a constant feature gets std 1), with the inverse transform for predictions.
/// </summary>
public sealed class SeriesStandardizer
{
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly int[] _fittedSteps;

    private SeriesStandardizer(float[] mean, float[] std, int[] fittedSteps, int features)
    {
        _mean = mean;
        _std = std;
        _fittedSteps = fittedSteps;
        Features = features;
    }

    /// <summary>Fits on steps [0, <see cref="TimeSplit.TrainEnd"/>) of each series.</summary>
    public static SeriesStandardizer Fit(IReadOnlyList<TimeSeries> series, TimeSplit split)
    {
        ArgumentNullException.ThrowIfNull(series);
        int features = WindowDataset.CheckSeries(series);
        var mean = new float[series.Count * features];
        var std = new float[series.Count * features];
        var fitted = new int[series.Count];
        for (int s = 0; s < series.Count; s++)
        {
            TimeSeries x = series[s];
            int end = split.TrainEnd(x.Length);
            if (end < 1)
                throw new ArgumentException(
                    $"Expected every series to have ≥ 1 training step to fit on, but series {s} ({x.Length} steps, train fraction {split.TrainFraction}) has {end}.", nameof(split));
            fitted[s] = end;
            for (int f = 0; f < features; f++)
            {
                double sum = 0;
                for (int t = 0; t < end; t++) sum += x.Buffer[t * features + f];
                double m = sum / end, squares = 0;
                for (int t = 0; t < end; t++)
                {
                    double d = x.Buffer[t * features + f] - m;
                    squares += d * d;
                }
                double sd = Math.Sqrt(squares / end);
                mean[s * features + f] = (float)m;
                std[s * features + f] = sd > 1e-12 ? (float)sd : 1f;
            }
        }
        return new SeriesStandardizer(mean, std, fitted, features);
    }

    /// <summary>Fits on the first round(T·<paramref name="trainFraction"/>) steps of each series.</summary>
    public static SeriesStandardizer Fit(IReadOnlyList<TimeSeries> series, double trainFraction)
        => Fit(series, new TimeSplit(trainFraction, 0));

    /// <summary>Rebuilds a fitted standardizer from stored means and stds [series, F] (e.g. saved with a model).</summary>
    public static SeriesStandardizer FromParameters(ReadOnlySpan<float> means, ReadOnlySpan<float> stds, int features)
    {
        DataChecks.Positive(features, nameof(features));
        if (means.IsEmpty || means.Length % features != 0)
            throw new ArgumentException($"Expected means to hold a positive multiple of features = {features} values ([series, {features}]), but it holds {means.Length}.", nameof(means));
        DataChecks.Length(stds.Length, means.Length, nameof(stds), "the same [series, F] as means");
        for (int i = 0; i < stds.Length; i++)
        {
            if (!(stds[i] > 0) || !float.IsFinite(stds[i]))
                throw new ArgumentException($"Expected positive finite stds, but stds[{i}] = {stds[i]}.", nameof(stds));
            if (!float.IsFinite(means[i]))
                throw new ArgumentException($"Expected finite means, but means[{i}] = {means[i]}.", nameof(means));
        }
        return new SeriesStandardizer(means.ToArray(), stds.ToArray(), new int[means.Length / features], features);
    }

    /// <summary>
    /// The statistics as text (one line each: <c>features F</c>, <c>means m…</c>, <c>stds s…</c>, round-trip floats,
    /// invariant culture), e.g. for a model file's metadata (<see cref="Serialization.ModelSerializer.Save(IRnnModel, string, SeriesStandardizer)"/>).
    /// </summary>
    public string ToText()
    {
        var text = new System.Text.StringBuilder();
        text.Append("features ").Append(Features.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        Append(text, "means", _mean);
        Append(text, "stds", _std);
        return text.ToString();

        static void Append(System.Text.StringBuilder text, string name, float[] values)
        {
            text.Append(name);
            foreach (float v in values) text.Append(' ').Append(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            text.Append('\n');
        }
    }

    /// <summary>Reads <see cref="ToText"/>'s format; <paramref name="source"/> names the origin in error messages.</summary>
    /// <exception cref="System.IO.InvalidDataException">The text is not in that format.</exception>
    public static SeriesStandardizer FromText(string text, string source = "<text>")
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 3)
            throw new System.IO.InvalidDataException($"{source}: expected 3 lines (features, means, stds) in a standardizer, but found {lines.Length}.");
        string[] head = lines[0].Split(' ');
        if (head.Length != 2 || head[0] != "features" ||
            !int.TryParse(head[1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int features))
            throw new System.IO.InvalidDataException($"{source}: line 1 must be 'features <count>', but is '{lines[0]}'.");
        float[] means = Values(lines[1], "means", 2), stds = Values(lines[2], "stds", 3);
        try
        {
            return FromParameters(means, stds, features);
        }
        catch (ArgumentException e)
        {
            throw new System.IO.InvalidDataException($"{source}: {e.Message}", e);
        }

        float[] Values(string line, string name, int number)
        {
            string[] parts = line.Split(' ');
            if (parts[0] != name) throw new System.IO.InvalidDataException($"{source}: line {number} must start with '{name}', but is '{parts[0]}'.");
            var values = new float[parts.Length - 1];
            for (int i = 1; i < parts.Length; i++)
            {
                if (!float.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i - 1]))
                    throw new System.IO.InvalidDataException($"{source}: line {number}, value {i} ('{parts[i]}') is not a number.");
            }
            return values;
        }
    }

    public int SeriesCount => _fittedSteps.Length;
    public int Features { get; }

    /// <summary>Steps of series <paramref name="series"/> the statistics were computed from (0 when rebuilt from parameters).</summary>
    public int FittedSteps(int series) => _fittedSteps[CheckSeries(series)];

    /// <summary>Means [F] of series <paramref name="series"/>.</summary>
    public ReadOnlySpan<float> Means(int series) => _mean.AsSpan(CheckSeries(series) * Features, Features);

    /// <summary>Standard deviations [F] of series <paramref name="series"/>.</summary>
    public ReadOnlySpan<float> Stds(int series) => _std.AsSpan(CheckSeries(series) * Features, Features);

    public float Mean(int series, int feature) => _mean[Index(series, feature)];
    public float Std(int series, int feature) => _std[Index(series, feature)];

    public float Transform(int series, int feature, float value)
    {
        int i = Index(series, feature);
        return (value - _mean[i]) / _std[i];
    }

    public float Inverse(int series, int feature, float value)
    {
        int i = Index(series, feature);
        return value * _std[i] + _mean[i];
    }

    /// <summary>Standardizes a whole series (fitted as series number <paramref name="series"/>).</summary>
    public TimeSeries Transform(int series, TimeSeries values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckSeries(series);
        if (values.Features != Features)
            throw new ArgumentException($"Expected a series of {Features} features (as fitted), but it has {values.Features}.", nameof(values));
        var data = new float[values.Buffer.Length];
        for (int i = 0; i < data.Length; i++)
        {
            int k = series * Features + i % Features;
            data[i] = (values.Buffer[i] - _mean[k]) / _std[k];
        }
        return TimeSeries.FromFlat(data, Features);
    }

    /// <summary>
    /// Maps standardized values laid out [k, features.Length] (e.g. a forecast of k steps of the
    /// target features) back to the original scale, in place. Empty <paramref name="features"/> = all features in order.
    /// </summary>
    public void InverseTransform(int series, Span<float> values, ReadOnlySpan<int> features = default)
    {
        CheckSeries(series);
        int width = features.IsEmpty ? Features : features.Length;
        if (values.Length % width != 0)
            throw new ArgumentException($"Expected values to hold a multiple of {width} values ([k, {width}] target features), but it holds {values.Length}.", nameof(values));
        for (int j = 0; j < width; j++)
        {
            int f = features.IsEmpty ? j : features[j];
            if ((uint)f >= (uint)Features)
                throw new ArgumentException($"Expected feature indices in 0..{Features - 1}, but features[{j}] = {f}.", nameof(features));
        }
        for (int i = 0; i < values.Length; i++)
        {
            int f = features.IsEmpty ? i % width : features[i % width];
            int k = series * Features + f;
            values[i] = values[i] * _std[k] + _mean[k];
        }
    }

    private int Index(int series, int feature)
    {
        CheckSeries(series);
        if ((uint)feature >= (uint)Features)
            throw new ArgumentOutOfRangeException(nameof(feature), feature, $"Expected a feature in 0..{Features - 1}, but got {feature}.");
        return series * Features + feature;
    }

    private int CheckSeries(int series)
    {
        if ((uint)series >= (uint)SeriesCount)
            throw new ArgumentOutOfRangeException(nameof(series), series, $"Expected a series index in 0..{SeriesCount - 1}, but got {series}.");
        return series;
    }
}
