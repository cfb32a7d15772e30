using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

public class PackedWeightsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(13, 21)]
    [InlineData(16, 9)]
    [InlineData(7, 40)]
    [InlineData(1024, 256)] // W_hh of an H = 256 LSTM: ld padded off a 4 KiB multiple
    public unsafe void Transpose_puts_every_element_at_its_transposed_place(int n, int k)
    {
        float[] w = TestData.Uniform(n * k, n + k);
        float* t = PackedWeights.Transpose(w, n, k, out int ld);
        Assert.True(ld >= n && ld % 16 == 0 && ld % 1024 != 0, $"ld = {ld}");
        Assert.Equal(0, (long)t % 64); // 64-byte aligned rows start
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++)
            {
                if (t[((nint)p * ld) + j] != w[(j * k) + p]) Assert.Fail($"Wᵀ[{p}, {j}] = {t[((nint)p * ld) + j]}, expected W[{j}, {p}] = {w[(j * k) + p]}");
            }
        }
    }
}
