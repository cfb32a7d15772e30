using System;

namespace RnnGen.Kernels;

/// <summary>Sizes of one direction of one recurrent layer over one batch.</summary>
/// <param name="Batch">B: sequences in the batch (≤ the session's maximum).</param>
/// <param name="Steps">T: padded sequence length of the batch.</param>
/// <param name="InputSize">I: features per step entering the layer (D·H above layer 0).</param>
/// <param name="HiddenSize">H: hidden units per direction.</param>
public readonly record struct LayerDims(int Batch, int Steps, int InputSize, int HiddenSize);

/// <summary>
/// The parameters of one direction of one layer, in PyTorch's layout:
/// <c>weight_ih</c> [G·H, I], <c>weight_hh</c> [G·H, H], <c>bias_ih</c> [G·H], <c>bias_hh</c> [G·H]
/// with the gate blocks stacked in PyTorch's order (LSTM i, f, g, o; GRU r, z, n; RNN one block).
/// </summary>
public readonly ref struct RecurrentWeights
{
    public readonly ReadOnlySpan<float> InputHidden;
    public readonly ReadOnlySpan<float> HiddenHidden;
    public readonly ReadOnlySpan<float> BiasInputHidden;
    public readonly ReadOnlySpan<float> BiasHiddenHidden;

    public RecurrentWeights(ReadOnlySpan<float> inputHidden, ReadOnlySpan<float> hiddenHidden,
        ReadOnlySpan<float> biasInputHidden, ReadOnlySpan<float> biasHiddenHidden)
    {
        InputHidden = inputHidden;
        HiddenHidden = hiddenHidden;
        BiasInputHidden = biasInputHidden;
        BiasHiddenHidden = biasHiddenHidden;
    }
}

/// <summary>Gradient views matching <see cref="RecurrentWeights"/>; backward passes add into them.</summary>
public readonly ref struct RecurrentGradients
{
    public readonly Span<float> InputHidden;
    public readonly Span<float> HiddenHidden;
    public readonly Span<float> BiasInputHidden;
    public readonly Span<float> BiasHiddenHidden;

    public RecurrentGradients(Span<float> inputHidden, Span<float> hiddenHidden,
        Span<float> biasInputHidden, Span<float> biasHiddenHidden)
    {
        InputHidden = inputHidden;
        HiddenHidden = hiddenHidden;
        BiasInputHidden = biasInputHidden;
        BiasHiddenHidden = biasHiddenHidden;
    }
}
