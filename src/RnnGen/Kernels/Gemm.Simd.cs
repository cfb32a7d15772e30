using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnGen.Kernels;

/// <summary>
/// The handful of vector operations the GEMM kernels need, abstracted over the register width.
/// </summary>
/// <remarks>
/// The kernels are written once as generic methods over a <em>struct</em> implementing this
/// interface. For struct type arguments the JIT compiles a separate specialization per type and
/// resolves the static abstract calls directly, so after inlining every <c>TOps.Fma(...)</c>
/// becomes a single <c>vfmadd231ps</c> on the chosen register width: there is no virtual call,
/// no boxing and no runtime width check inside the hot loops. <c>TOps.Count</c> is likewise a
/// JIT-time constant, so branches on it (e.g. choosing MR) are folded away.
/// </remarks>
internal unsafe interface IGemmSimd<TVec> where TVec : struct
{
    /// <summary>Number of floats in one register.</summary>
    static abstract int Count { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Load(float* p);

    static abstract void Store(float* p, TVec v);

    /// <summary>Broadcasts the float at <paramref name="p"/> to every lane.</summary>
    /// <remarks>
    /// Taking the address (not the value) lets the JIT fold the load into the FMA as an AVX-512
    /// embedded broadcast (<c>vfmadd231ps zmm, zmm, [mem]{1to16}</c>), saving a register and a uop.
    /// </remarks>
    static abstract TVec Broadcast(float* p);

    static abstract TVec BroadcastValue(float value);

    /// <summary>Returns <c>a * b + c</c>, fused when the hardware supports it.</summary>
    static abstract TVec Fma(TVec a, TVec b, TVec c);

    static abstract TVec Add(TVec a, TVec b);

    /// <summary>Horizontal sum of all lanes.</summary>
    static abstract float Sum(TVec v);

    /// <summary>Returns [Σa, Σb, Σc, Σd].</summary>
    /// <remarks>
    /// Reducing four accumulators together shares the shuffles: halves are added vertically
    /// (512 → 256 → 128 bits, one extract + add each) and the last step is two levels of pairwise
    /// horizontal adds that leave the four totals side by side, ready for one 16-byte store.
    /// That is ~7 uops per total instead of the ~24 of the order-preserving VectorNNN.Sum tree.
    /// </remarks>
    static abstract Vector128<float> Sum4(TVec a, TVec b, TVec c, TVec d);
}

/// <summary>AVX-512: 16 floats per register, 32 architectural registers.</summary>
internal readonly unsafe struct GemmSimd512 : IGemmSimd<Vector512<float>>
{
    public static int Count => 16;

    public static Vector512<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float* p) => Vector512.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> BroadcastValue(float value) => Vector512.Create(value);

    // net8.0 has no Vector512.FusedMultiplyAdd (added in .NET 9); Avx512F.FusedMultiplyAdd is the
    // net8 spelling of vfmadd*ps on zmm. This path is only selected when Avx512F.IsSupported.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v) => Vector512.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
        => GemmSimd256.Sum4(
            a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(),
            c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
}

/// <summary>AVX/AVX2 (+FMA3 when present): 8 floats per register.</summary>
internal readonly unsafe struct GemmSimd256 : IGemmSimd<Vector256<float>>
{
    public static int Count => 8;

    public static Vector256<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float* p) => Vector256.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BroadcastValue(float value) => Vector256.Create(value);

    // Fma.IsSupported is a JIT-time constant: the untaken branch is removed entirely.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => Vector256.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        => GemmSimd128.Sum4(
            a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(),
            c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
}

/// <summary>SSE / AdvSimd: 4 floats per register.</summary>
internal readonly unsafe struct GemmSimd128 : IGemmSimd<Vector128<float>>
{
    public static int Count => 4;

    public static Vector128<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector128<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float* p) => Vector128.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> BroadcastValue(float value) => Vector128.Create(value);

    // x86 FMA3, Arm64 FMLA (note AdvSimd's operand order: addend first), else multiply + add.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c);
        }

        if (AdvSimd.IsSupported)
        {
            return AdvSimd.FusedMultiplyAdd(c, a, b);
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> v) => Vector128.Sum(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        if (Sse3.IsSupported)
        {
            // haddps(a, b) = [a0+a1, a2+a3, b0+b1, b2+b3]; a second level over (ab, cd) yields the totals.
            return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a, b), Sse3.HorizontalAdd(c, d));
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            // faddp: the Arm64 pairwise add has the same lane semantics as haddps.
            return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a, b), AdvSimd.Arm64.AddPairwise(c, d));
        }

        return Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
    }
}

/// <summary>Portable fallback: one float per "register".</summary>
internal readonly unsafe struct GemmSimdScalar : IGemmSimd<float>
{
    public static int Count => 1;

    public static float Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float v) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BroadcastValue(float value) => value;

    // MathF.FusedMultiplyAdd is a single instruction with FMA3, but a slow software routine
    // without it; fall back to an unfused multiply-add there.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c)
        => System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float v) => v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(float a, float b, float c, float d) => Vector128.Create(a, b, c, d);
}
