using System;
using System.Globalization;

namespace RnnGen.Decoding;

/// <summary>How a hypothesis's length enters its score.</summary>
public enum LengthPenaltyKind
{
    /// <summary>lp(L) = 1: the score is the log-probability.</summary>
    None = 0,

    /// <summary>lp(L) = L^α.</summary>
    Power = 1,

    /// <summary>lp(L) = (5 + L)^α / (5 + 1)^α (Wu et al. 2016, GNMT).</summary>
    Gnmt = 2,
}

/// <summary>
/// Length normalization of beam search: the score of a finished hypothesis of L tokens (the &lt;eos&gt; counted) and
/// log-probability log P is <c>log P / lp(L)</c>. Without normalization beam search prefers short outputs (every
/// token multiplies in a probability ≤ 1); α = 1 with <see cref="Power"/> compares the mean log-probability per token.
/// </summary>
public readonly struct LengthPenalty : IEquatable<LengthPenalty>
{
    private LengthPenalty(LengthPenaltyKind kind, double alpha)
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Expected a finite α ≥ 0.");
        Kind = kind;
        Alpha = alpha;
    }

    public LengthPenaltyKind Kind { get; }
    public double Alpha { get; }

    /// <summary>No normalization: score = log P.</summary>
    public static LengthPenalty None => default;

    /// <summary>score = log P / L^α.</summary>
    public static LengthPenalty Power(double alpha) => new(LengthPenaltyKind.Power, alpha);

    /// <summary>score = log P / ((5 + L)^α / 6^α) (GNMT; α ≈ 0.6–0.7 in the paper).</summary>
    public static LengthPenalty Gnmt(double alpha) => new(LengthPenaltyKind.Gnmt, alpha);

    /// <summary>lp(L) for a hypothesis of <paramref name="length"/> ≥ 1 tokens.</summary>
    public double Of(int length) => Kind switch
    {
        LengthPenaltyKind.Power => Math.Pow(length, Alpha),
        LengthPenaltyKind.Gnmt => Math.Pow((5.0 + length) / 6.0, Alpha),
        _ => 1.0,
    };

    /// <summary>The normalized score log P / lp(L).</summary>
    public double Score(double logProbability, int length) => logProbability / Of(length);

    public bool Equals(LengthPenalty other) => Kind == other.Kind && Alpha.Equals(other.Alpha);
    public override bool Equals(object? obj) => obj is LengthPenalty other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(Kind, Alpha);
    public static bool operator ==(LengthPenalty left, LengthPenalty right) => left.Equals(right);
    public static bool operator !=(LengthPenalty left, LengthPenalty right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        LengthPenaltyKind.Power => "L^" + Alpha.ToString(CultureInfo.InvariantCulture),
        LengthPenaltyKind.Gnmt => "GNMT(" + Alpha.ToString(CultureInfo.InvariantCulture) + ")",
        _ => "none",
    };
}
