using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Kernels;

public sealed class GemmTests : IDisposable
{
    private readonly ITestOutputHelper _output;

    public GemmTests(ITestOutputHelper output) => _output = output;

    // ForcedPath is per thread; reset it so a later test on this thread sees the default.
    public void Dispose() => Gemm.ForcedPath = null;

    private static readonly int[] Ms = { 1, 2, 3, 7, 17, 33 };
    private static readonly int[] Ns = { 1, 5, 16, 33, 257 };
    private static readonly int[] Ks = { 1, 3, 17, 64, 257 };

    // Written into every element outside the logical matrices (leading-dimension padding and the
    // spans' tails): A/B padding as NaN proves it is never read; C padding must come back unchanged.
    private const float CPadding = 12345.5f;

    public static TheoryData<string, bool, bool> PathsAndTransposes()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (string path in Enum.GetNames<GemmPath>())
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    data.Add(path, ta, tb);
                }
            }
        }

        return data;
    }

    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (string path in Enum.GetNames<GemmPath>())
        {
            data.Add(path);
        }

        return data;
    }

    private bool TryForce(string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            _output.WriteLine($"SKIPPED: {path} is not hardware-accelerated on this machine.");
            return false;
        }

        Gemm.ForcedPath = path;
        return true;
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void MatchesReference_OddSizes(string path, bool transposeA, bool transposeB)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(1234);
        foreach (int m in Ms)
        {
            foreach (int n in Ns)
            {
                foreach (int k in Ks)
                {
                    // Alternate tight and padded leading dimensions.
                    int pad = (m + n + k) % 2 == 0 ? 0 : 3;
                    Check(rng, transposeA, transposeB, m, n, k, pad, accumulate: false);
                    Check(rng, transposeA, transposeB, m, n, k, pad + 1, accumulate: true);
                }
            }
        }
    }

    /// <summary>Sizes crossing the cache-block boundaries (KC, MC, NC) and the direct-B threshold.</summary>
    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void MatchesReference_AcrossBlockBoundaries(string path, bool transposeA, bool transposeB)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(99);
        Check(rng, transposeA, transposeB, Gemm.MC + 11, 37, Gemm.KC + 5, 2, accumulate: true);
        Check(rng, transposeA, transposeB, 2 * Gemm.MC, 19, 2 * Gemm.KC + 1, 0, accumulate: false);
        Check(rng, transposeA, transposeB, 4, Gemm.NC + 21, 7, 1, accumulate: false);
        Check(rng, transposeA, transposeB, 40, Gemm.NC + 3, 5, 0, accumulate: true);
        Check(rng, transposeA, transposeB, 32, 1024 + 7, 64, 5, accumulate: false);
        Check(rng, transposeA, transposeB, 1, 100, 2 * Gemm.KC + 3, 0, accumulate: true);
    }

    /// <summary>
    /// C = op(A)·op(B) + bias (the bias folded into the tile store) is bitwise the same as filling C
    /// with the bias and accumulating the product onto it — itself checked against the reference above.
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void Bias_in_the_store_equals_filling_C_with_it_first(string path, bool transposeA, bool transposeB)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(7);
        (int M, int N, int K)[] shapes =
        {
            (1, 37, 5), (3, 33, 17), (17, 257, 3), (33, 16, 64), (Gemm.MC + 11, 37, Gemm.KC + 5), (40, 1024 + 7, 2 * Gemm.KC + 1), (24, 5, 9), (25, 5, 9),
        };
        foreach (var (m, n, k) in shapes)
        {
            int lda = transposeA ? m : k, ldb = transposeB ? k : n, ldc = n + 3;
            float[] a = new float[(transposeA ? k : m) * lda];
            float[] b = new float[(transposeB ? n : k) * ldb];
            float[] bias = new float[n];
            for (int i = 0; i < a.Length; i++) a[i] = Next(rng);
            for (int i = 0; i < b.Length; i++) b[i] = Next(rng);
            for (int i = 0; i < n; i++) bias[i] = Next(rng) * 3;
            float[] expected = Fill(new float[m * ldc], CPadding), actual = Fill(new float[m * ldc], CPadding);
            for (int i = 0; i < m; i++) bias.CopyTo(expected, i * ldc);
            Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, expected, ldc, accumulate: true);
            Gemm.Multiply(transposeA, transposeB, m, n, k, a, lda, b, ldb, actual, ldc, accumulate: false, bias);
            Assert.Equal(expected, actual); // padding between rows untouched in both
        }
    }

    /// <summary>B packed once into panels (the recurrent weights of a whole sequence) gives bitwise the packed path's result.</summary>
    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public unsafe void Prepacked_panels_equal_the_packed_path(string path, bool transposeB, bool accumulate)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(11);
        (int M, int N, int K)[] shapes = { (2, 37, 5), (16, 1024, 256), (33, 40, Gemm.KC + 7), (7, 3, 2 * Gemm.KC + 1), (64, 100, 64) };
        foreach (var (m, n, k) in shapes)
        {
            int ldb = transposeB ? k + 1 : n + 2, lda = k + 3, ldc = n + 1;
            float[] a = new float[m * lda], b = new float[(transposeB ? n : k) * ldb];
            for (int i = 0; i < a.Length; i++) a[i] = Next(rng);
            for (int i = 0; i < b.Length; i++) b[i] = Next(rng);
            float[] expected = new float[m * ldc], actual = new float[m * ldc];
            for (int i = 0; i < expected.Length; i++) expected[i] = actual[i] = Next(rng);
            float[] packed = new float[Gemm.PackedPanelsLength(k, n)];
            fixed (float* p = packed)
            {
                Gemm.PackPanels(transposeB, b, ldb, k, n, p);
                Gemm.MultiplyPrepacked(m, n, k, a, lda, p, actual, ldc, accumulate);
            }
            // m > 32 rows or a transposed B takes the packed path in Multiply too; compare against it there, and
            // against the reference-checked Multiply within rounding elsewhere (the direct-B path sums identically).
            Gemm.Multiply(false, transposeB, m, n, k, a, lda, b, ldb, expected, ldc, accumulate);
            if (transposeB && m <= Gemm.DotMaxM)
            {
                for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"m={m} n={n} k={k}: [{i}] {expected[i]} vs {actual[i]}");
            }
            else
            {
                Assert.Equal(expected, actual);
            }
        }
    }

    [Theory]
    [InlineData("Vector512")]
    [InlineData("Vector256")]
    [InlineData("Vector128")]
    [InlineData("Scalar")]
    public unsafe void Panels_packed_in_two_ranges_equal_one_packing_and_the_biased_product_equals_Multiply(string path)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(12);
        (int M, int N, int K)[] shapes = { (25, 37, 5), (40, 1024, 128), (33, 100, Gemm.KC + 7), (64, 3, 19) };
        foreach (var (m, n, k) in shapes)
        {
            int ldb = k + 1, lda = k + 3, ldc = n + 1;
            float[] a = new float[m * lda], b = new float[n * ldb], bias = new float[n];
            for (int i = 0; i < a.Length; i++) a[i] = Next(rng);
            for (int i = 0; i < b.Length; i++) b[i] = Next(rng);
            for (int i = 0; i < bias.Length; i++) bias[i] = Next(rng);
            float[] whole = new float[Gemm.PackedPanelsLength(k, n)], halves = new float[whole.Length];
            int panels = Gemm.PanelCount(n), split = (panels + 1) / 2;
            float[] expected = new float[m * ldc], actual = new float[m * ldc];
            fixed (float* pw = whole, ph = halves)
            {
                Gemm.PackPanels(true, b, ldb, k, n, pw);
                Gemm.PackPanelRange(true, b, ldb, k, n, split, panels, ph); // the second half first: order-independent
                Gemm.PackPanelRange(true, b, ldb, k, n, 0, split, ph);
                Assert.Equal(whole, halves);
                Gemm.MultiplyPrepacked(m, n, k, a, lda, ph, actual, ldc, bias);
            }
            // m > DotMaxM: Multiply takes the packed path with the bias in the tile store, bit for bit the same.
            Gemm.Multiply(false, true, m, n, k, a, lda, b, ldb, expected, ldc, accumulate: false, bias);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public unsafe void Prepacked_product_with_the_bias_in_the_store_equals_filling_then_accumulating(string path)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(33);
        // Few rows (the GRU step: B/2 sequences), K within one block and across two, ragged n and m; k = 0 is the bias.
        (int M, int N, int K)[] shapes = { (16, 768, 256), (3, 37, Gemm.KC + 9), (24, 64, 17), (25, 5, 3), (5, 9, 0) };
        foreach (var (m, n, k) in shapes)
        {
            int lda = k + 2, ldc = n + 3;
            float[] a = new float[Math.Max(1, m * lda)], b = new float[Math.Max(1, n * k)], bias = new float[n];
            foreach (float[] t in new[] { a, b, bias }) for (int i = 0; i < t.Length; i++) t[i] = Next(rng);
            float[] panels = new float[Math.Max(1, Gemm.PackedPanelsLength(k, n))];
            float[] expected = new float[m * ldc], actual = new float[m * ldc];
            for (int i = 0; i < m; i++)
            {
                bias.CopyTo(expected.AsSpan(i * ldc));
                actual[(i * ldc) + n] = expected[(i * ldc) + n] = CPadding; // the padding column stays untouched
            }
            fixed (float* pp = panels)
            {
                if (k > 0) Gemm.PackPanels(true, b, k, k, n, pp);
                Gemm.MultiplyPrepacked(m, n, k, a, lda, pp, expected, ldc, accumulate: true);
                Gemm.MultiplyPrepacked(m, n, k, a, lda, pp, actual, ldc, bias);
            }
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{path} m={m} n={n} k={k}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public unsafe void Shared_A_products_equal_two_multiplies_bitwise(string path)
    {
        if (!TryForce(path))
        {
            return;
        }

        var rng = new Random(21);
        // (m, n1, n2, k): packed shapes with edge panels, K blocks and an edge row block; m = 20 takes the fallback.
        (int M, int N1, int N2, int K)[] shapes = { (64, 128, 256, 2 * Gemm.KC + 5), (Gemm.MC + 13, 37, 5, 19), (41, 1, 33, Gemm.KC), (20, 7, 9, 30) };
        foreach (var (m, n1, n2, k) in shapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    int lda = (ta ? m : k) + 3, ldb1 = n1 + 1, ldb2 = n2 + 2, ldc1 = n1 + 5, ldc2 = n2;
                    float[] a = new float[(ta ? k : m) * lda], b1 = new float[k * ldb1], b2 = new float[k * ldb2];
                    float[] c1 = new float[m * ldc1], c2 = new float[m * ldc2];
                    foreach (float[] t in new[] { a, b1, b2, c1, c2 }) for (int i = 0; i < t.Length; i++) t[i] = Next(rng);
                    float[] e1 = (float[])c1.Clone(), e2 = (float[])c2.Clone();
                    Gemm.Multiply(ta, false, m, n1, k, a, lda, b1, ldb1, e1, ldc1, accumulate);
                    Gemm.Multiply(ta, false, m, n2, k, a, lda, b2, ldb2, e2, ldc2, accumulate);
                    float[] p1 = (float[])c1.Clone(), p2 = (float[])c2.Clone(), q1 = (float[])c1.Clone();
                    Gemm.MultiplySharedA(ta, m, k, a, lda, n1, b1, ldb1, c1, ldc1, n2, b2, ldb2, c2, ldc2, accumulate);
                    Assert.True(e1.AsSpan().SequenceEqual(c1), $"{path} m={m} n1={n1} k={k} ta={ta} acc={accumulate}: C1 differs");
                    Assert.True(e2.AsSpan().SequenceEqual(c2), $"{path} m={m} n2={n2} k={k} ta={ta} acc={accumulate}: C2 differs");

                    // The same with B1 and B2 prepacked into panels over all k (two ranges each, as two cores pack them).
                    float[] panels1 = new float[Gemm.PackedPanelsLength(k, n1)], panels2 = new float[Gemm.PackedPanelsLength(k, n2)];
                    fixed (float* pp1 = panels1, pp2 = panels2)
                    {
                        int h1 = Gemm.PanelCount(n1) / 2, h2 = Gemm.PanelCount(n2) / 2;
                        Gemm.PackPanelRange(false, b1, ldb1, k, n1, h1, Gemm.PanelCount(n1), pp1);
                        Gemm.PackPanelRange(false, b1, ldb1, k, n1, 0, h1, pp1);
                        Gemm.PackPanelRange(false, b2, ldb2, k, n2, 0, h2, pp2);
                        Gemm.PackPanelRange(false, b2, ldb2, k, n2, h2, Gemm.PanelCount(n2), pp2);
                        Gemm.MultiplySharedAPrepacked(ta, m, k, a, lda, n1, pp1, p1, ldc1, n2, pp2, p2, ldc2, accumulate);
                        Gemm.MultiplyPrepacked(ta, m, n1, k, a, lda, pp1, q1, ldc1, accumulate);
                    }
                    Assert.True(e1.AsSpan().SequenceEqual(p1), $"{path} m={m} n1={n1} k={k} ta={ta} acc={accumulate}: prepacked C1 differs");
                    Assert.True(e2.AsSpan().SequenceEqual(p2), $"{path} m={m} n2={n2} k={k} ta={ta} acc={accumulate}: prepacked C2 differs");
                    Assert.True(e1.AsSpan().SequenceEqual(q1), $"{path} m={m} n1={n1} k={k} ta={ta} acc={accumulate}: MultiplyPrepacked differs");
                }
            }
        }
    }

    [Fact]
    public void Bias_with_accumulate_or_too_short_is_rejected()
    {
        float[] x = new float[64];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 4, 2, x, 2, x, 4, x, 4, accumulate: true, new float[4]));
        Assert.Equal("bias", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 4, 2, x, 2, x, 4, x, 4, accumulate: false, new float[3]));
        Assert.Equal("bias", e.ParamName);
        Assert.Contains("n = 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("got 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KZero_ClearsOrKeepsC()
    {
        float[] c = { 1, 2, 3, CPadding, 4, 5, 6 };
        Gemm.Multiply(false, false, 2, 3, 0, Array.Empty<float>(), 0, Array.Empty<float>(), 3, c, 4, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, CPadding, 4, 5, 6 }, c);
        Gemm.Multiply(false, false, 2, 3, 0, Array.Empty<float>(), 0, Array.Empty<float>(), 3, c, 4, accumulate: false);
        Assert.Equal(new float[] { 0, 0, 0, CPadding, 0, 0, 0 }, c);
    }

    [Fact]
    public void MOrNZero_DoesNothing()
    {
        float[] c = { 7 };
        Gemm.Multiply(false, false, 0, 1, 3, Array.Empty<float>(), 3, new float[3], 1, c, 1, accumulate: false);
        Gemm.Multiply(false, false, 1, 0, 3, new float[3], 3, Array.Empty<float>(), 0, c, 0, accumulate: false);
        Assert.Equal(7, c[0]);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SteadyState_AllocatesNothing(string path)
    {
        if (!TryForce(path))
        {
            return;
        }

        // Shapes of a recurrent step (m = batch) and of a whole-sequence input projection.
        (int M, int N, int K, bool Ta, bool Tb)[] shapes =
        {
            (1, 256, 64, false, false), (1, 256, 64, true, true),
            (32, 256, 64, false, false), (32, 256, 64, false, true), (8, 256, 64, true, true), (250, 40, 260, true, false),
        };
        foreach (var (m, n, k, ta, tb) in shapes)
        {
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            float[] c = new float[m * n];
            int lda = ta ? m : k;
            int ldb = tb ? k : n;

            // Warm-up: grows the thread's packing buffers and lets tiering settle.
            for (int i = 0; i < 3; i++)
            {
                Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, accumulate: false);
            }

            // Steady state means a window of 10 calls allocates nothing (the least-allocating window counts: under
            // heavy machine load a first window has been seen to catch a one-off runtime allocation while tiered
            // compilation was still replacing the kernels' code; a GEMM allocation would show in every window).
            // Within each window the calls alternate accumulate: true, false, … (10 is even, so every window starts
            // with true).
            int call = 0;
            long allocated = SteadyState.AllocatedBytes(
                () => Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, accumulate: call++ % 2 == 0),
                callsPerWindow: 10, warmUpCalls: 0);
            Assert.True(allocated == 0, $"{path} m={m} n={n} k={k} ta={ta} tb={tb}: allocated {allocated} bytes in 10 calls.");
        }
    }

    [Fact]
    public void NegativeSizes_Throw()
    {
        float[] x = new float[16];
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 2, 2, x, 2, x, 2, x, 2, false)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, -1, 2, x, 2, x, 2, x, 2, false)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 2, -1, x, 2, x, 2, x, 2, false)).ParamName);
    }

    [Fact]
    public void LeadingDimensionTooSmall_Throws()
    {
        float[] x = new float[64];
        // A [3, 4] needs lda >= 4; transposed A is stored [4, 3] and needs lda >= 3.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 3, 5, 4, x, 3, x, 5, x, 5, false));
        Assert.Equal("lda", e.ParamName);
        Assert.Contains("4", e.Message, StringComparison.Ordinal);
        Gemm.Multiply(true, false, 3, 5, 4, x, 3, x, 5, x, 5, false); // fine when transposed

        // B [4, 5] needs ldb >= 5; transposed B is stored [5, 4] and needs ldb >= 4.
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 3, 5, 4, x, 4, x, 4, x, 5, false)).ParamName);
        Gemm.Multiply(false, true, 3, 5, 4, x, 4, x, 4, x, 5, false);
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, true, 3, 5, 4, x, 4, x, 3, x, 5, false)).ParamName);

        Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 3, 5, 4, x, 4, x, 5, x, 4, false)).ParamName);
    }

    [Fact]
    public void SpanTooShort_ThrowsWithExpectedAndActualLength()
    {
        float[] big = new float[256];

        // A [3, 4] with lda = 6 needs (3 - 1) * 6 + 4 = 16 elements.
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 3, 5, 4, new float[15], 6, big, 5, big, 5, false));
        Assert.Equal("a", e.ParamName);
        Assert.Contains("16", e.Message, StringComparison.Ordinal);
        Assert.Contains("15", e.Message, StringComparison.Ordinal);
        Gemm.Multiply(false, false, 3, 5, 4, new float[16], 6, big, 5, big, 5, false);

        // Transposed A stored [4, 3], lda = 3: needs 12.
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.Multiply(true, false, 3, 5, 4, new float[11], 3, big, 5, big, 5, false)).ParamName);

        // B [4, 5], ldb = 7: (4 - 1) * 7 + 5 = 26. Transposed B stored [5, 4], ldb = 4: 20.
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 3, 5, 4, big, 4, new float[25], 7, big, 5, false));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("26", e.Message, StringComparison.Ordinal);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 3, 5, 4, big, 4, new float[19], 4, big, 5, false)).ParamName);

        // C [3, 5], ldc = 8: (3 - 1) * 8 + 5 = 21.
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 3, 5, 4, big, 4, big, 5, new float[20], 8, false));
        Assert.Equal("c", e.ParamName);
        Assert.Contains("21", e.Message, StringComparison.Ordinal);
        Gemm.Multiply(false, false, 3, 5, 4, big, 4, big, 5, new float[21], 8, false);
    }

    /// <summary>
    /// Runs one GEMM on NaN-padded, strided operands and compares with a double-precision
    /// reference, element by element, with a tolerance scaled by Σ|a||b| and √k.
    /// </summary>
    private static void Check(Random rng, bool ta, bool tb, int m, int n, int k, int pad, bool accumulate)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;

        // Minimal span lengths ((rows - 1) * ld + cols) plus a tail, all filled with padding.
        float[] a = Fill(new float[((aRows - 1) * lda) + aCols + pad], float.NaN);
        float[] b = Fill(new float[((bRows - 1) * ldb) + bCols + pad], float.NaN);
        float[] c = Fill(new float[((m - 1) * ldc) + n + pad], CPadding);

        for (int r = 0; r < aRows; r++)
        {
            for (int q = 0; q < aCols; q++)
            {
                a[(r * lda) + q] = Next(rng);
            }
        }

        for (int r = 0; r < bRows; r++)
        {
            for (int q = 0; q < bCols; q++)
            {
                b[(r * ldb) + q] = Next(rng);
            }
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // Without accumulate C's old contents must be ignored entirely, even NaN.
                c[(i * ldc) + j] = accumulate ? Next(rng) : float.NaN;
            }
        }

        float[] c0 = (float[])c.Clone();
        Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = ta ? a[(p * lda) + i] : a[(i * lda) + p];
                    double bv = tb ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sum += av * bv;
                    magnitude += Math.Abs(av * bv);
                }

                double old = accumulate ? c0[(i * ldc) + j] : 0;
                double expected = sum + old;
                double tolerance = (1e-5 * Math.Sqrt(k) * magnitude) + (1e-6 * Math.Abs(old)) + 1e-30;
                float actual = c[(i * ldc) + j];
                if (!(Math.Abs(actual - expected) <= tolerance))
                {
                    Assert.Fail($"ta={ta} tb={tb} m={m} n={n} k={k} pad={pad} acc={accumulate}: C[{i},{j}] = {actual}, expected {expected} ± {tolerance}.");
                }
            }

            // Leading-dimension padding between rows is untouched.
            for (int j = n; j < ldc && (i * ldc) + j < c.Length; j++)
            {
                Assert.Equal(CPadding, c[(i * ldc) + j]);
            }
        }

        for (int q = ((m - 1) * ldc) + n; q < c.Length; q++)
        {
            Assert.Equal(CPadding, c[q]);
        }
    }

    private static float Next(Random rng) => (float)((rng.NextDouble() * 2) - 1);

    private static float[] Fill(float[] array, float value)
    {
        Array.Fill(array, value);
        return array;
    }
}
