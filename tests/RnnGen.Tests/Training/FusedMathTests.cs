using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using RnnGen.Kernels;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

public class FusedMathTests
{
    [Fact]
    public void VectorMultiplyAdd_IsSinglyRounded_OnEveryPath()
    {
        var a = new float[Vector<float>.Count];
        var b = new float[Vector<float>.Count];
        var c = new float[Vector<float>.Count];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = -0.625f + i;
            b[i] = 0.1f;
            c[i] = 0.0625f - 0.1f * i;
        }
        var va = new Vector<float>(a);
        var vb = new Vector<float>(b);
        var vc = new Vector<float>(c);
        Vector<float> hardware = FusedMath.MultiplyAdd(va, vb, vc);
        Vector<float> fallback = FusedMath.Fallback(va, vb, vc);
        for (int i = 0; i < a.Length; i++)
        {
            float expected = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
            Assert.Equal(expected, hardware[i]);
            Assert.Equal(expected, fallback[i]);
        }
        // The case that motivated FMA: 0.0625 + 0.1f·(−0.625) is −9.3e-10 fused but exactly 0 unfused.
        Assert.NotEqual(0f, hardware[0]);
        Assert.Equal(0f, FusedMath.MultiplyAdd(0f, 0f, 0f));
    }

    [Fact]
    public void Vector512MultiplyAdd_IsSinglyRounded_OnEveryPath()
    {
        var a = new float[16];
        var b = new float[16];
        var c = new float[16];
        for (int i = 0; i < 16; i++)
        {
            a[i] = -0.625f + i;
            b[i] = 0.1f;
            c[i] = 0.0625f - 0.1f * i;
        }
        var va = Vector512.Create(a);
        var vb = Vector512.Create(b);
        var vc = Vector512.Create(c);
        Vector512<float> fused = FusedMath.MultiplyAdd(va, vb, vc); // the hardware instruction where AVX-512 is there
        Vector512<float> fallback = FusedMath.Fallback(va, vb, vc);
        for (int i = 0; i < 16; i++)
        {
            float expected = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
            Assert.Equal(expected, fused[i]);
            Assert.Equal(expected, fallback[i]);
        }
        Assert.NotEqual(0f, fused[0]);
    }
}
