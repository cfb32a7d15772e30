using System;
using System.Collections.Generic;

namespace RnnGen.Data;

/// <summary>
/// Sliding windows over one or many time series: the input is <see cref="Window"/> steps of all F
/// features starting at <c>start</c>; the target is the next <see cref="Horizon"/> steps of the target
/// features, laid out [horizon, targetFeatures] as one per-sequence target of
/// O = horizon · targetFeatures values. Starts advance by <see cref="Stride"/>; only windows whose
/// whole horizon lies inside the chosen <see cref="SeriesPart"/> are used. With a standardizer,
/// inputs and targets are standardized (predictions go back with <see cref="InverseTransformTargets"/>).
/// Windows are numbered series by series, start by start. Filling a batch allocates nothing.
/// </summary>
public sealed class WindowDataset : ISequenceSource
{
    private readonly float[][] _data;
    private readonly int[] _targetFeatures;
    private readonly bool _contiguousTargets;
    private readonly int[] _series;
    private readonly int[] _starts;
    private readonly float[] _target;

    /// <param name="series">The series; all must have the same number of features.</param>
    /// <param name="window">Input steps W.</param>
    /// <param name="horizon">Future steps to predict (1 = the next value).</param>
    /// <param name="stride">Steps between consecutive window starts.</param>
    /// <param name="targetFeatures">Features to predict (null = all, in order).</param>
    /// <param name="part">Which part of each series the targets come from.</param>
    /// <param name="split">Where the parts end (ignored for <see cref="SeriesPart.All"/>).</param>
    /// <param name="standardizer">Optional standardization, fitted on the same series (in the same order).</param>
    public WindowDataset(IReadOnlyList<TimeSeries> series, int window, int horizon = 1, int stride = 1,
        int[]? targetFeatures = null, SeriesPart part = SeriesPart.All, TimeSplit split = default,
        SeriesStandardizer? standardizer = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        int features = CheckSeries(series);
        DataChecks.Positive(window, nameof(window));
        DataChecks.Positive(horizon, nameof(horizon));
        DataChecks.Positive(stride, nameof(stride));
        if (part is < SeriesPart.All or > SeriesPart.Test)
            throw new ArgumentOutOfRangeException(nameof(part), part, "Unknown series part.");
        targetFeatures ??= AllFeatures(features);
        if (targetFeatures.Length == 0)
            throw new ArgumentException("Expected at least one target feature, but targetFeatures is empty.", nameof(targetFeatures));
        for (int j = 0; j < targetFeatures.Length; j++)
        {
            if ((uint)targetFeatures[j] >= (uint)features)
                throw new ArgumentException($"Expected target features in 0..{features - 1}, but targetFeatures[{j}] = {targetFeatures[j]}.", nameof(targetFeatures));
        }
        if (standardizer is not null && (standardizer.SeriesCount != series.Count || standardizer.Features != features))
            throw new ArgumentException(
                $"Expected a standardizer fitted on {series.Count} series of {features} features, but it has {standardizer.SeriesCount} series of {standardizer.Features}.", nameof(standardizer));

        Window = window;
        Horizon = horizon;
        Stride = stride;
        Part = part;
        Split = split;
        Standardizer = standardizer;
        SeriesFeatures = features;
        _targetFeatures = (int[])targetFeatures.Clone();
        _contiguousTargets = IsAll(_targetFeatures, features);
        Shape = BatchShape.ForFeatures(features, TargetLayout.PerSequence, horizon * _targetFeatures.Length);

        _data = new float[series.Count][];
        var seriesOf = new List<int>();
        var starts = new List<int>();
        for (int s = 0; s < series.Count; s++)
        {
            TimeSeries x = series[s];
            _data[s] = standardizer is null ? x.Buffer : standardizer.Transform(s, x).Buffer;
            (int targetFrom, int targetTo) = part switch
            {
                SeriesPart.All => (0, x.Length),
                SeriesPart.Train => (0, split.TrainEnd(x.Length)),
                SeriesPart.Validation => (split.TrainEnd(x.Length), split.ValidationEnd(x.Length)),
                _ => (split.ValidationEnd(x.Length), x.Length),
            };
            for (int start = Math.Max(0, targetFrom - window); start + window + horizon <= targetTo; start += stride)
            {
                seriesOf.Add(s);
                starts.Add(start);
            }
        }
        _series = seriesOf.ToArray();
        _starts = starts.ToArray();
        _target = new float[Shape.TargetSize];
    }

    public BatchShape Shape { get; }
    public int Count => _starts.Length;
    public int Window { get; }
    public int Horizon { get; }
    public int Stride { get; }
    public SeriesPart Part { get; }
    public TimeSplit Split { get; }
    public SeriesStandardizer? Standardizer { get; }

    /// <summary>Features per step of the inputs (F).</summary>
    public int SeriesFeatures { get; }

    /// <summary>The predicted features, in target order.</summary>
    public ReadOnlySpan<int> TargetFeatures => _targetFeatures;

    /// <summary>Values per target: horizon · target features.</summary>
    public int TargetSize => Shape.TargetSize;

    public int LengthOf(int index)
    {
        Check(index);
        return Window;
    }

    /// <summary>The series window <paramref name="index"/> comes from.</summary>
    public int SeriesOf(int index) => _series[Check(index)];

    /// <summary>The first input step of window <paramref name="index"/>; its targets start at <c>StartOf + Window</c>.</summary>
    public int StartOf(int index) => _starts[Check(index)];

    /// <summary>Adds window <paramref name="index"/> (as the dataset sees it: standardized if a standardizer is set). Not thread-safe.</summary>
    public int AddTo(SequenceBatch batch, int index)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Check(index);
        if (batch.Shape != Shape)
            throw new ArgumentException($"Expected a batch of shape {Shape}, but the batch is {batch.Shape}.", nameof(batch));
        float[] data = _data[_series[index]];
        int f = SeriesFeatures, start = _starts[index], targetStart = start + Window;
        ReadOnlySpan<float> inputs = data.AsSpan(start * f, Window * f);
        if (_contiguousTargets)
            return batch.Add(inputs, data.AsSpan(targetStart * f, Horizon * f));
        int width = _targetFeatures.Length;
        for (int k = 0; k < Horizon; k++)
        {
            for (int j = 0; j < width; j++)
                _target[k * width + j] = data[(targetStart + k) * f + _targetFeatures[j]];
        }
        return batch.Add(inputs, _target);
    }

    /// <summary>Maps standardized values [horizon, targetFeatures] of window <paramref name="index"/> (e.g. a prediction) to the original scale, in place; a no-op without a standardizer.</summary>
    public void InverseTransformTargets(int index, Span<float> values)
    {
        Check(index);
        if (values.Length != TargetSize)
            DataChecks.Length(values.Length, TargetSize, nameof(values), $"[{Horizon}, {_targetFeatures.Length}] = horizon × target features");
        Standardizer?.InverseTransform(_series[index], values, _targetFeatures);
    }

    /// <summary>Fills <paramref name="batch"/> with windows <paramref name="first"/>.. in order (as many as fit and remain) and completes it; returns how many.</summary>
    public int FillBatch(SequenceBatch batch, int first)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Check(first);
        batch.Clear();
        int n = Math.Min(batch.MaxBatch, Count - first);
        for (int i = 0; i < n; i++)
        {
            int row = AddTo(batch, first + i);
            batch.Origins[row] = first + i;
        }
        batch.Complete();
        return n;
    }

    internal static int CheckSeries(IReadOnlyList<TimeSeries> series)
    {
        if (series.Count == 0)
            throw new ArgumentException("Expected at least one series, but series is empty.", nameof(series));
        int features = series[0]?.Features ?? 0;
        for (int s = 0; s < series.Count; s++)
        {
            if (series[s] is null)
                throw new ArgumentException($"Expected series, but series[{s}] is null.", nameof(series));
            if (series[s].Features != features)
                throw new ArgumentException($"Expected every series to have {features} features (as series[0]), but series[{s}] has {series[s].Features}.", nameof(series));
        }
        return features;
    }

    private static int[] AllFeatures(int features)
    {
        var all = new int[features];
        for (int i = 0; i < features; i++) all[i] = i;
        return all;
    }

    private static bool IsAll(int[] targetFeatures, int features)
    {
        if (targetFeatures.Length != features) return false;
        for (int i = 0; i < features; i++)
        {
            if (targetFeatures[i] != i) return false;
        }
        return true;
    }

    private int Check(int index)
    {
        if ((uint)index >= (uint)_starts.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected a window index in 0..{_starts.Length - 1}, but got {index}.");
        return index;
    }
}
