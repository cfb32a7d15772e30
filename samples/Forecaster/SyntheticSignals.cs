using System;
using RnnGen.Initialization;

namespace Forecasting;

/// <summary>
/// Generates the sample's data: several series, each a linear trend plus a daily-like season
/// (period 24) with a weaker second harmonic, plus a weekly-like slow wave and Gaussian noise —
/// the textbook decomposition of a time series. Seeded, so every run sees the same data.
/// </summary>
internal static class SyntheticSignals
{
    public static float[][] Generate(int seriesCount, int length, int seed)
    {
        var random = new SeededRandom(seed);
        var series = new float[seriesCount][];
        for (int s = 0; s < seriesCount; s++)
        {
            double level = 10 + 5 * random.NextDouble();
            double trend = (random.NextDouble() - 0.3) * 0.02;
            double amplitude = 2 + 2 * random.NextDouble();
            double phase = 2 * Math.PI * random.NextDouble();
            double slow = 1 + random.NextDouble();
            double noise = 0.15 + 0.15 * random.NextDouble();
            var values = new float[length];
            for (int t = 0; t < length; t++)
            {
                double season = amplitude * Math.Sin(2 * Math.PI * t / 24 + phase) + 0.4 * amplitude * Math.Sin(4 * Math.PI * t / 24 + 2 * phase);
                double weekly = slow * Math.Sin(2 * Math.PI * t / 168);
                values[t] = (float)(level + trend * t + season + weekly + noise * random.NextGaussian());
            }
            series[s] = values;
        }
        return series;
    }
}
