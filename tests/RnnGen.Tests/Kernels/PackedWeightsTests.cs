using RnnGen.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Kernels;

public class PackedWeightsTests
{
    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(8, 8, true)]
    [InlineData(13, 21, true)]
    [InlineData(16, 9, false)]
    [InlineData(7, 40, false)]
    [InlineData(1024, 256, true)] // W_hh of an H = 256 LSTM
    public unsafe void Panels_put_every_element_at_its_place(int n, int k, bool transpose)
    {
        // op(B) [k, n] = Wᵀ of W [n, k] (transpose) or W [k, n]; panels [n / NR][k][NR], zero-padded columns.
        float[] w = TestData.Uniform(n * k, n + k);
        float* panels = PackedWeights.Panels(w, k, n, transpose);
        int nr = Gemm.PanelWidth;
        Assert.Equal(0, (long)panels % 64); // 64-byte aligned start
        for (int j = 0; j < (n + nr - 1) / nr * nr; j++)
        {
            for (int p = 0; p < k; p++)
            {
                float expected = j >= n ? 0f : transpose ? w[(j * k) + p] : w[(p * n) + j];
                float actual = panels[((nint)(j / nr) * k * nr) + ((nint)p * nr) + (j % nr)];
                if (actual != expected) Assert.Fail($"op(B)[{p}, {j}] = {actual}, expected {expected}");
            }
        }
    }
}
