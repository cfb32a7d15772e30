using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private static void EmitForward(SourceWriter w, ModelSpec spec)
    {
        bool head = spec.Head != HeadKind.None;
        w.Doc("<summary>\nRuns the model on a batch-first batch: <paramref name=\"input\"/> is [batch, steps, InputSize] and\n" +
              "<paramref name=\"lengths\"/> [batch] gives each sequence's valid steps (1..steps; empty: all have <paramref name=\"steps\"/>).\n" +
              "Steps past a length are ignored, as with PyTorch's packed sequences: their outputs are zero, the final\n" +
              "states are taken at each sequence's last valid step, and the reverse direction starts there.\n" +
              "Starts from zero states" + (head ? " and computes the head." : ".") + "\n</summary>");
        w.Doc("<exception cref=\"global::System.ArgumentException\">A size, length or shape is out of range, or an input is NaN or infinite.</exception>");
        using (w.Block("public void Forward(global::System.ReadOnlySpan<float> input, int batch, int steps, global::System.ReadOnlySpan<int> lengths = default)"))
        {
            w.Line("Forward(input, batch, steps, lengths, default" + (spec.HasCellState ? ", default" : "") + ");");
        }
        w.Line();
        string cellDoc = spec.HasCellState ? " and <paramref name=\"initialCell\"/>" : "";
        w.Doc("<summary>\nLike <see cref=\"Forward(global::System.ReadOnlySpan{float}, int, int, global::System.ReadOnlySpan{int})\"/>, starting from\n" +
              "<paramref name=\"initialHidden\"/>" + cellDoc + " [Layers · Directions, batch, HiddenSize] (PyTorch's h_0" + (spec.HasCellState ? ", c_0" : "") + "; empty: zeros).\n" +
              "Backward then also fills <see cref=\"InitialHiddenGradient\"/>" + (spec.HasCellState ? " and <see cref=\"InitialCellGradient\"/>" : "") + ".\n</summary>");
        using (w.Block("public void Forward(global::System.ReadOnlySpan<float> input, int batch, int steps, global::System.ReadOnlySpan<int> lengths, global::System.ReadOnlySpan<float> initialHidden" +
                       (spec.HasCellState ? ", global::System.ReadOnlySpan<float> initialCell = default" : "") + ")"))
        {
            w.Line("global::RnnGen.Runtime.Guard.BatchAndSteps(batch, steps, MaxBatch, MaxSteps);");
            w.Line("global::RnnGen.Runtime.Guard.Length(input.Length, (long)batch * steps * InputSize, nameof(input), \"[batch, steps, InputSize]\");");
            w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(initialHidden.Length, (long)Layers * Directions * batch * HiddenSize, nameof(initialHidden), \"[Layers · Directions, batch, HiddenSize]\");");
            if (spec.HasCellState)
            {
                w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(initialCell.Length, (long)Layers * Directions * batch * HiddenSize, nameof(initialCell), \"[Layers · Directions, batch, HiddenSize]\");");
            }
            w.Line(K + "SequenceOps.CopyLengths(lengths, batch, steps, _lengths);");
            w.Line(K + "SequenceOps.CopyInput(input, _input, batch, steps, InputSize, _lengths);");
            w.Line("int stateLength = Layers * Directions * batch * HiddenSize;");
            w.Line("_hasInitialState = !initialHidden.IsEmpty" + (spec.HasCellState ? " || !initialCell.IsEmpty" : "") + ";");
            using (w.Block("if (_hasInitialState)"))
            {
                w.Line(K + "SequenceOps.CopyState(initialHidden, _initialHidden.AsSpan(0, stateLength), nameof(initialHidden));");
                if (spec.HasCellState)
                {
                    w.Line(K + "SequenceOps.CopyState(initialCell, _initialCell.AsSpan(0, stateLength), nameof(initialCell));");
                }
            }
            w.Line("_batch = batch;");
            w.Line("_steps = steps;");
            w.Line("ForwardLayers();");
            if (head)
            {
                w.Line("ForwardHead();");
                w.Line("_lossReady = false;");
            }
            w.Line("_forwardReady = true;");
        }
        w.Line();
        using (w.Block("private void ForwardLayers()"))
        {
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::System.ReadOnlySpan<float> p = _model.Parameters;");
            w.Line("global::System.ReadOnlySpan<int> lengths = _lengths.AsSpan(0, B);");
            w.Line("global::System.ReadOnlySpan<float> initialHidden = _hasInitialState ? _initialHidden.AsSpan(0, Layers * Directions * B * HiddenSize) : default;");
            if (spec.HasCellState)
            {
                w.Line("global::System.ReadOnlySpan<float> initialCell = _hasInitialState ? _initialCell.AsSpan(0, Layers * Directions * B * HiddenSize) : default;");
            }
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                for (int direction = 0; direction < spec.Directions; direction++)
                {
                    EmitLayerForward(w, spec, layer, direction, streaming: false);
                }
            }
        }
    }

    /// <summary>One kernel call: layer <paramref name="layer"/>, one direction, over the whole batch
    /// (or, when <paramref name="streaming"/>, one step from the kept state).</summary>
    private static void EmitLayerForward(SourceWriter w, ModelSpec spec, int layer, int direction, bool streaming)
    {
        string l = Num(layer);
        int inputWidth = spec.LayerInputSize(layer);
        string x = layer == 0 ? "_input" : "_outputL" + Num(layer - 1);
        string xWidth = layer == 0 ? "InputSize" : "LayerOutputSize";
        string id = Suffix(layer, direction);
        int slot = layer * spec.Directions + direction;
        string columns = direction == 0 ? "0.." + Num(spec.HiddenSize) : Num(spec.HiddenSize) + ".." + Num(spec.LayerOutputSize);
        string steps = streaming ? "1" : "T";
        w.Line();
        if (streaming)
        {
            w.Line("// Layer " + l + ": x [B, 1, " + Num(inputWidth) + "] -> y [B, 1, " + Num(spec.HiddenSize) + "], from the kept state of slot " + l + ".");
        }
        else
        {
            w.Line("// Layer " + l + (direction == 1 ? ", reverse" : spec.Bidirectional ? ", forward" : "") + ": x [B, T, " + Num(inputWidth) + "] -> y[:, :, " + columns +
                   "] of [B, T, " + Num(spec.LayerOutputSize) + "]; final state slot " + Num(slot) + ".");
            w.Line("// Gates [B·T, " + Num(spec.Gates * spec.HiddenSize) + "] = x·W_ihᵀ + b_ih in one GEMM, then per step h·W_hhᵀ + b_hh and the fused cell update.");
        }
        w.Line(KernelClass(spec) + ".Forward(");
        w.Line("    new " + K + "LayerDims(B, " + steps + ", " + xWidth + ", HiddenSize),");
        if (spec.Cell == CellKind.Rnn)
        {
            w.Line("    relu: " + (spec.Nonlinearity == NonlinearityKind.Relu ? "true" : "false") + ",");
        }
        w.Line("    reverse: " + (direction == 1 ? "true" : "false") + ",");
        w.Line("    " + (streaming ? "_ones.AsSpan(0, B)" : "lengths") + ",");
        w.Line("    " + x + ".AsSpan(0, B * " + steps + " * " + xWidth + "),");
        w.Line("    " + WeightsExpression(id) + ",");
        if (streaming)
        {
            w.Line("    _stateHidden.AsSpan(" + l + " * MaxBatch * HiddenSize, B * HiddenSize),");
            if (spec.HasCellState)
            {
                w.Line("    _stateCell.AsSpan(" + l + " * MaxBatch * HiddenSize, B * HiddenSize),");
            }
            w.Line("    _outputL" + l + ".AsSpan(0, B * LayerOutputSize), LayerOutputSize,");
            w.Line("    _nextHidden.AsSpan(" + l + " * MaxBatch * HiddenSize, B * HiddenSize),");
            if (spec.HasCellState)
            {
                w.Line("    _nextCell.AsSpan(" + l + " * MaxBatch * HiddenSize, B * HiddenSize),");
            }
        }
        else
        {
            w.Line("    Slot(initialHidden, " + Num(slot) + ", B), // h0 (empty: zeros)");
            if (spec.HasCellState)
            {
                w.Line("    Slot(initialCell, " + Num(slot) + ", B), // c0 (empty: zeros)");
            }
            w.Line("    _outputL" + l + ".AsSpan(" + (direction == 0 ? "0" : "HiddenSize") + "), LayerOutputSize,");
            w.Line("    _finalHidden.AsSpan(" + Num(slot) + " * B * HiddenSize, B * HiddenSize),");
            if (spec.HasCellState)
            {
                w.Line("    _finalCell.AsSpan(" + Num(slot) + " * B * HiddenSize, B * HiddenSize),");
            }
        }
        w.Line("    _cache" + id + ");");
    }

    private static string WeightsExpression(string id) =>
        "new " + K + "RecurrentWeights(p.Slice(WeightIh" + id + "Offset, WeightIh" + id + "Length), p.Slice(WeightHh" + id + "Offset, WeightHh" + id +
        "Length), p.Slice(BiasIh" + id + "Offset, BiasIh" + id + "Length), p.Slice(BiasHh" + id + "Offset, BiasHh" + id + "Length))";

    private static string GradientsExpression(string id) =>
        "new " + K + "RecurrentGradients(g.Slice(WeightIh" + id + "Offset, WeightIh" + id + "Length), g.Slice(WeightHh" + id + "Offset, WeightHh" + id +
        "Length), g.Slice(BiasIh" + id + "Offset, BiasIh" + id + "Length), g.Slice(BiasHh" + id + "Offset, BiasHh" + id + "Length))";
}
