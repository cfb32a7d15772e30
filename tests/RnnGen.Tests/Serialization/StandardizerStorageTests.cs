using System;
using System.IO;
using RnnGen.Data;
using RnnGen.Serialization;

namespace RnnGen.Tests.Serialization;

/// <summary>A forecaster's standardizer travels inside its model file.</summary>
public class StandardizerStorageTests
{
    [Fact]
    public void Standardizer_round_trips_through_the_model_file_bit_for_bit()
    {
        var series = new[]
        {
            TimeSeries.Univariate(new float[] { 1f, 2.5f, 3.25f, 10f, -4f }),
            TimeSeries.Univariate(new float[] { 0.1f, 0.2f, 0.7f, 0.3f, 1e-3f }),
        };
        SeriesStandardizer fitted = SeriesStandardizer.Fit(series, 0.8);
        string path = Path.Combine(Path.GetTempPath(), "rnngen-standardizer-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            var model = new FakeModel();
            model.Save(path, fitted);
            SeriesStandardizer loaded = ModelSerializer.LoadStandardizer(path);
            Assert.Equal(fitted.Features, loaded.Features);
            Assert.Equal(fitted.SeriesCount, loaded.SeriesCount);
            for (int s = 0; s < fitted.SeriesCount; s++)
            {
                Assert.Equal(fitted.Means(s).ToArray(), loaded.Means(s).ToArray());
                Assert.Equal(fitted.Stds(s).ToArray(), loaded.Stds(s).ToArray());
            }

            model.Save(path);
            Assert.Contains("holds no standardizer", Assert.Throws<InvalidDataException>(() => ModelSerializer.LoadStandardizer(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("features 1\nmeans 1 2\n", "expected 3 lines")]
    [InlineData("features x\nmeans 1\nstds 1\n", "line 1 must be 'features <count>'")]
    [InlineData("features 1\nmeans 1 oops\nstds 1 1\n", "line 2, value 2 ('oops') is not a number")]
    [InlineData("features 1\nmeans 1\nstds -1\n", "positive finite stds")]
    public void Damaged_text_is_rejected_with_where_and_what(string text, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => SeriesStandardizer.FromText(text, "test")).Message);
}
