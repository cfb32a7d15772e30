using System;
using System.Linq;
using RnnGen.Data;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Data;

public class WindowDatasetTests
{
    private static TimeSeries Ramp(int length, float offset = 0) =>
        TimeSeries.Univariate(Enumerable.Range(0, length).Select(i => offset + i).ToArray());

    [Fact]
    public void Windows_Are_Correct_At_The_Edges_With_Horizon_And_Stride()
    {
        // T = 10, W = 3, k = 2, stride = 2: starts 0, 2, 4 (start 6 would need steps 9..10).
        var windows = new WindowDataset([Ramp(10)], window: 3, horizon: 2, stride: 2);
        Assert.Equal(3, windows.Count);
        Assert.Equal([0, 2, 4], Enumerable.Range(0, 3).Select(windows.StartOf));
        var batch = new SequenceBatch(8, 3, windows.Shape);
        Assert.Equal(3, windows.FillBatch(batch, 0));
        Assert.Equal([0, 1, 2, 2, 3, 4, 4, 5, 6], batch.Inputs.ToArray());
        Assert.Equal([3, 4, 5, 6, 7, 8], batch.Targets.ToArray());
        Assert.Equal([3, 3, 3], batch.Lengths.ToArray());

        // Stride 1, horizon 1: the last window ends exactly at the last step.
        var all = new WindowDataset([Ramp(10)], window: 3);
        Assert.Equal(7, all.Count);
        Assert.Equal(6, all.StartOf(6));
        batch = new SequenceBatch(1, 3, all.Shape);
        all.AddTo(batch, 6);
        batch.Complete();
        Assert.Equal([6, 7, 8], batch.Inputs.ToArray());
        Assert.Equal([9], batch.Targets.ToArray());

        // Too short a series gives no windows; exactly W + k steps gives one.
        Assert.Equal(0, new WindowDataset([Ramp(4)], window: 3, horizon: 2).Count);
        Assert.Equal(1, new WindowDataset([Ramp(5)], window: 3, horizon: 2).Count);
    }

    [Fact]
    public void Multivariate_Many_Series_And_Target_Features()
    {
        var a = TimeSeries.FromSteps([[0f, 100f], [1f, 101f], [2f, 102f], [3f, 103f]]);
        var b = TimeSeries.FromFlat([10f, 110f, 11f, 111f, 12f, 112f], 2);
        var windows = new WindowDataset([a, b], window: 2, horizon: 1, targetFeatures: [1]);
        Assert.Equal(3, windows.Count); // a: starts 0, 1; b: start 0
        Assert.Equal([0, 0, 1], Enumerable.Range(0, 3).Select(windows.SeriesOf));
        var batch = new SequenceBatch(3, 2, windows.Shape);
        windows.FillBatch(batch, 0);
        Assert.Equal([0, 100, 1, 101, 1, 101, 2, 102, 10, 110, 11, 111], batch.Inputs.ToArray());
        Assert.Equal([102, 103, 112], batch.Targets.ToArray());
        Assert.Equal(1, windows.TargetSize);
    }

    [Fact]
    public void Parts_Split_Each_Series_By_Time_Without_Target_Overlap()
    {
        var split = new TimeSplit(0.6, 0.2); // T = 20: train [0, 12), validation [12, 16), test [16, 20)
        var series = new[] { Ramp(20) };
        var train = new WindowDataset(series, 4, part: SeriesPart.Train, split: split);
        var validation = new WindowDataset(series, 4, part: SeriesPart.Validation, split: split);
        var test = new WindowDataset(series, 4, part: SeriesPart.Test, split: split);
        int TargetStep(WindowDataset d, int i) => d.StartOf(i) + d.Window;
        Assert.Equal(Enumerable.Range(4, 8), Enumerable.Range(0, train.Count).Select(i => TargetStep(train, i)));
        Assert.Equal(Enumerable.Range(12, 4), Enumerable.Range(0, validation.Count).Select(i => TargetStep(validation, i)));
        Assert.Equal(Enumerable.Range(16, 4), Enumerable.Range(0, test.Count).Select(i => TargetStep(test, i)));
    }

    [Fact]
    public void Standardization_Is_Fitted_On_The_Training_Part_Only()
    {
        var values = new float[100];
        for (int i = 0; i < 100; i++) values[i] = i < 70 ? (i % 2 == 0 ? 1f : 3f) : 1000f + i;
        var changed = (float[])values.Clone();
        for (int i = 70; i < 100; i++) changed[i] = -5000f;
        var split = new TimeSplit(0.7, 0.15);
        var scaler = SeriesStandardizer.Fit([TimeSeries.Univariate(values)], split);
        var scaler2 = SeriesStandardizer.Fit([TimeSeries.Univariate(changed)], split);
        Assert.Equal(2f, scaler.Mean(0, 0), 6);
        Assert.Equal(1f, scaler.Std(0, 0), 6);
        Assert.Equal(70, scaler.FittedSteps(0));
        Assert.Equal(scaler.Means(0).ToArray(), scaler2.Means(0).ToArray());
        Assert.Equal(scaler.Stds(0).ToArray(), scaler2.Stds(0).ToArray());

        var test = new WindowDataset([TimeSeries.Univariate(values)], 5, part: SeriesPart.Test, split: split, standardizer: scaler);
        var batch = new SequenceBatch(1, 5, test.Shape);
        test.FillBatch(batch, 0);
        int start = test.StartOf(0);
        Assert.Equal((values[start] - 2f) / 1f, batch.Inputs[0], 4);
        var prediction = batch.Targets.ToArray();
        test.InverseTransformTargets(0, prediction);
        Assert.Equal(values[start + 5], prediction[0], 3);
    }

    [Fact]
    public void Per_Series_Statistics_And_Inverse()
    {
        var a = TimeSeries.FromSteps([[1f, 10f], [3f, 30f]]);
        var b = TimeSeries.FromSteps([[100f, 5f], [300f, 5f]]);
        var scaler = SeriesStandardizer.Fit([a, b], 1.0);
        Assert.Equal([2f, 20f], scaler.Means(0).ToArray());
        Assert.Equal([1f, 10f], scaler.Stds(0).ToArray());
        Assert.Equal([200f, 5f], scaler.Means(1).ToArray());
        Assert.Equal([100f, 1f], scaler.Stds(1).ToArray()); // constant feature: std 1
        Assert.Equal(1f, scaler.Transform(1, 0, 300f));
        Assert.Equal(300f, scaler.Inverse(1, 0, 1f));
        var values = new float[] { 1f, -1f, 0f, 2f };
        scaler.InverseTransform(0, values);
        Assert.Equal([3f, 10f, 2f, 40f], values);
        var rebuilt = SeriesStandardizer.FromParameters([2f, 20f, 200f, 5f], [1f, 10f, 100f, 1f], 2);
        Assert.Equal(scaler.Means(1).ToArray(), rebuilt.Means(1).ToArray());
    }

    [Fact]
    public void Bad_Arguments_Are_Named()
    {
        var e = Assert.Throws<ArgumentException>(() => new WindowDataset([Ramp(10), TimeSeries.FromFlat([1, 2], 2)], 3));
        Assert.Equal("series", e.ParamName);
        Assert.Contains("1 features", e.Message);
        Assert.Contains("has 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => new WindowDataset([Ramp(10)], 3, targetFeatures: [1]));
        Assert.Equal("targetFeatures", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TimeSeries.FromFlat([1, 2, 3], 2));
        Assert.Equal("data", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TimeSeries.Univariate([1, float.NaN]));
        Assert.Contains("t = 1", e.Message);
        var windows = new WindowDataset([Ramp(10)], 3, horizon: 2);
        e = Assert.Throws<ArgumentException>(() => windows.InverseTransformTargets(0, new float[3]));
        Assert.Equal("values", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowDataset([Ramp(10)], 0));
    }

    [Fact]
    public void Window_Batches_Load_Without_Allocating()
    {
        var series = new[] { TimeSeries.FromFlat(Enumerable.Range(0, 300).Select(i => (float)Math.Sin(i * 0.1)).ToArray(), 3) };
        var windows = new WindowDataset(series, 12, horizon: 3, targetFeatures: [2, 0],
            standardizer: SeriesStandardizer.Fit(series, 0.8));
        var loader = new BatchLoader(windows, 16, seed: 2);
        var batch = loader.CreateBatch();
        Assert.Equal(0, SteadyState.AllocatedBytes(() =>
        {
            while (loader.Next(batch)) { }
        }));
    }
}
