using System;
using System.Globalization;
using System.Text;

namespace RnnGen.Training;

/// <summary>A validation metric (e.g. what early stopping watches).</summary>
public enum Metric
{
    /// <summary>Mean loss over all loss rows of the data (the head's loss: MSE, BCE or cross-entropy). Lower is better.</summary>
    Loss = 0,

    /// <summary>Softmax: fraction of rows whose arg-max class equals the target. Sigmoid: fraction of elements with
    /// (p ≥ 0.5) = (t ≥ 0.5). Higher is better.</summary>
    Accuracy = 1,

    /// <summary>exp(mean cross-entropy per step), many-to-many Softmax heads. Lower is better.</summary>
    Perplexity = 2,

    /// <summary>Mean |prediction − target| over every output element, Linear heads. Lower is better.</summary>
    MeanAbsoluteError = 3,

    /// <summary>√(mean (prediction − target)²) over every output element, Linear heads. Lower is better.</summary>
    RootMeanSquaredError = 4,
}

/// <summary>Metric helpers.</summary>
public static class MetricInfo
{
    /// <summary>True for <see cref="Metric.Accuracy"/>, false for the error-like metrics.</summary>
    public static bool HigherIsBetter(this Metric metric) => metric == Metric.Accuracy;

    /// <summary>Whether a model with this head and sequence mode reports <paramref name="metric"/>.</summary>
    public static bool AppliesTo(this Metric metric, Head head, Sequence sequence) => metric switch
    {
        Metric.Loss => head != Head.None,
        Metric.Accuracy => head is Head.Softmax or Head.Sigmoid,
        Metric.Perplexity => head == Head.Softmax && sequence == Sequence.ManyToMany,
        Metric.MeanAbsoluteError or Metric.RootMeanSquaredError => head == Head.Linear,
        _ => false,
    };
}

/// <summary>
/// Metrics of a model over a data set, as fits its head: always <see cref="Loss"/>; <see cref="Accuracy"/> for
/// Softmax and Sigmoid heads; <see cref="Perplexity"/> for many-to-many Softmax heads; <see cref="MeanAbsoluteError"/>
/// and <see cref="RootMeanSquaredError"/> for Linear heads. Metrics that do not apply are NaN.
/// </summary>
public sealed class Metrics
{
    public Metrics(double loss, double accuracy, double perplexity, double meanAbsoluteError, double rootMeanSquaredError, long rows)
    {
        Loss = loss;
        Accuracy = accuracy;
        Perplexity = perplexity;
        MeanAbsoluteError = meanAbsoluteError;
        RootMeanSquaredError = rootMeanSquaredError;
        Rows = rows;
    }

    public double Loss { get; }
    public double Accuracy { get; }
    public double Perplexity { get; }
    public double MeanAbsoluteError { get; }
    public double RootMeanSquaredError { get; }

    /// <summary>Loss rows evaluated (valid steps for many-to-many, sequences for many-to-one).</summary>
    public long Rows { get; }

    public double this[Metric metric] => metric switch
    {
        Metric.Loss => Loss,
        Metric.Accuracy => Accuracy,
        Metric.Perplexity => Perplexity,
        Metric.MeanAbsoluteError => MeanAbsoluteError,
        Metric.RootMeanSquaredError => RootMeanSquaredError,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };

    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append("loss=").Append(Loss.ToString("G6", CultureInfo.InvariantCulture));
        if (!double.IsNaN(Accuracy)) s.Append(" accuracy=").Append(Accuracy.ToString("G6", CultureInfo.InvariantCulture));
        if (!double.IsNaN(Perplexity)) s.Append(" perplexity=").Append(Perplexity.ToString("G6", CultureInfo.InvariantCulture));
        if (!double.IsNaN(MeanAbsoluteError)) s.Append(" mae=").Append(MeanAbsoluteError.ToString("G6", CultureInfo.InvariantCulture));
        if (!double.IsNaN(RootMeanSquaredError)) s.Append(" rmse=").Append(RootMeanSquaredError.ToString("G6", CultureInfo.InvariantCulture));
        return s.ToString();
    }
}

/// <summary>
/// Accumulates <see cref="Metrics"/> batch by batch from a session's <c>HeadOutput</c> (probabilities for Softmax and
/// Sigmoid heads, predictions for Linear heads) and the batch's mean loss. The loss is weighted by each batch's
/// loss rows, so the result is the mean over the whole data set however it is batched. Allocation-free per batch.
/// </summary>
public sealed class MetricsAccumulator
{
    private double _lossSum;
    private long _rows;
    private long _correct;
    private long _judged;
    private double _absSum;
    private double _sqSum;
    private long _elements;

    public MetricsAccumulator(Head head, Sequence sequence, int outputSize)
    {
        if (head == Head.None) throw new ArgumentException("A model without a head has no metrics.", nameof(head));
        if (outputSize < 1) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "outputSize must be ≥ 1.");
        Head = head;
        Sequence = sequence;
        OutputSize = outputSize;
    }

    public Head Head { get; }
    public Sequence Sequence { get; }
    public int OutputSize { get; }

    public void Reset()
    {
        _lossSum = 0;
        _rows = 0;
        _correct = 0;
        _judged = 0;
        _absSum = 0;
        _sqSum = 0;
        _elements = 0;
    }

    /// <summary>
    /// Adds one batch. <paramref name="headOutput"/> is [batch, steps, O] (many-to-many, padded steps ignored) or
    /// [batch, O]; <paramref name="targets"/> float targets in the same layout (Linear/Sigmoid) and
    /// <paramref name="classTargets"/> class ids [batch, steps] or [batch] (Softmax); the other is empty.
    /// <paramref name="meanLoss"/> is the batch's mean loss (as the session's <c>Loss</c> returns it).
    /// </summary>
    public void Add(int batch, int steps, ReadOnlySpan<int> lengths, ReadOnlySpan<float> headOutput,
        ReadOnlySpan<float> targets, ReadOnlySpan<int> classTargets, float meanLoss)
    {
        bool many = Sequence == Sequence.ManyToMany;
        int perSequence = many ? steps : 1;
        int o = OutputSize;
        ArgumentChecks.Length(headOutput.Length, batch * perSequence * o, nameof(headOutput), many ? "batch × steps × outputs" : "batch × outputs");
        if (Head == Head.Softmax)
            ArgumentChecks.Length(classTargets.Length, batch * perSequence, nameof(classTargets), many ? "batch × steps" : "batch");
        else
            ArgumentChecks.Length(targets.Length, batch * perSequence * o, nameof(targets), many ? "batch × steps × outputs" : "batch × outputs");
        if (!lengths.IsEmpty) ArgumentChecks.Length(lengths.Length, batch, nameof(lengths), "batch, or empty for full length");

        long rows = 0;
        for (int b = 0; b < batch; b++)
        {
            int valid = !many ? 1 : lengths.IsEmpty ? steps : lengths[b];
            rows += valid;
            for (int t = 0; t < valid; t++)
            {
                int row = b * perSequence + t;
                ReadOnlySpan<float> y = headOutput.Slice(row * o, o);
                switch (Head)
                {
                    case Head.Softmax:
                    {
                        int best = 0;
                        for (int c = 1; c < o; c++) if (y[c] > y[best]) best = c;
                        if (best == classTargets[row]) _correct++;
                        _judged++;
                        break;
                    }
                    case Head.Sigmoid:
                    {
                        ReadOnlySpan<float> target = targets.Slice(row * o, o);
                        for (int c = 0; c < o; c++)
                            if ((y[c] >= 0.5f) == (target[c] >= 0.5f)) _correct++;
                        _judged += o;
                        break;
                    }
                    default:
                    {
                        ReadOnlySpan<float> target = targets.Slice(row * o, o);
                        for (int c = 0; c < o; c++)
                        {
                            double d = (double)y[c] - target[c];
                            _absSum += Math.Abs(d);
                            _sqSum += d * d;
                        }
                        _elements += o;
                        break;
                    }
                }
            }
        }
        _lossSum += (double)meanLoss * rows;
        _rows += rows;
    }

    /// <summary>The metrics over everything added since construction or <see cref="Reset"/>.</summary>
    public Metrics Result()
    {
        double loss = _rows == 0 ? double.NaN : _lossSum / _rows;
        double accuracy = Head is Head.Softmax or Head.Sigmoid && _judged > 0 ? (double)_correct / _judged : double.NaN;
        double perplexity = Head == Head.Softmax && Sequence == Sequence.ManyToMany ? Math.Exp(loss) : double.NaN;
        double mae = Head == Head.Linear && _elements > 0 ? _absSum / _elements : double.NaN;
        double rmse = Head == Head.Linear && _elements > 0 ? Math.Sqrt(_sqSum / _elements) : double.NaN;
        return new Metrics(loss, accuracy, perplexity, mae, rmse, _rows);
    }
}
