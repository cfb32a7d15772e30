using System;
using System.Diagnostics.CodeAnalysis;

namespace RnnGen.Kernels;

/// <summary>
/// Which LSTM variant <see cref="LstmVariantLayer"/> runs. Every combination is valid.
/// All off is the standard PyTorch LSTM (same results as <see cref="LstmLayer"/>).
/// </summary>
/// <param name="Peepholes">ONNX peepholes: <c>i = σ(… + p_i⊙c(t−1))</c>, <c>f = σ(… + p_f⊙c(t−1))</c>,
/// <c>o = σ(… + p_o⊙c(t))</c>; weights <see cref="LstmVariantWeights.Peephole"/> [3, H] rows i, f, o.</param>
/// <param name="ProjectionSize">P: 0 for none, else 1 ≤ P &lt; H (PyTorch <c>proj_size</c>):
/// <c>h(t) = W_hr·(o⊙tanh(c(t)))</c> with W_hr [P, H]; the state/output width S is then P and W_hh is [4H, P].</param>
/// <param name="LayerNorm">Layer normalisation of each gate block's pre-activation (gain/bias [4, H]) and of
/// the cell state before tanh (gain/bias [H]); epsilon <see cref="LayerNormRow.Epsilon"/>.</param>
public readonly record struct LstmVariantOptions(bool Peepholes = false, int ProjectionSize = 0, bool LayerNorm = false)
{
    /// <summary>S: width of h (state, output y, h0/hN, the recurrent mask): P with a projection, else H.</summary>
    public int StateSize(int hiddenSize) => ProjectionSize > 0 ? ProjectionSize : hiddenSize;
}

/// <summary>Which GRU variant <see cref="GruVariantLayer"/> runs. All off is PyTorch's GRU (= <see cref="GruLayer"/>).</summary>
/// <param name="ResetBefore">Cho et al. 2014 / Keras <c>reset_after=False</c>:
/// <c>n = tanh(W_in x + b_in + W_hn(r⊙h) + b_hn)</c> instead of PyTorch's <c>tanh(W_in x + b_in + r⊙(W_hn h + b_hn))</c>.</param>
/// <param name="LayerNorm">Layer normalisation of the full argument of each gate's nonlinearity
/// (gain/bias [3, H]); epsilon <see cref="LayerNormRow.Epsilon"/>.</param>
public readonly record struct GruVariantOptions(bool ResetBefore = false, bool LayerNorm = false);

/// <summary>
/// Parameters of one direction of one variant LSTM layer. <see cref="Core"/> holds PyTorch's four tensors
/// (<c>weight_ih</c> [4H, I], <c>weight_hh</c> [4H, S], <c>bias_ih</c> [4H], <c>bias_hh</c> [4H]); the extra
/// tensors are read only when their option is on (pass empty spans otherwise).
/// </summary>
public readonly ref struct LstmVariantWeights
{
    public readonly RecurrentWeights Core;
    /// <summary><c>weight_peephole</c> [3, H]: rows p_i, p_f, p_o.</summary>
    public readonly ReadOnlySpan<float> Peephole;
    /// <summary><c>weight_hr</c> [P, H] (PyTorch's projection).</summary>
    public readonly ReadOnlySpan<float> Projection;
    /// <summary><c>layer_norm_gates_weight</c> [4, H] and <c>layer_norm_gates_bias</c> [4, H], blocks i, f, g, o.</summary>
    public readonly ReadOnlySpan<float> LayerNormGatesWeight;
    public readonly ReadOnlySpan<float> LayerNormGatesBias;
    /// <summary><c>layer_norm_cell_weight</c> [H] and <c>layer_norm_cell_bias</c> [H].</summary>
    public readonly ReadOnlySpan<float> LayerNormCellWeight;
    public readonly ReadOnlySpan<float> LayerNormCellBias;

    public LstmVariantWeights(RecurrentWeights core,
        ReadOnlySpan<float> peephole = default,
        ReadOnlySpan<float> projection = default,
        ReadOnlySpan<float> layerNormGatesWeight = default,
        ReadOnlySpan<float> layerNormGatesBias = default,
        ReadOnlySpan<float> layerNormCellWeight = default,
        ReadOnlySpan<float> layerNormCellBias = default)
    {
        Core = core;
        Peephole = peephole;
        Projection = projection;
        LayerNormGatesWeight = layerNormGatesWeight;
        LayerNormGatesBias = layerNormGatesBias;
        LayerNormCellWeight = layerNormCellWeight;
        LayerNormCellBias = layerNormCellBias;
    }
}

/// <summary>Gradient views matching <see cref="LstmVariantWeights"/>; Backward adds into them (unused ones may be empty).</summary>
public readonly ref struct LstmVariantGradients
{
    public readonly RecurrentGradients Core;
    public readonly Span<float> Peephole;
    public readonly Span<float> Projection;
    public readonly Span<float> LayerNormGatesWeight;
    public readonly Span<float> LayerNormGatesBias;
    public readonly Span<float> LayerNormCellWeight;
    public readonly Span<float> LayerNormCellBias;

    public LstmVariantGradients(RecurrentGradients core,
        Span<float> peephole = default,
        Span<float> projection = default,
        Span<float> layerNormGatesWeight = default,
        Span<float> layerNormGatesBias = default,
        Span<float> layerNormCellWeight = default,
        Span<float> layerNormCellBias = default)
    {
        Core = core;
        Peephole = peephole;
        Projection = projection;
        LayerNormGatesWeight = layerNormGatesWeight;
        LayerNormGatesBias = layerNormGatesBias;
        LayerNormCellWeight = layerNormCellWeight;
        LayerNormCellBias = layerNormCellBias;
    }
}

/// <summary>
/// Parameters of one direction of one variant GRU layer: <see cref="Core"/> in PyTorch's layout
/// (<c>weight_ih</c> [3H, I], <c>weight_hh</c> [3H, H], biases [3H], gate blocks r, z, n) plus the layer-norm
/// gain/bias [3, H] (read only with <see cref="GruVariantOptions.LayerNorm"/>).
/// </summary>
public readonly ref struct GruVariantWeights
{
    public readonly RecurrentWeights Core;
    public readonly ReadOnlySpan<float> LayerNormGatesWeight;
    public readonly ReadOnlySpan<float> LayerNormGatesBias;

    public GruVariantWeights(RecurrentWeights core,
        ReadOnlySpan<float> layerNormGatesWeight = default,
        ReadOnlySpan<float> layerNormGatesBias = default)
    {
        Core = core;
        LayerNormGatesWeight = layerNormGatesWeight;
        LayerNormGatesBias = layerNormGatesBias;
    }
}

/// <summary>Gradient views matching <see cref="GruVariantWeights"/>; Backward adds into them.</summary>
public readonly ref struct GruVariantGradients
{
    public readonly RecurrentGradients Core;
    public readonly Span<float> LayerNormGatesWeight;
    public readonly Span<float> LayerNormGatesBias;

    public GruVariantGradients(RecurrentGradients core,
        Span<float> layerNormGatesWeight = default,
        Span<float> layerNormGatesBias = default)
    {
        Core = core;
        LayerNormGatesWeight = layerNormGatesWeight;
        LayerNormGatesBias = layerNormGatesBias;
    }
}

/// <summary>
/// Argument validation and small helpers for the variant kernels (kept apart from the standard
/// kernels' internal plumbing). Nothing allocates on the success path.
/// </summary>
internal static class VariantChecks
{
    public static int TimeAt(int step, int steps, bool reverse) => reverse ? steps - 1 - step : step;

    [DoesNotReturn]
    public static void Throw(string paramName, string message) => throw new ArgumentException(message, paramName);

    public static void Sizes(int batch, int steps, int hiddenSize)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "Batch must be at least 1.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Steps must be at least 1.");
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "HiddenSize must be at least 1.");
    }

    public static void Projection(in LstmVariantOptions o, int hiddenSize)
    {
        if (o.ProjectionSize < 0 || o.ProjectionSize >= hiddenSize && o.ProjectionSize != 0)
        {
            throw new ArgumentOutOfRangeException("options", o.ProjectionSize,
                $"ProjectionSize must be 0 (none) or in 1..{hiddenSize - 1} (smaller than the hidden size {hiddenSize}).");
        }
    }

    public static void Dims(in LayerDims d, int gates, int stateSize)
    {
        if (d.Batch < 1 || d.Steps < 1 || d.InputSize < 1 || d.HiddenSize < 1)
        {
            Throw("dims", $"All layer dimensions must be at least 1, got {d}.");
        }
        long gh = (long)gates * d.HiddenSize;
        long largest = Math.Max((long)d.Batch * d.Steps * Math.Max(Math.Max(gh, d.InputSize), stateSize),
            gh * Math.Max(d.InputSize, Math.Max(d.HiddenSize, stateSize)));
        if (largest * 4 > int.MaxValue)
        {
            Throw("dims", $"Layer dimensions {d} need buffers of {largest} floats, too many for the cache spans.");
        }
    }

    public static void Lengths(ReadOnlySpan<int> lengths, in LayerDims d)
    {
        if (lengths.Length < d.Batch)
        {
            Throw("lengths", $"'lengths' must hold one entry per sequence: expected at least {d.Batch} (B), got {lengths.Length}.");
        }
        for (int b = 0; b < d.Batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > d.Steps)
            {
                Throw("lengths", $"'lengths[{b}]' must be in 1..{d.Steps} (T), got {lengths[b]}.");
            }
        }
    }

    public static void Length(int actual, long required, string name, string shape, in LayerDims d)
    {
        if (actual < required)
        {
            Throw(name, $"'{name}' is too short: expected at least {required} floats ({shape} with B={d.Batch}, T={d.Steps}, I={d.InputSize}, H={d.HiddenSize}), got {actual}.");
        }
    }

    public static void Optional(int actual, long required, string name, string shape, in LayerDims d)
    {
        if (actual != 0) Length(actual, required, name, shape, d);
    }

    /// <summary>Row-strided [B·T, width] view: ld ≥ width and length ≥ (B·T − 1)·ld + width.</summary>
    public static void Strided(int actual, int ld, int width, bool optional, string name, string ldName, in LayerDims d)
    {
        if (optional && actual == 0) return;
        if (ld < width)
        {
            Throw(ldName, $"'{ldName}' must be at least the output width {width}, got {ld}.");
        }
        long required = ((long)d.Batch * d.Steps - 1) * ld + width;
        if (actual < required)
        {
            Throw(name, $"'{name}' is too short: expected at least {required} floats ((B·T − 1)·{ldName} + {width} with B={d.Batch}, T={d.Steps}, {ldName}={ld}), got {actual}.");
        }
    }

    /// <summary>Core tensors: W_ih [G·H, I], W_hh [G·H, S], b_ih [G·H], b_hh [G·H].</summary>
    public static void Core(in RecurrentWeights w, in LayerDims d, int gates, int stateSize)
    {
        long gh = (long)gates * d.HiddenSize;
        Length(w.InputHidden.Length, gh * d.InputSize, "weights.Core.InputHidden", "[G·H, I]", d);
        Length(w.HiddenHidden.Length, gh * stateSize, "weights.Core.HiddenHidden", "[G·H, S]", d);
        Length(w.BiasInputHidden.Length, gh, "weights.Core.BiasInputHidden", "[G·H]", d);
        Length(w.BiasHiddenHidden.Length, gh, "weights.Core.BiasHiddenHidden", "[G·H]", d);
    }

    public static void Core(in RecurrentGradients g, in LayerDims d, int gates, int stateSize)
    {
        long gh = (long)gates * d.HiddenSize;
        Length(g.InputHidden.Length, gh * d.InputSize, "gradients.Core.InputHidden", "[G·H, I]", d);
        Length(g.HiddenHidden.Length, gh * stateSize, "gradients.Core.HiddenHidden", "[G·H, S]", d);
        Length(g.BiasInputHidden.Length, gh, "gradients.Core.BiasInputHidden", "[G·H]", d);
        Length(g.BiasHiddenHidden.Length, gh, "gradients.Core.BiasHiddenHidden", "[G·H]", d);
    }

    /// <summary>The recurrent-dropout mask: empty or [B, S] with every value finite.</summary>
    public static void Mask(ReadOnlySpan<float> mask, in LayerDims d, int stateSize)
    {
        Optional(mask.Length, (long)d.Batch * stateSize, "recurrentMask", "[B, S] or empty", d);
    }

    /// <summary>States entering the loop: rows (b, t) of a [B, T, width] buffer from s0 [B, width] or zeros.</summary>
    public static void LoadState(ReadOnlySpan<float> s0, Span<float> states, int t, int batch, int steps, int width)
    {
        for (int b = 0; b < batch; b++)
        {
            Span<float> row = states.Slice((b * steps + t) * width, width);
            if (s0.IsEmpty) row.Clear();
            else s0.Slice(b * width, width).CopyTo(row);
        }
    }

    public static void LoadGradient(ReadOnlySpan<float> g, Span<float> dst)
    {
        if (g.IsEmpty) dst.Clear();
        else g.Slice(0, dst.Length).CopyTo(dst);
    }

    /// <summary>sum[j] = Σ_r m[r·n + j] over <paramref name="rows"/> rows (written, not added).</summary>
    public static void SumRows(ReadOnlySpan<float> m, int rows, int n, int ld, Span<float> sum)
    {
        sum = sum.Slice(0, n);
        sum.Clear();
        for (int r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum, m.Slice(r * ld, n), sum);
        }
    }
}
