using System;

namespace RnnGen.Training;

/// <summary>
/// Early stopping on a validation metric: after each epoch's validation the metric improves when it beats the best
/// value so far by more than <see cref="MinDelta"/> (in its better direction, see <see cref="MetricInfo.HigherIsBetter"/>);
/// training stops once <see cref="Patience"/> consecutive epochs did not improve. With <see cref="RestoreBestWeights"/>
/// the model ends with the parameters of the best epoch (also when all epochs ran without stopping early).
/// </summary>
public sealed class EarlyStopping
{
    public EarlyStopping(Metric metric = Metric.Loss, int patience = 3, double minDelta = 0, bool restoreBestWeights = true)
    {
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be ≥ 1.");
        if (!(minDelta >= 0) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite value ≥ 0.");
        Metric = metric;
        Patience = patience;
        MinDelta = minDelta;
        RestoreBestWeights = restoreBestWeights;
    }

    public Metric Metric { get; }
    public int Patience { get; }
    public double MinDelta { get; }
    public bool RestoreBestWeights { get; }

    /// <summary>True when <paramref name="value"/> improves on <paramref name="best"/> (NaN best: anything finite improves).</summary>
    public bool IsImprovement(double value, double best)
    {
        if (double.IsNaN(value)) return false;
        if (double.IsNaN(best)) return true;
        return Metric.HigherIsBetter() ? value > best + MinDelta : value < best - MinDelta;
    }
}
