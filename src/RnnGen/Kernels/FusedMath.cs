using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// Fused multiply-add (a·b + c with a single rounding) for float, Vector&lt;float&gt; and Vector512&lt;float&gt; on .NET 8
/// (which has no portable vector FMA). Every width rounds the same way, so a kernel using it computes the same bits in
/// its scalar tail as in its vector body. PyTorch's CPU kernels for <c>tensor.add_(other, alpha=…)</c> use FMA, so the
/// optimizers use it at the same places to reproduce PyTorch's rounding (it matters when g + wd·p nearly cancels);
/// <see cref="ActivationMath"/> uses it for its polynomials (fewer instructions, one rounding per step).
/// </summary>
internal static class FusedMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c)
    {
        if (Vector<float>.Count == 8 && Fma.IsSupported)
            return Fma.MultiplyAdd(a.AsVector256(), b.AsVector256(), c.AsVector256()).AsVector();
        if (Vector<float>.Count == 4 && AdvSimd.IsSupported)
            return AdvSimd.FusedMultiplyAdd(c.AsVector128(), a.AsVector128(), b.AsVector128()).AsVector();
        return Fallback(a, b, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : Fallback(a, b, c);

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Vector512<float> Fallback(Vector512<float> a, Vector512<float> b, Vector512<float> c)
    {
        Span<float> lanes = stackalloc float[Vector512<float>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
        return Vector512.Create((ReadOnlySpan<float>)lanes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Vector<float> Fallback(Vector<float> a, Vector<float> b, Vector<float> c)
    {
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
        return new Vector<float>(lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
}
