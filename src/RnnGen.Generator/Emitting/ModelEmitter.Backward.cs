using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private static void EmitBackward(SourceWriter w, ModelSpec spec)
    {
        string cellParameter = spec.HasCellState ? ", global::System.ReadOnlySpan<float> finalCellGradient = default" : "";
        w.Doc("<summary>\nBackpropagation through time from gradients of the last Forward's results: <paramref name=\"outputGradient\"/>\n" +
              "[Batch, Steps, LayerOutputSize] (padded positions ignored), <paramref name=\"finalHiddenGradient\"/>" +
              (spec.HasCellState ? " and\n<paramref name=\"finalCellGradient\"/>" : "") + " [Layers · Directions, Batch, HiddenSize]; any may be empty (zero).\n" +
              "Adds the gradient of every parameter into the model's Gradients and, when <paramref name=\"computeInputGradient\"/>\n" +
              "is set, writes <see cref=\"InputGradient\"/>.\n</summary>");
        using (w.Block("public void Backward(global::System.ReadOnlySpan<float> outputGradient, global::System.ReadOnlySpan<float> finalHiddenGradient = default" +
                       cellParameter + ", bool computeInputGradient = false)"))
        {
            w.Line("global::RnnGen.Runtime.Guard.State(_forwardReady, \"Backward needs the results of Forward: call Forward first (Step does not record what backward needs).\");");
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(outputGradient.Length, (long)B * T * LayerOutputSize, nameof(outputGradient), \"[batch, steps, LayerOutputSize]\");");
            w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(finalHiddenGradient.Length, (long)Layers * Directions * B * HiddenSize, nameof(finalHiddenGradient), \"[Layers · Directions, batch, HiddenSize]\");");
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
            w.Line("BackwardLayers(finalHiddenGradient" + (spec.HasCellState ? ", finalCellGradient" : ", default") + ", computeInputGradient);");
        }
        w.Line();

        using (w.Block("private void BackwardLayers(global::System.ReadOnlySpan<float> finalHiddenGradient, global::System.ReadOnlySpan<float> finalCellGradient, bool computeInputGradient)"))
        {
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::System.ReadOnlySpan<float> p = _model.Parameters;");
            w.Line("global::System.Span<float> g = _model.Gradients;");
            w.Line("global::System.ReadOnlySpan<int> lengths = _lengths.AsSpan(0, B);");
            w.Line("int stateLength = Layers * Directions * B * HiddenSize;");
            w.Line("global::System.ReadOnlySpan<float> initialHidden = _hasInitialState ? _initialHidden.AsSpan(0, stateLength) : default;");
            w.Line("global::System.Span<float> initialHiddenGradient = _hasInitialState ? _initialHiddenGradient.AsSpan(0, stateLength) : default;");
            if (spec.HasCellState)
            {
                w.Line("global::System.ReadOnlySpan<float> initialCell = _hasInitialState ? _initialCell.AsSpan(0, stateLength) : default;");
                w.Line("global::System.Span<float> initialCellGradient = _hasInitialState ? _initialCellGradient.AsSpan(0, stateLength) : default;");
            }
            if (!spec.HasCellState)
            {
                w.Line("_ = finalCellGradient; // no cell state in a " + CellName(spec) + " cell");
            }
            for (int layer = spec.Layers - 1; layer >= 0; layer--)
            {
                string l = Num(layer);
                w.Line();
                if (layer > 0)
                {
                    w.Line("// Layer " + l + ": dy = _dOutputL" + l + "; both directions add their dx into _dOutputL" + Num(layer - 1) + ".");
                    w.Line("_dOutputL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize).Clear();");
                }
                else
                {
                    w.Line("// Layer 0: dy = _dOutputL0; dx (when asked) into _inputGradient.");
                    w.Line("global::System.Span<float> inputGradient = computeInputGradient ? _inputGradient.AsSpan(0, B * T * InputSize) : default;");
                    w.Line("inputGradient.Clear();");
                }
                for (int direction = 0; direction < spec.Directions; direction++)
                {
                    EmitLayerBackward(w, spec, layer, direction);
                }
            }
        }
    }

    private static void EmitLayerBackward(SourceWriter w, ModelSpec spec, int layer, int direction)
    {
        string l = Num(layer);
        string id = Suffix(layer, direction);
        int slot = layer * spec.Directions + direction;
        string x = layer == 0 ? "_input" : "_outputL" + Num(layer - 1);
        string xWidth = layer == 0 ? "InputSize" : "LayerOutputSize";
        w.Line(KernelClass(spec) + ".Backward(");
        w.Line("    new " + K + "LayerDims(B, T, " + xWidth + ", HiddenSize),");
        if (spec.Cell == CellKind.Rnn)
        {
            w.Line("    relu: " + (spec.Nonlinearity == NonlinearityKind.Relu ? "true" : "false") + ",");
        }
        w.Line("    reverse: " + (direction == 1 ? "true" : "false") + ",");
        w.Line("    lengths,");
        w.Line("    " + x + ".AsSpan(0, B * T * " + xWidth + "),");
        w.Line("    " + WeightsExpression(id) + ",");
        w.Line("    Slot(initialHidden, " + Num(slot) + ", B),");
        if (spec.HasCellState)
        {
            w.Line("    Slot(initialCell, " + Num(slot) + ", B),");
        }
        w.Line("    _cache" + id + ",");
        w.Line("    _dOutputL" + l + ".AsSpan(" + (direction == 0 ? "0" : "HiddenSize") + "), LayerOutputSize,");
        w.Line("    Slot(finalHiddenGradient, " + Num(slot) + ", B),");
        if (spec.HasCellState)
        {
            w.Line("    Slot(finalCellGradient, " + Num(slot) + ", B),");
        }
        w.Line("    " + GradientsExpression(id) + ",");
        w.Line("    " + (layer == 0 ? "inputGradient" : "_dOutputL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize)") + ",");
        w.Line("    MutableSlot(initialHiddenGradient, " + Num(slot) + ", B), // dh0 (only with an initial state)");
        if (spec.HasCellState)
        {
            w.Line("    MutableSlot(initialCellGradient, " + Num(slot) + ", B),");
        }
        w.Line("    _scratch);");
    }
}
