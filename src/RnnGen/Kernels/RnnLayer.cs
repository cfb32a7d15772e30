using System;
using System.Numerics.Tensors;

namespace RnnGen.Kernels;

/// <summary>
/// One direction of one vanilla (Elman) RNN layer over a padded batch, PyTorch semantics:
/// <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c> with act = tanh or relu, and
/// <c>pack_padded_sequence</c> masking (see docs/kernels-cells.md).
/// </summary>
/// <remarks>
/// Cache layout (rows are b·T + t, i.e. time order like x):
/// <list type="bullet">
/// <item>A [B·T, H]: pre-activation, then (valid rows) the activated output h'.</item>
/// <item>HPrev [B·T, H]: the state entering time t (h0 at each sequence's first processed step).</item>
/// <item>HLast [B, H]: the state after the last processing step (= hN).</item>
/// <item>Bias [H]: b_ih + b_hh.</item>
/// </list>
/// Scratch layout: dG [B·T, H] with row pitch <c>RecurrentKernel.GradientPitch(H)</c> (pre-activation gradients, 0 on
/// padded rows), dh [B, H], biasSum [H].
/// </remarks>
public static class RnnLayer
{
    public const int Gates = 1;

    public static int CacheLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked(2 * batch * steps * hiddenSize + batch * hiddenSize + hiddenSize);
    }

    public static int ScratchLength(int batch, int steps, int hiddenSize)
    {
        RecurrentKernel.CheckSizes(batch, steps, hiddenSize);
        return checked((batch * steps * RecurrentKernel.GradientPitch(hiddenSize)) + batch * hiddenSize + hiddenSize);
    }

    /// <summary>Forward pass; see the class remarks for the cache contents that Backward relies on.
    /// h0: [B, H] or empty for zeros; hN: [B, H] or empty when not wanted.</summary>
    public static void Forward(LayerDims dims, bool relu, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        Span<float> y, int ldy,
        Span<float> hN,
        Span<float> cache)
    {
        RecurrentKernel.CheckForward(dims, Gates, lengths, x, weights, h0, y.Length, ldy, hN.Length,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize));

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps;
        Span<float> bias = cache.Slice(2 * bt * h + batch * h, h);
        // Both biases fold into the hoisted input projection: one GEMM over all B·T rows.
        TensorPrimitives.Add(weights.BiasInputHidden.Slice(0, h), weights.BiasHiddenHidden.Slice(0, h), bias);
        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* px = x, pwih = weights.InputHidden, pwhh = weights.HiddenHidden)
            fixed (float* ph0 = h0, py = y, pcache = cache)
            {
                var a = new ForwardArgs
                {
                    Batch = batch, Steps = steps, InputSize = dims.InputSize, Hidden = h, Reverse = reverse, Relu = relu,
                    Lengths = pLengths, X = px, Wih = pwih, Y = py, Ldy = ldy,
                    H0 = h0.IsEmpty ? null : ph0,
                    Act = pcache, HPrev = pcache + (bt * h), HLast = pcache + (2 * bt * h), Bias = pcache + (2 * bt * h) + (batch * h),
                };
                if (batch == 1)
                {
                    // One sequence: blocked matrix-vector steps, hidden units split across both cores.
                    RecurrentKernel.LoadState(h0, new Span<float>(a.HPrev, steps * h), RecurrentKernel.TimeAt(0, steps, reverse), dims);
                    var single = new SingleSequenceLayer.Args
                    {
                        Cell = relu ? RecurrentCell.RnnRelu : RecurrentCell.RnnTanh, Gates = Gates, Steps = steps, InputSize = dims.InputSize,
                        Hidden = h, Ldy = ldy, Length = lengths[0], Reverse = reverse, HasH0 = !h0.IsEmpty,
                        X = px, Wih = pwih, Whh = pwhh, Bias = a.Bias, Y = py, Pre = a.Act, HPrev = a.HPrev, HLast = a.HLast,
                    };
                    SingleSequenceLayer.Run(ref single);
                }
                else
                {
                    // W_hhᵀ (the step GEMM's B) and W_ihᵀ (the projection's B) packed once per call into the micro-kernel's
                    // panels where that pays — half by each core when the sequences are split between them.
                    a.Split = ParallelPlan.BatchSplit(batch, (long)bt * h * (dims.InputSize + h));
                    int fewestPartBatch = a.Split > 0 ? Math.Min(a.Split, batch - a.Split) : batch;
                    a.Panels = RecurrentKernel.StepPanels.Create(pwhh, pwih, h, h, dims.InputSize, steps, fewestPartBatch);
                    a.Whh = a.Panels.WhhPanels; // null: the steps multiply the stored W_hh
                    if (a.Split > 0)
                    {
                        RecurrentKernel.RunPackedHalves(ref a.Panels, &ForwardPart, &a);
                    }
                    else
                    {
                        a.Panels.Pack(0, 1);
                        ForwardRange(ref a, 0, batch);
                    }
                }
            }
        }

        if (!hN.IsEmpty) cache.Slice(2 * bt * h, batch * h).CopyTo(hN);
    }

    private unsafe struct ForwardArgs
    {
        public int Batch, Steps, InputSize, Hidden, Ldy, Split;
        public bool Reverse, Relu;
        public int* Lengths;
        public float* X, Wih, Whh, H0, Y, Act, HPrev, HLast, Bias;
        public RecurrentKernel.StepPanels Panels;
    }

    private static unsafe void ForwardPart(void* state, int part)
    {
        ref ForwardArgs a = ref *(ForwardArgs*)state;
        if (part == 0) ForwardRange(ref a, 0, a.Split);
        else ForwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The whole forward pass for sequences [b0, b1) (independent of the other sequences).</summary>
    private static unsafe void ForwardRange(ref ForwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, inSize = a.InputSize;
        int bt = batch * steps, fullBt = a.Batch * steps;
        var dims = new LayerDims(batch, steps, inSize, h);
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var x = new ReadOnlySpan<float>(a.X + ((nint)b0 * steps * inSize), bt * inSize);
        var act = new Span<float>(a.Act + ((nint)b0 * steps * h), bt * h);
        var hPrev = new Span<float>(a.HPrev + ((nint)b0 * steps * h), bt * h);
        var hLast = new Span<float>(a.HLast + ((nint)b0 * h), batch * h);
        var y = new Span<float>(a.Y + ((nint)b0 * steps * a.Ldy), ((fullBt - (b0 * steps) - 1) * a.Ldy) + h);
        var h0 = a.H0 == null ? default : new ReadOnlySpan<float>(a.H0 + ((nint)b0 * h), batch * h);
        var wih = new ReadOnlySpan<float>(a.Wih, h * inSize);
        var bias = new ReadOnlySpan<float>(a.Bias, h);
        int ldy = a.Ldy;
        bool reverse = a.Reverse, relu = a.Relu;

        RecurrentKernel.ProjectInput(dims, h, x, wih, bias, act, a.Panels.WihPanels);
        RecurrentKernel.LoadState(h0, hPrev, RecurrentKernel.TimeAt(0, steps, reverse), dims);

        for (int s = 0; s < steps; s++)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            // Recurrent product for the B rows of time t (stride T·H), added onto the projection.
            // Skipped when the state is known to be zero (first step with empty h0).
            if (s > 0 || !h0.IsEmpty)
            {
                if (a.Whh != null) Gemm.MultiplyPrepacked(batch, h, h, hPrev.Slice(t * h), steps * h, a.Whh, act.Slice(t * h), steps * h, accumulate: true);
                else Gemm.Multiply(false, true, batch, h, h, hPrev.Slice(t * h), steps * h, new ReadOnlySpan<float>(a.Panels.Whh, h * h), h, act.Slice(t * h), steps * h, accumulate: true);
            }

            // Destination of the new state: the next step's HPrev rows, or HLast after the final step.
            bool last = s == steps - 1;
            Span<float> dst = last ? hLast : hPrev.Slice(RecurrentKernel.TimeAt(s + 1, steps, reverse) * h);
            int dstStride = last ? h : steps * h;

            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> hOut = dst.Slice(b * dstStride, h);
                Span<float> yRow = y.Slice(row * ldy, h);
                if (t >= lengths[b])
                {
                    // Padded position: state carried unchanged, output 0.
                    hPrev.Slice(row * h, h).CopyTo(hOut);
                    yRow.Clear();
                    continue;
                }
                // One fused pass: activation in place, copied to the state and the output.
                FastCells.Rnn(act.Slice(row * h, h), relu, hOut, yRow, h);
            }
        }
    }

    /// <summary>
    /// BPTT through the cache written by <see cref="Forward"/> with the same dims, relu, reverse and lengths.
    /// Gradients and dx are added into; dh0 is overwritten. h0 is not read (the cache holds it).
    /// </summary>
    public static void Backward(LayerDims dims, bool relu, bool reverse, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> x, RecurrentWeights weights,
        ReadOnlySpan<float> h0,
        ReadOnlySpan<float> cache,
        ReadOnlySpan<float> dy, int lddy,
        ReadOnlySpan<float> dhN,
        RecurrentGradients gradients,
        Span<float> dx,
        Span<float> dh0,
        Span<float> scratch)
    {
        RecurrentKernel.CheckBackward(dims, Gates, lengths, x, weights, h0,
            cache.Length, CacheLength(dims.Batch, dims.Steps, dims.HiddenSize),
            dy.Length, lddy, dhN.Length, gradients, dx.Length, dh0.Length,
            scratch.Length, ScratchLength(dims.Batch, dims.Steps, dims.HiddenSize));

        int batch = dims.Batch, steps = dims.Steps, h = dims.HiddenSize, bt = batch * steps;
        ReadOnlySpan<float> act = cache.Slice(0, bt * h);
        ReadOnlySpan<float> hPrev = cache.Slice(bt * h, bt * h);
        int ldg = RecurrentKernel.GradientPitch(h);
        Span<float> dG = scratch.Slice(0, bt * ldg);
        Span<float> dh = scratch.Slice(bt * ldg, batch * h);
        Span<float> biasSum = scratch.Slice(bt * ldg + batch * h, h);

        RecurrentKernel.LoadGradient(dhN, dh);

        unsafe
        {
            fixed (int* pLengths = lengths)
            fixed (float* pcache = cache, pdy = dy, pwhh = weights.HiddenHidden, pscratch = scratch)
            {
                var a = new BackwardArgs
                {
                    Batch = batch, Steps = steps, Hidden = h, Reverse = reverse, Relu = relu, WantInitial = !dh0.IsEmpty,
                    Lengths = pLengths, Act = pcache, Dy = dy.IsEmpty ? null : pdy, Lddy = lddy, Whh = pwhh,
                    DG = pscratch, Ldg = ldg, Dh = pscratch + (bt * ldg),
                };
                a.Split = ParallelPlan.BatchSplit(batch, (long)bt * h * h);
                if (a.Split > 0)
                {
                    ParallelWorker.Run(&BackwardPart, &a);
                }
                else
                {
                    BackwardRange(ref a, 0, batch);
                }
            }
        }

        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        RecurrentKernel.AccumulateParameterGradients(dims, h, ldg, x, hPrev, dG, dG, weights.InputHidden,
            gradients, dx, biasSum);
    }

    private unsafe struct BackwardArgs
    {
        public int Batch, Steps, Hidden, Lddy, Split, Ldg;
        public bool Reverse, Relu, WantInitial;
        public int* Lengths;
        public float* Act, Dy, Whh, DG, Dh;
    }

    private static unsafe void BackwardPart(void* state, int part)
    {
        ref BackwardArgs a = ref *(BackwardArgs*)state;
        if (part == 0) BackwardRange(ref a, 0, a.Split);
        else BackwardRange(ref a, a.Split, a.Batch);
    }

    /// <summary>The BPTT time loop for sequences [b0, b1): per step dA and dh = dA·W_hh.</summary>
    private static unsafe void BackwardRange(ref BackwardArgs a, int b0, int b1)
    {
        int batch = b1 - b0, steps = a.Steps, h = a.Hidden, bt = batch * steps, fullBt = a.Batch * steps;
        var lengths = new ReadOnlySpan<int>(a.Lengths + b0, batch);
        var act = new ReadOnlySpan<float>(a.Act + ((nint)b0 * steps * h), bt * h);
        var dy = a.Dy == null ? default : new ReadOnlySpan<float>(a.Dy + ((nint)b0 * steps * a.Lddy), ((fullBt - (b0 * steps) - 1) * a.Lddy) + h);
        var whh = new ReadOnlySpan<float>(a.Whh, h * h);
        int ldg = a.Ldg;
        var dG = new Span<float>(a.DG + ((nint)b0 * steps * ldg), bt * ldg);
        var dh = new Span<float>(a.Dh + ((nint)b0 * h), batch * h);
        int lddy = a.Lddy;
        bool reverse = a.Reverse, relu = a.Relu;

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = RecurrentKernel.TimeAt(s, steps, reverse);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                Span<float> g = dG.Slice(row * ldg, h);
                if (t >= lengths[b])
                {
                    // Padded: no gate gradient, dh flows through unchanged, dy ignored.
                    g.Clear();
                    continue;
                }
                Span<float> dhRow = dh.Slice(b * h, h);
                // Adds dy in registers and leaves dh 0: the recurrent GEMM below accumulates dG·W_hh onto
                // it (valid rows start from 0, padded rows keep their carried dh; their dG row is 0).
                ReadOnlySpan<float> dyRow = dy.IsEmpty ? default : dy.Slice(row * lddy, h);
                if (relu) RecurrentGateGradients.Relu(act.Slice(row * h, h), dhRow, dyRow, g);
                else RecurrentGateGradients.Tanh(act.Slice(row * h, h), dhRow, dyRow, g);
            }
            if (s > 0 || a.WantInitial)
            {
                Gemm.Multiply(false, false, batch, h, h, dG.Slice(t * ldg), steps * ldg,
                    whh, h, dh, h, accumulate: true);
            }
        }
    }
}
