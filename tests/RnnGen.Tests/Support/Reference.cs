using System;
using Xunit.Abstractions;

namespace RnnGen.Tests.Support;

/// <summary>
/// Comparison with reference tensors (PyTorch fixtures): element-wise relative error
/// |ours − ref| / max(|ref|, 1e-2 · max|ref|), the worst element, and a log line per tensor.
/// </summary>
internal static class Reference
{
    public const double Tolerance = 1e-4;

    /// <summary>The worst relative error and its index, logging the tensor's max |diff| and max relative error.</summary>
    public static (double MaxRelative, int Worst) Compare(ITestOutputHelper log, string what, ReadOnlySpan<float> ours, float[] reference,
        double absoluteFloor = 0)
    {
        Assert.True(ours.Length == reference.Length, $"{what}: {ours.Length} values, the reference has {reference.Length}");
        double scale = 0;
        foreach (float v in reference) scale = Math.Max(scale, Math.Abs((double)v));
        double floor = Math.Max(Math.Max(1e-2 * scale, absoluteFloor), 1e-30);
        double maxDiff = 0, maxRelative = 0;
        int worst = -1;
        for (int i = 0; i < reference.Length; i++)
        {
            double diff = Math.Abs((double)ours[i] - reference[i]);
            double relative = diff / Math.Max(Math.Abs((double)reference[i]), floor);
            maxDiff = Math.Max(maxDiff, diff);
            if (relative > maxRelative)
            {
                maxRelative = relative;
                worst = i;
            }
        }
        log.WriteLine($"{what,-32} max |diff| {maxDiff:E2}  max relative {maxRelative:E2}");
        return (maxRelative, worst);
    }

    /// <summary>Asserts every element is within <see cref="Tolerance"/> of the reference. Elements smaller than
    /// <paramref name="absoluteFloor"/> are compared against that floor instead of their own size (for tensors
    /// whose whole gradient is orders of magnitude below the model's, where float rounding of cancelling sums dominates).</summary>
    public static void AssertClose(ITestOutputHelper log, string what, ReadOnlySpan<float> ours, float[] reference, double absoluteFloor = 0)
    {
        var (maxRelative, worst) = Compare(log, what, ours, reference, absoluteFloor);
        Assert.True(maxRelative <= Tolerance,
            $"{what}[{worst}] = {(worst >= 0 ? ours[worst] : 0):G9}, reference {(worst >= 0 ? reference[worst] : 0):G9} (relative {maxRelative:E2})");
    }
}
