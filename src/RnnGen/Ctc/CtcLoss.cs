using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RnnGen.Ctc;

/// <summary>How <c>CtcLoss.Compute</c> reduces the per-sequence losses (PyTorch <c>reduction</c>).</summary>
public enum CtcReduction
{
    /// <summary>Σ_b loss_b.</summary>
    Sum = 0,

    /// <summary>PyTorch's 'mean': (1/B)·Σ_b loss_b / max(targetLength_b, 1).</summary>
    Mean = 1,
}

/// <summary>
/// Connectionist temporal classification loss (Graves et al. 2006) on per-step <b>logits</b> with the softmax fused:
/// matches <c>F.ctc_loss(logits.log_softmax(-1), ...)</c> in value and in the gradient w.r.t. the logits,
/// <c>∂L/∂z[t, c] = scale_b·(softmax(z)[t, c] − γ[t, c])</c>, γ the posterior occupation of class c at t.
/// </summary>
/// <remarks>
/// <para>Layout (batch-first, unlike PyTorch's [T, B, C]): logits [B, T, C], row <c>b·T + t</c>;
/// inputLengths [B] in 1..T (empty: all T); targets concatenated (PyTorch's 1-D form) with targetLengths [B]
/// (Σ targetLengths = targets.Length); labels in [0, C) and ≠ blank.</para>
/// <para>Computed in double, in log space (alpha stored, beta rolled over two rows, log-sum-exp everywhere).
/// An impossible alignment (input shorter than the target plus the blanks repeated labels need) has loss +∞ and,
/// like PyTorch, a NaN gradient for that sequence; with <see cref="ZeroInfinity"/> its loss and gradient are 0.</para>
/// <para>The instance holds the work buffers, sized at construction, so <c>Compute</c> allocates nothing.
/// Not thread-safe (one instance per thread).</para>
/// </remarks>
public sealed class CtcLoss
{
    private readonly double[] alpha;    // [T, S], S = 2·L + 1
    private readonly double[] beta;     // [2, S]
    private readonly double[] logProbs; // [T, C]
    private readonly double[] occupation; // [C]
    private readonly int[] extended;    // [S]

    /// <summary>Work buffers for sequences of up to <paramref name="maxSteps"/> steps and targets of up to
    /// <paramref name="maxTargetLength"/> labels over <paramref name="classes"/> classes (blank included).</summary>
    public CtcLoss(int maxSteps, int classes, int maxTargetLength, int blank = 0)
    {
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"Expected maxSteps ≥ 1, but got {maxSteps}.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"Expected classes ≥ 2 (blank and at least one label), but got {classes}.");
        if (maxTargetLength < 0) throw new ArgumentOutOfRangeException(nameof(maxTargetLength), maxTargetLength, $"Expected maxTargetLength ≥ 0, but got {maxTargetLength}.");
        if ((uint)blank >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(blank), blank, $"Expected blank in [0, {classes}) (the classes), but got {blank}.");
        int s = 2 * maxTargetLength + 1;
        if ((long)maxSteps * s > 1L << 28 || (long)maxSteps * classes > 1L << 28)
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps × (2·maxTargetLength + 1) or maxSteps × classes is too large.");
        MaxSteps = maxSteps;
        Classes = classes;
        MaxTargetLength = maxTargetLength;
        Blank = blank;
        alpha = new double[maxSteps * s];
        beta = new double[2 * s];
        logProbs = new double[maxSteps * classes];
        occupation = new double[classes];
        extended = new int[s];
    }

    public int MaxSteps { get; }
    public int Classes { get; }
    public int MaxTargetLength { get; }
    public int Blank { get; }

    /// <summary>PyTorch <c>zero_infinity</c>: impossible alignments give loss 0 and gradient 0.</summary>
    public bool ZeroInfinity { get; set; }

    /// <summary>
    /// Returns the reduced negative log-likelihood of the batch. <paramref name="gradient"/> [B, T, C] receives
    /// ∂loss/∂logits (overwritten; zero at steps past an input length; skipped when empty, which also skips the
    /// beta pass). <paramref name="sequenceLosses"/> [B] receives each sequence's unreduced loss (skipped when empty).
    /// <paramref name="gradient"/> may be the same span as <paramref name="logits"/>.
    /// </summary>
    public double Compute(ReadOnlySpan<float> logits, int batch, int steps, ReadOnlySpan<int> inputLengths,
        ReadOnlySpan<int> targets, ReadOnlySpan<int> targetLengths, CtcReduction reduction,
        Span<float> gradient, Span<float> sequenceLosses = default)
    {
        Validate(logits, batch, steps, inputLengths, targets, targetLengths, reduction, gradient, sequenceLosses);
        int c = Classes;
        double total = 0;
        int offset = 0;
        for (int b = 0; b < batch; b++)
        {
            int length = inputLengths.IsEmpty ? steps : inputLengths[b];
            int labels = targetLengths[b];
            double scale = reduction == CtcReduction.Sum ? 1.0 : 1.0 / ((double)Math.Max(labels, 1) * batch);
            ReadOnlySpan<int> target = targets.Slice(offset, labels);
            offset += labels;
            int rowStart = b * steps * c;
            Span<float> g = gradient.IsEmpty ? default : gradient.Slice(rowStart, steps * c);
            double loss = Sequence(logits.Slice(rowStart, length * c), length, target, g, scale);
            if (!g.IsEmpty) g.Slice(length * c).Clear();
            if (!sequenceLosses.IsEmpty) sequenceLosses[b] = (float)loss;
            total += loss * (reduction == CtcReduction.Sum ? 1.0 : 1.0 / Math.Max(labels, 1));
        }
        return reduction == CtcReduction.Sum ? total : total / batch;
    }

    /// <summary>One sequence: logits [T, C], T = logits.Length / C; returns its loss (reduction 'sum') and writes
    /// its gradient [T, C] (skipped when empty).</summary>
    public double Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> target, Span<float> gradient)
    {
        if (logits.Length == 0 || logits.Length % Classes != 0)
            throw new ArgumentException(
                $"Expected logits to hold T × classes ({Classes}) values with T ≥ 1, but it holds {logits.Length}.", nameof(logits));
        int steps = logits.Length / Classes;
        Span<int> lengths = stackalloc int[1];
        lengths[0] = target.Length;
        return Compute(logits, 1, steps, default, target, lengths, CtcReduction.Sum, gradient);
    }

    private double Sequence(ReadOnlySpan<float> z, int steps, ReadOnlySpan<int> target, Span<float> gradient, double scale)
    {
        int c = Classes;
        int s = 2 * target.Length + 1;

        // log-softmax in double
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> row = z.Slice(t * c, c);
            Span<double> lp = logProbs.AsSpan(t * c, c);
            double max = double.NegativeInfinity;
            for (int k = 0; k < c; k++) max = Math.Max(max, row[k]);
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.Exp(row[k] - max);
            double logZ = max + Math.Log(sum);
            for (int k = 0; k < c; k++) lp[k] = row[k] - logZ;
        }

        Span<int> ext = extended.AsSpan(0, s);
        for (int i = 0; i < s; i++) ext[i] = (i & 1) == 0 ? Blank : target[i >> 1];

        // alpha
        Span<double> a = alpha.AsSpan(0, steps * s);
        a.Fill(double.NegativeInfinity);
        a[0] = logProbs[Blank];
        if (s > 1) a[1] = logProbs[ext[1]];
        for (int t = 1; t < steps; t++)
        {
            Span<double> prev = a.Slice((t - 1) * s, s);
            Span<double> cur = a.Slice(t * s, s);
            int lpRow = t * c;
            for (int i = 0; i < s; i++)
            {
                double v = prev[i];
                if (i >= 1) v = LogAdd(v, prev[i - 1]);
                if (i >= 2 && ext[i] != Blank && ext[i] != ext[i - 2]) v = LogAdd(v, prev[i - 2]);
                cur[i] = v + logProbs[lpRow + ext[i]];
            }
        }
        Span<double> last = a.Slice((steps - 1) * s, s);
        double logLikelihood = s > 1 ? LogAdd(last[s - 1], last[s - 2]) : last[0];

        bool impossible = double.IsNegativeInfinity(logLikelihood);
        double loss = impossible ? (ZeroInfinity ? 0.0 : double.PositiveInfinity) : -logLikelihood;
        if (gradient.IsEmpty) return loss;
        if (impossible)
        {
            gradient.Slice(0, steps * c).Fill(ZeroInfinity ? 0f : float.NaN);
            return loss;
        }

        // beta, rolled over two rows, combined with alpha into the occupation per class
        Span<double> next = beta.AsSpan(0, s);
        Span<double> curB = beta.AsSpan(s, s);
        for (int t = steps - 1; t >= 0; t--)
        {
            int lpRow = t * c;
            if (t == steps - 1)
            {
                curB.Fill(double.NegativeInfinity);
                curB[s - 1] = logProbs[lpRow + ext[s - 1]];
                if (s > 1) curB[s - 2] = logProbs[lpRow + ext[s - 2]];
            }
            else
            {
                for (int i = 0; i < s; i++)
                {
                    double v = next[i];
                    if (i + 1 < s) v = LogAdd(v, next[i + 1]);
                    if (i + 2 < s && ext[i] != Blank && ext[i] != ext[i + 2]) v = LogAdd(v, next[i + 2]);
                    curB[i] = v + logProbs[lpRow + ext[i]];
                }
            }

            Array.Clear(occupation);
            Span<double> at = a.Slice(t * s, s);
            for (int i = 0; i < s; i++)
            {
                double logGamma = at[i] + curB[i] - logProbs[lpRow + ext[i]] - logLikelihood;
                if (!double.IsNegativeInfinity(logGamma)) occupation[ext[i]] += Math.Exp(logGamma);
            }
            Span<float> g = gradient.Slice(lpRow, c);
            for (int k = 0; k < c; k++)
            {
                g[k] = (float)((Math.Exp(logProbs[lpRow + k]) - occupation[k]) * scale);
            }

            Span<double> swap = next;
            next = curB;
            curB = swap;
        }
        return loss;
    }

    /// <summary>log(exp(x) + exp(y)) without overflow; −∞ when both are −∞.</summary>
    internal static double LogAdd(double x, double y)
    {
        if (x < y) (x, y) = (y, x);
        if (double.IsNegativeInfinity(y)) return x;
        return x + Math.Log(1.0 + Math.Exp(y - x));
    }

    private void Validate(ReadOnlySpan<float> logits, int batch, int steps, ReadOnlySpan<int> inputLengths,
        ReadOnlySpan<int> targets, ReadOnlySpan<int> targetLengths, CtcReduction reduction,
        Span<float> gradient, Span<float> sequenceLosses)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Expected batch ≥ 1, but got {batch}.");
        if (steps < 1 || steps > MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Expected steps in 1..{MaxSteps} (maxSteps), but got {steps}.");
        if (reduction != CtcReduction.Sum && reduction != CtcReduction.Mean)
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"Expected CtcReduction.Sum or Mean, but got {(int)reduction}.");
        long expected = (long)batch * steps * Classes;
        if (logits.Length != expected)
            throw new ArgumentException($"Expected logits to hold B·T·C = {batch}·{steps}·{Classes} = {expected} values, but it holds {logits.Length}.", nameof(logits));
        if (!gradient.IsEmpty && gradient.Length != expected)
            throw new ArgumentException($"Expected gradient to hold B·T·C = {expected} values (or be empty), but it holds {gradient.Length}.", nameof(gradient));
        if (!sequenceLosses.IsEmpty && sequenceLosses.Length != batch)
            throw new ArgumentException($"Expected sequenceLosses to hold B = {batch} values (or be empty), but it holds {sequenceLosses.Length}.", nameof(sequenceLosses));
        if (!inputLengths.IsEmpty)
        {
            if (inputLengths.Length != batch)
                throw new ArgumentException($"Expected inputLengths to hold B = {batch} values (or be empty for all T), but it holds {inputLengths.Length}.", nameof(inputLengths));
            for (int b = 0; b < batch; b++)
            {
                if (inputLengths[b] < 1 || inputLengths[b] > steps)
                    throw new ArgumentOutOfRangeException(nameof(inputLengths), inputLengths[b], $"Expected inputLengths[{b}] in 1..{steps} (steps), but got {inputLengths[b]}.");
            }
        }
        if (targetLengths.Length != batch)
            throw new ArgumentException($"Expected targetLengths to hold B = {batch} values, but it holds {targetLengths.Length}.", nameof(targetLengths));
        long sum = 0;
        for (int b = 0; b < batch; b++)
        {
            int l = targetLengths[b];
            if (l < 0 || l > MaxTargetLength)
                throw new ArgumentOutOfRangeException(nameof(targetLengths), l, $"Expected targetLengths[{b}] in 0..{MaxTargetLength} (maxTargetLength), but got {l}.");
            sum += l;
        }
        if (targets.Length != sum)
            throw new ArgumentException($"Expected targets to hold Σ targetLengths = {sum} labels (concatenated), but it holds {targets.Length}.", nameof(targets));
        for (int i = 0; i < targets.Length; i++)
        {
            int label = targets[i];
            if ((uint)label >= (uint)Classes || label == Blank) ThrowLabel(i, label);
        }
    }

    [DoesNotReturn]
    private void ThrowLabel(int index, int label) =>
        throw new ArgumentOutOfRangeException("targets", label,
            string.Create(CultureInfo.InvariantCulture,
                $"Expected targets[{index}] to be a label in [0, {Classes}) other than the blank ({Blank}), but got {label}."));
}
