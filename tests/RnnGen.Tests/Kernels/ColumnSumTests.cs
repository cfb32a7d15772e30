using System;
using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The bias-gradient column sums (register-blocked, 64 / 32 / 1 columns at a time) against the plain row-by-row
/// loop, bit for bit, on every vector width (forced): every width from 0 to 150 so every block size and tail is
/// hit, with a column offset and a padded row pitch.
/// </summary>
[Collection(nameof(KernelOptionsCollection))] // forces the GEMM path
public class ColumnSumTests
{
    [Theory]
    [InlineData(1, 0, "Vector512")]
    [InlineData(3, 5, "Vector512")]
    [InlineData(37, 17, "Vector512")]
    [InlineData(3, 5, "Vector256")]
    [InlineData(37, 17, "Vector256")]
    [InlineData(37, 17, "Scalar")]
    public void Column_sums_equal_the_row_by_row_sums_bit_for_bit(int rows, int c0, string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path)) return; // covered where the hardware has the width
        GemmPath? saved = Gemm.ForcedPath;
        Gemm.ForcedPath = path;
        try
        {
            Check(rows, c0);
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
    }

    private static void Check(int rows, int c0)
    {
        for (int n = 0; n <= 150; n++)
        {
            int ld = c0 + n + 19;
            float[] m = TestData.Uniform(rows * ld, n + rows);
            var sum = new float[n];
            Array.Fill(sum, float.NaN); // must be overwritten, not added to
            RecurrentKernel.SumColumns(m, ld, rows, c0, sum);

            var expected = new float[n];
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < n; j++) expected[j] += m[(r * ld) + c0 + j];
            }
            Assert.Equal(expected, sum);
        }
    }

    [Fact]
    public void No_rows_give_zeros()
    {
        var sum = new float[70];
        Array.Fill(sum, 3f);
        RecurrentKernel.SumColumns([], 80, 0, 0, sum);
        Assert.All(sum, v => Assert.Equal(0f, v));
    }
}
