using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private static void EmitBackward(SourceWriter w, ModelSpec spec)
    {
        string cellParameter = spec.HasCellState ? ", " + Rs + " finalCellGradient = default" : "";
        w.Doc("<summary>\nBackpropagation through time from gradients of the last Forward's results: <paramref name=\"outputGradient\"/>\n" +
              "[Batch, Steps, LayerOutputSize] (padded positions ignored), <paramref name=\"finalHiddenGradient\"/> [Layers · Directions, Batch, StateSize]" +
              (spec.HasCellState ? " and\n<paramref name=\"finalCellGradient\"/> [Layers · Directions, Batch, HiddenSize]" : "") + "; any may be empty (zero).\n" +
              "Adds the gradient of every parameter into the model's Gradients and, when <paramref name=\"computeInputGradient\"/>\n" +
              "is set, writes <see cref=\"InputGradient\"/>.\n</summary>");
        using (w.Block("public void Backward(" + Rs + " outputGradient, " + Rs + " finalHiddenGradient = default" + cellParameter + ", bool computeInputGradient = false)"))
        {
            w.Line("global::RnnGen.Runtime.Guard.State(_forwardReady, \"Backward needs the results of Forward: call Forward first (Step does not record what backward needs).\");");
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(outputGradient.Length, (long)B * T * LayerOutputSize, nameof(outputGradient), \"[batch, steps, LayerOutputSize]\");");
            w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(finalHiddenGradient.Length, (long)Layers * Directions * B * StateSize, nameof(finalHiddenGradient), \"[Layers · Directions, batch, StateSize]\");");
            if (spec.HasCellState)
            {
                w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(finalCellGradient.Length, (long)Layers * Directions * B * HiddenSize, nameof(finalCellGradient), \"[Layers · Directions, batch, HiddenSize]\");");
            }
            w.Line("global::System.Span<float> top = " + TopOutputGradient(spec) + ".AsSpan(0, B * T * LayerOutputSize);");
            using (w.Block("if (outputGradient.IsEmpty)"))
            {
                w.Line("top.Clear();");
            }
            using (w.Block("else"))
            {
                w.Line("outputGradient.CopyTo(top);");
            }
            w.Line("BackwardLayers(finalHiddenGradient" + (spec.HasCellState ? ", finalCellGradient" : ", default") + ", computeInputGradient, topGradientIsRaw: false);");
        }
        w.Line();

        using (w.Block("private void BackwardLayers(" + Rs + " finalHiddenGradient, " + Rs + " finalCellGradient, bool computeInputGradient, bool topGradientIsRaw)"))
        {
            EmitLayerLocals(w, spec, gradients: true);
            if (!spec.HasCellState)
            {
                w.Line("_ = finalCellGradient; // no cell state in a " + CellName(spec) + " cell");
            }
            if (!HasMerge(spec) || spec.Sequence != SequenceMode.ManyToOne || spec.Head == HeadKind.None)
            {
                w.Line("_ = topGradientIsRaw; // only a merged many-to-one head delivers its gradient before the merge");
            }
            if (spec.HasEmbedding)
            {
                w.Line("bool embeddingGradient = !_model.FreezeEmbedding;");
                w.Line("computeInputGradient |= embeddingGradient; // the embedding's gradient is built from the input gradient");
            }
            if (ConcurrentDirections(spec))
            {
                w.Line("// The direction jobs (BackwardDirection, possibly on the kernel worker) read these from the session.");
                w.Line("_backwardInputGradient = computeInputGradient;");
                w.Line("_backwardHasFinalHidden = !finalHiddenGradient.IsEmpty;");
                w.Line("if (_backwardHasFinalHidden) finalHiddenGradient.CopyTo(_backwardFinalHidden);");
                if (spec.HasCellState)
                {
                    w.Line("_backwardHasFinalCell = !finalCellGradient.IsEmpty;");
                    w.Line("if (_backwardHasFinalCell) finalCellGradient.CopyTo(_backwardFinalCell);");
                }
            }
            for (int layer = spec.Layers - 1; layer >= 0; layer--)
            {
                string l = Num(layer);
                w.Line();
                w.Line("// ---- layer " + l + " ----");
                string dy = "_dOutputL" + l;
                string lddy = "LayerOutputSize";
                if (HasMerge(spec))
                {
                    string mergeBackward = K + "BidirectionalMerge.Backward(" + MergeMode(spec) + ", B * T, StateSize, _rawL" + l + ".AsSpan(0, B * T * 2 * StateSize), _dOutputL" + l +
                                           ".AsSpan(0, B * T * StateSize), _dRawL" + l + ".AsSpan(0, B * T * 2 * StateSize));";
                    if (layer == spec.Layers - 1 && spec.Sequence == SequenceMode.ManyToOne && spec.Head != HeadKind.None)
                    {
                        w.Line("// the merged many-to-one head already wrote its gradient into _dRawL" + l + " (before the merge)");
                        using (w.Block("if (!topGradientIsRaw)"))
                        {
                            w.Line(mergeBackward);
                        }
                    }
                    else
                    {
                        w.Line("// d raw [B, T, 2·S] from d merged [B, T, S]");
                        w.Line(mergeBackward);
                    }
                    dy = "_dRawL" + l;
                    lddy = "2 * StateSize";
                }
                string dx;
                if (layer > 0)
                {
                    string below = "_dOutputL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize)";
                    if (HasDropoutAfter(spec, layer - 1))
                    {
                        w.Line("// both directions add their dx into the gradient of layer " + Num(layer - 1) + "'s (dropped) output");
                        w.Line("global::System.Span<float> dInputL" + l + " = _dropoutActive ? _dDroppedL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize) : " + below + ";");
                    }
                    else
                    {
                        w.Line("// both directions add their dx into the gradient of layer " + Num(layer - 1) + "'s output");
                        w.Line("global::System.Span<float> dInputL" + l + " = " + below + ";");
                    }
                    w.Line("dInputL" + l + ".Clear();");
                    dx = "dInputL" + l;
                }
                else
                {
                    w.Line("global::System.Span<float> inputGradient = computeInputGradient ? _inputGradient.AsSpan(0, B * T * FeatureSize) : default;");
                    w.Line("inputGradient.Clear();");
                    dx = "inputGradient";
                }
                if (ConcurrentDirections(spec))
                {
                    w.Line("// both directions at once (BackwardDirection below); the reverse one's dx is added after both, in the same order on one thread or two");
                    w.Line(K + "Bidirectional.Backward(this, " + l + ");");
                    w.Line("if (!" + dx + ".IsEmpty) global::System.Numerics.Tensors.TensorPrimitives.Add(" + dx + ", _dInputReverse.AsSpan(0, " + dx + ".Length), " + dx + ");");
                }
                else
                {
                    for (int direction = 0; direction < spec.Directions; direction++)
                    {
                        EmitLayerBackward(w, spec, layer, direction, dy, lddy, dx, "_scratch");
                    }
                }
                if (layer > 0 && HasDropoutAfter(spec, layer - 1))
                {
                    using (w.Block("if (_dropoutActive)"))
                    {
                        w.Line(K + "Dropout.Backward(_dDroppedL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize), _dropMaskL" + Num(layer - 1) +
                               ".AsSpan(0, B * T * LayerOutputSize), _dOutputL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize));");
                    }
                }
            }
            if (spec.HasEmbedding)
            {
                w.Line();
                using (w.Block("if (embeddingGradient)"))
                {
                    w.Line("// d embedding.weight[token] += d input at each valid position" + (spec.PaddingId >= 0 ? "; the padding id's row gets nothing" : ""));
                    w.Line(K + "Embedding.BackwardPadded(_tokens.AsSpan(0, B * T), lengths, B, T, inputGradient, Vocabulary, EmbeddingSize, g.Slice(EmbeddingWeightOffset, EmbeddingWeightLength), PaddingId);");
                }
            }
        }
        if (ConcurrentDirections(spec))
        {
            EmitBackwardDirection(w, spec);
        }
    }

    /// <summary>The reverse half of <see cref="EmitBackward"/> for concurrent directions: one direction of one layer's backward pass.</summary>
    private static void EmitBackwardDirection(SourceWriter w, ModelSpec spec)
    {
        w.Line();
        w.Doc("<summary>One direction of one layer's backward pass; called by <see cref=\"" + K + "Bidirectional\"/>, possibly on the kernel worker thread.\n" +
              "The directions add into disjoint parameter gradients; the forward one into the layer's input gradient, the reverse one into\n" +
              "_dInputReverse with its own scratch, which BackwardLayers adds after both.</summary>");
        using (w.Block("void " + K + "IBidirectionalBackward.BackwardDirection(int layer, int direction)"))
        {
            EmitLayerLocals(w, spec, gradients: true);
            w.Line(Rs + " finalHiddenGradient = _backwardHasFinalHidden ? _backwardFinalHidden.AsSpan(0, Layers * Directions * B * StateSize) : default;");
            if (spec.HasCellState)
            {
                w.Line(Rs + " finalCellGradient = _backwardHasFinalCell ? _backwardFinalCell.AsSpan(0, Layers * Directions * B * HiddenSize) : default;");
            }
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                string l = Num(layer);
                using (w.Block("if (layer == " + l + ")"))
                {
                    string dy = HasMerge(spec) ? "_dRawL" + l : "_dOutputL" + l;
                    string lddy = HasMerge(spec) ? "2 * StateSize" : "LayerOutputSize";
                    string width = layer == 0 ? "FeatureSize" : "LayerOutputSize";
                    string dxForward;
                    if (layer > 0)
                    {
                        string below = "_dOutputL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize)";
                        dxForward = HasDropoutAfter(spec, layer - 1) ? "(_dropoutActive ? _dDroppedL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize) : " + below + ")" : below;
                        w.Line("bool wantInput = true;");
                    }
                    else
                    {
                        dxForward = "(_backwardInputGradient ? _inputGradient.AsSpan(0, B * T * FeatureSize) : default)";
                        w.Line("bool wantInput = _backwardInputGradient;");
                    }
                    using (w.Block("if (direction == 0)"))
                    {
                        EmitLayerBackward(w, spec, layer, 0, dy, lddy, dxForward, "_scratch");
                    }
                    using (w.Block("else"))
                    {
                        w.Line("global::System.Span<float> dInputReverse = wantInput ? _dInputReverse.AsSpan(0, B * T * " + width + ") : default;");
                        w.Line("dInputReverse.Clear();");
                        EmitLayerBackward(w, spec, layer, 1, dy, lddy, "dInputReverse", "_scratchReverse");
                    }
                    w.Line("return;");
                }
            }
            w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"No such layer.\");");
        }
    }

    private static void EmitLayerBackward(SourceWriter w, ModelSpec spec, int layer, int direction, string dy, string lddy, string dx, string scratch)
    {
        string id = Suffix(layer, direction);
        int slot = layer * spec.Directions + direction;
        string x = layer == 0 ? "_input.AsSpan(0, B * T * FeatureSize)" : LayerInputExpression(spec, layer);
        string xWidth = layer == 0 ? "FeatureSize" : "LayerOutputSize";
        w.Line(KernelClass(spec) + ".Backward(");
        w.Line("    new " + K + "LayerDims(B, T, " + xWidth + ", HiddenSize),");
        if (spec.UsesVariantKernel)
        {
            w.Line("    s_cell,");
        }
        if (spec.Cell == CellKind.Rnn)
        {
            w.Line("    relu: " + (spec.Nonlinearity == NonlinearityKind.Relu ? "true" : "false") + ",");
        }
        w.Line("    reverse: " + (direction == 1 ? "true" : "false") + ",");
        w.Line("    lengths,");
        w.Line("    " + x + ",");
        w.Line("    " + WeightsExpression(spec, id) + ",");
        if (spec.UsesVariantKernel)
        {
            w.Line("    " + (spec.RecurrentDropout > 0 ? "_dropoutActive ? _recurrentMask" + id + ".AsSpan(0, B * StateSize) : default" : "default") + ", // the forward pass's recurrent mask");
        }
        w.Line("    Slot(initialHidden, " + Num(slot) + ", B, StateSize),");
        if (spec.HasCellState)
        {
            w.Line("    Slot(initialCell, " + Num(slot) + ", B, HiddenSize),");
        }
        w.Line("    _cache" + id + ",");
        w.Line("    " + dy + ".AsSpan(" + (direction == 0 ? "0" : "StateSize") + "), " + lddy + ",");
        w.Line("    Slot(finalHiddenGradient, " + Num(slot) + ", B, StateSize),");
        if (spec.HasCellState)
        {
            w.Line("    Slot(finalCellGradient, " + Num(slot) + ", B, HiddenSize),");
        }
        w.Line("    " + GradientsExpression(spec, id) + ",");
        w.Line("    " + dx + ",");
        w.Line("    MutableSlot(initialHiddenGradient, " + Num(slot) + ", B, StateSize), // dh0 (only with an initial state)");
        if (spec.HasCellState)
        {
            w.Line("    MutableSlot(initialCellGradient, " + Num(slot) + ", B, HiddenSize),");
        }
        w.Line("    " + scratch + ");");
    }
}
