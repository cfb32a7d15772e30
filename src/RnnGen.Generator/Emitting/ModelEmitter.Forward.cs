using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private const string Rs = "global::System.ReadOnlySpan<float>";
    private const string Ri = "global::System.ReadOnlySpan<int>";

    private static void EmitForward(SourceWriter w, ModelSpec spec)
    {
        bool head = spec.Head != HeadKind.None;
        bool tokens = spec.HasEmbedding;
        string inputParameter = tokens ? Ri + " tokens" : Rs + " input";
        string inputName = tokens ? "tokens" : "input";
        string cellParameter = spec.HasCellState ? ", " + Rs + " initialCell = default" : "";
        w.Doc("<summary>\nRuns the model on a batch-first batch: <paramref name=\"" + inputName + "\"/> is " +
              (tokens ? "[batch, steps] token ids in 0..Vocabulary−1" : "[batch, steps, InputSize]") + " and\n" +
              "<paramref name=\"lengths\"/> [batch] gives each sequence's valid steps (1..steps; empty: all have <paramref name=\"steps\"/>).\n" +
              "Steps past a length are ignored, as with PyTorch's packed sequences: their outputs are zero, the final\n" +
              "states are taken at each sequence's last valid step, and the reverse direction starts there.\n" +
              "Starts from zero states" + (head ? " and computes the head." : ".") + "\n</summary>");
        w.Doc("<exception cref=\"global::System.ArgumentException\">A size, length or shape is out of range, " +
              (tokens ? "or a token id is outside the vocabulary." : "or an input is NaN or infinite.") + "</exception>");
        using (w.Block("public void Forward(" + inputParameter + ", int batch, int steps, " + Ri + " lengths = default)"))
        {
            w.Line("Forward(" + inputName + ", batch, steps, lengths, default" + (spec.HasCellState ? ", default" : "") + ");");
        }
        w.Line();
        string cellDoc = spec.HasCellState ? " and <paramref name=\"initialCell\"/> [Layers · Directions, batch, HiddenSize]" : "";
        w.Doc("<summary>\nLike the Forward above, starting from <paramref name=\"initialHidden\"/> [Layers · Directions, batch, StateSize]" + cellDoc +
              "\n(PyTorch's h_0" + (spec.HasCellState ? ", c_0" : "") + "; empty: zeros). Backward then also fills <see cref=\"InitialHiddenGradient\"/>" +
              (spec.HasCellState ? " and\n<see cref=\"InitialCellGradient\"/>" : "") + ".\n</summary>");
        using (w.Block("public void Forward(" + inputParameter + ", int batch, int steps, " + Ri + " lengths, " + Rs + " initialHidden" + cellParameter + ")"))
        {
            w.Line("global::RnnGen.Runtime.Guard.BatchAndSteps(batch, steps, MaxBatch, MaxSteps);");
            w.Line(tokens
                ? "global::RnnGen.Runtime.Guard.Length(tokens.Length, (long)batch * steps, nameof(tokens), \"[batch, steps]\");"
                : "global::RnnGen.Runtime.Guard.Length(input.Length, (long)batch * steps * InputSize, nameof(input), \"[batch, steps, InputSize]\");");
            w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(initialHidden.Length, (long)Layers * Directions * batch * StateSize, nameof(initialHidden), \"[Layers · Directions, batch, StateSize]\");");
            if (spec.HasCellState)
            {
                w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(initialCell.Length, (long)Layers * Directions * batch * HiddenSize, nameof(initialCell), \"[Layers · Directions, batch, HiddenSize]\");");
            }
            w.Line(K + "SequenceOps.CopyLengths(lengths, batch, steps, _lengths);");
            if (tokens)
            {
                w.Line("// input [B, T, E] = embedding.weight[tokens]; ids are checked at valid positions, padding positions become zeros.");
                w.Line(K + "Embedding.ForwardPadded(tokens, _lengths.AsSpan(0, batch), batch, steps, _model.Parameters.AsSpan(EmbeddingWeightOffset, EmbeddingWeightLength), Vocabulary, EmbeddingSize, _input.AsSpan(0, batch * steps * EmbeddingSize));");
                w.Line("tokens.CopyTo(_tokens);");
            }
            else
            {
                w.Line(K + "SequenceOps.CopyInput(input, _input, batch, steps, InputSize, _lengths);");
            }
            w.Line("_hasInitialState = !initialHidden.IsEmpty" + (spec.HasCellState ? " || !initialCell.IsEmpty" : "") + ";");
            using (w.Block("if (_hasInitialState)"))
            {
                w.Line(K + "SequenceOps.CopyState(initialHidden, _initialHidden.AsSpan(0, Layers * Directions * batch * StateSize), nameof(initialHidden));");
                if (spec.HasCellState)
                {
                    w.Line(K + "SequenceOps.CopyState(initialCell, _initialCell.AsSpan(0, Layers * Directions * batch * HiddenSize), nameof(initialCell));");
                }
            }
            w.Line("_batch = batch;");
            w.Line("_steps = steps;");
            if (HasTrainingMode(spec))
            {
                w.Line("_dropoutActive = Training;");
            }
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
            EmitLayerLocals(w, spec, gradients: false);
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                if (layer > 0)
                {
                    w.Line();
                    w.Line(Rs + " inputL" + Num(layer) + " = " + LayerInputExpression(spec, layer) + ";");
                }
                if (ConcurrentDirections(spec))
                {
                    w.Line();
                    w.Line("// Layer " + Num(layer) + ", both directions at once: the forward one on this thread, the reverse one on the kernel worker");
                    w.Line("// when it is free (one core each; the same results as one after the other). See ForwardDirection below.");
                    w.Line(K + "Bidirectional.Forward(this, " + Num(layer) + ");");
                }
                else
                {
                    for (int direction = 0; direction < spec.Directions; direction++)
                    {
                        EmitLayerForward(w, spec, layer, direction, streaming: false);
                    }
                }
                if (HasMerge(spec))
                {
                    w.Line("// merge [B, T, 2·S] -> [B, T, S]: " + MergeFormula(spec));
                    w.Line(K + "BidirectionalMerge.Forward(" + MergeMode(spec) + ", B * T, StateSize, _rawL" + Num(layer) + ".AsSpan(0, B * T * 2 * StateSize), _outputL" + Num(layer) + ".AsSpan(0, B * T * StateSize));");
                }
                if (HasDropoutAfter(spec, layer))
                {
                    using (w.Block("if (_dropoutActive)"))
                    {
                        w.Line("// training: inverted dropout (keep with 1 − p, scale by 1/(1 − p)) before layer " + Num(layer + 1) + ", as PyTorch's dropout between layers");
                        w.Line(K + "Dropout.Forward(_outputL" + Num(layer) + ".AsSpan(0, B * T * LayerOutputSize), " + FloatLiteral(spec.Dropout) +
                               ", ref _random, _dropMaskL" + Num(layer) + ".AsSpan(0, B * T * LayerOutputSize), _droppedL" + Num(layer) + ".AsSpan(0, B * T * LayerOutputSize));");
                    }
                }
            }
        }
        if (ConcurrentDirections(spec))
        {
            w.Line();
            w.Doc("<summary>One direction of one layer's forward pass; called by <see cref=\"" + K + "Bidirectional\"/>, possibly on the kernel worker thread.\n" +
                  "The two directions of a layer read the same input and write disjoint outputs, caches and final-state slots.</summary>");
            using (w.Block("void " + K + "IBidirectionalForward.ForwardDirection(int layer, int direction)"))
            {
                EmitLayerLocals(w, spec, gradients: false);
                for (int layer = 0; layer < spec.Layers; layer++)
                {
                    using (w.Block("if (layer == " + Num(layer) + ")"))
                    {
                        if (layer > 0)
                        {
                            w.Line(Rs + " inputL" + Num(layer) + " = " + LayerInputExpression(spec, layer) + ";");
                        }
                        using (w.Block("if (direction == 0)"))
                        {
                            EmitLayerForward(w, spec, layer, 0, streaming: false, blankLineFirst: false);
                        }
                        using (w.Block("else"))
                        {
                            EmitLayerForward(w, spec, layer, 1, streaming: false, blankLineFirst: false);
                        }
                        w.Line("return;");
                    }
                }
                w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, \"No such layer.\");");
            }
        }
    }

    /// <summary>
    /// Whether the two directions of each layer run as one job (one per core): bidirectional models
    /// without recurrent dropout (its masks are drawn from the session's one random stream, which must
    /// stay in order).
    /// </summary>
    private static bool ConcurrentDirections(ModelSpec spec) => spec.Bidirectional && spec.RecurrentDropout == 0;

    /// <summary>
    /// The locals every layer loop (and direction job) starts from: batch and steps, parameters, lengths, the initial
    /// states (empty: zeros) and, for backward, the gradients and initial-state gradients.
    /// </summary>
    private static void EmitLayerLocals(SourceWriter w, ModelSpec spec, bool gradients)
    {
        w.Line("int B = _batch, T = _steps;");
        w.Line(Rs + " p = _model.Parameters;");
        if (gradients) w.Line("global::System.Span<float> g = _model.Gradients;");
        w.Line(Ri + " lengths = _lengths.AsSpan(0, B);");
        w.Line(Rs + " initialHidden = _hasInitialState ? _initialHidden.AsSpan(0, Layers * Directions * B * StateSize) : default;");
        if (gradients) w.Line("global::System.Span<float> initialHiddenGradient = _hasInitialState ? _initialHiddenGradient.AsSpan(0, Layers * Directions * B * StateSize) : default;");
        if (spec.HasCellState)
        {
            w.Line(Rs + " initialCell = _hasInitialState ? _initialCell.AsSpan(0, Layers * Directions * B * HiddenSize) : default;");
            if (gradients) w.Line("global::System.Span<float> initialCellGradient = _hasInitialState ? _initialCellGradient.AsSpan(0, Layers * Directions * B * HiddenSize) : default;");
        }
    }

    private static string LayerInputExpression(ModelSpec spec, int layer)
    {
        string previous = "_outputL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize)";
        return HasDropoutAfter(spec, layer - 1)
            ? "_dropoutActive ? _droppedL" + Num(layer - 1) + ".AsSpan(0, B * T * LayerOutputSize) : " + previous
            : previous;
    }

    private static string MergeMode(ModelSpec spec) => K + "BidirectionalMergeMode." + spec.Merge;

    private static string MergeFormula(ModelSpec spec) => spec.Merge switch
    {
        MergeKind.Sum => "forward + reverse",
        MergeKind.Mean => "(forward + reverse) / 2",
        _ => "forward ⊙ reverse",
    };

    /// <summary>One kernel call: layer <paramref name="layer"/>, one direction, over the whole batch
    /// (or, when <paramref name="streaming"/>, one step from the kept state).</summary>
    private static void EmitLayerForward(SourceWriter w, ModelSpec spec, int layer, int direction, bool streaming, bool blankLineFirst = true)
    {
        string l = Num(layer);
        int inputWidth = spec.LayerInputSize(layer);
        string xWidth = layer == 0 ? "FeatureSize" : "LayerOutputSize";
        string steps = streaming ? "1" : "T";
        string x = layer == 0 ? "_input.AsSpan(0, B * " + steps + " * FeatureSize)" : streaming ? "_outputL" + Num(layer - 1) + ".AsSpan(0, B * LayerOutputSize)" : "inputL" + l;
        string id = Suffix(layer, direction);
        int slot = layer * spec.Directions + direction;
        int s = spec.StateSize;
        bool merge = HasMerge(spec);
        int width = merge ? 2 * s : spec.LayerOutputSize;
        string columns = direction == 0 ? "0.." + Num(s) : Num(s) + ".." + Num(2 * s);
        if (blankLineFirst) w.Line();
        if (streaming)
        {
            w.Line("// Layer " + l + ": x [B, 1, " + Num(inputWidth) + "] -> y [B, 1, " + Num(s) + "], from the kept state of slot " + l + ".");
        }
        else
        {
            w.Line("// Layer " + l + (direction == 1 ? ", reverse" : spec.Bidirectional ? ", forward" : "") + ": x [B, T, " + Num(inputWidth) + "] -> " +
                   (merge ? "raw" : "y") + "[:, :, " + columns + "] of [B, T, " + Num(width) + "]; final state slot " + Num(slot) + ".");
            w.Line("// Gates [B·T, " + Num(spec.Gates * spec.HiddenSize) + "] = x·W_ihᵀ + b_ih in one GEMM, then per step h·W_hhᵀ + b_hh and the fused cell update.");
        }
        if (spec.RecurrentDropout > 0 && !streaming)
        {
            w.Line(Rs + " mask" + id + " = default;");
            using (w.Block("if (_dropoutActive)"))
            {
                w.Line("// one variational mask per sequence for the whole sequence (Keras recurrent_dropout)");
                w.Line(K + "Dropout.DrawMask(" + FloatLiteral(spec.RecurrentDropout) + ", ref _random, _recurrentMask" + id + ".AsSpan(0, B * StateSize));");
                w.Line("mask" + id + " = _recurrentMask" + id + ".AsSpan(0, B * StateSize);");
            }
        }
        w.Line(KernelClass(spec) + ".Forward(");
        w.Line("    new " + K + "LayerDims(B, " + steps + ", " + xWidth + ", HiddenSize),");
        if (spec.UsesVariantKernel)
        {
            w.Line("    s_cell,");
        }
        if (spec.Cell == CellKind.Rnn)
        {
            w.Line("    relu: " + (spec.Nonlinearity == NonlinearityKind.Relu ? "true" : "false") + ",");
        }
        w.Line("    reverse: " + (direction == 1 ? "true" : "false") + ",");
        w.Line("    " + (streaming ? "_ones.AsSpan(0, B)" : "lengths") + ",");
        w.Line("    " + x + ",");
        w.Line("    " + WeightsExpression(spec, id) + ",");
        if (spec.UsesVariantKernel)
        {
            w.Line("    " + (spec.RecurrentDropout > 0 && !streaming ? "mask" + id : "default") + ", // recurrent dropout mask (empty: none)");
        }
        if (streaming)
        {
            w.Line("    _stateHidden.AsSpan(" + l + " * MaxBatch * StateSize, B * StateSize),");
            if (spec.HasCellState)
            {
                w.Line("    _stateCell.AsSpan(" + l + " * MaxBatch * HiddenSize, B * HiddenSize),");
            }
            w.Line("    _outputL" + l + ".AsSpan(0, B * LayerOutputSize), LayerOutputSize,");
            w.Line("    _nextHidden.AsSpan(" + l + " * MaxBatch * StateSize, B * StateSize),");
            if (spec.HasCellState)
            {
                w.Line("    _nextCell.AsSpan(" + l + " * MaxBatch * HiddenSize, B * HiddenSize),");
            }
        }
        else
        {
            w.Line("    Slot(initialHidden, " + Num(slot) + ", B, StateSize), // h0 (empty: zeros)");
            if (spec.HasCellState)
            {
                w.Line("    Slot(initialCell, " + Num(slot) + ", B, HiddenSize), // c0 (empty: zeros)");
            }
            string target = merge ? "_rawL" + l : "_outputL" + l;
            string ld = merge ? "2 * StateSize" : "LayerOutputSize";
            w.Line("    " + target + ".AsSpan(" + (direction == 0 ? "0" : "StateSize") + "), " + ld + ",");
            w.Line("    _finalHidden.AsSpan(" + Num(slot) + " * B * StateSize, B * StateSize),");
            if (spec.HasCellState)
            {
                w.Line("    _finalCell.AsSpan(" + Num(slot) + " * B * HiddenSize, B * HiddenSize),");
            }
        }
        w.Line("    _cache" + id + ");");
    }

    private static string WeightsExpression(ModelSpec spec, string id) => VariantWrap(spec, id, "p",
        "new " + K + "RecurrentWeights(p.Slice(WeightIh" + id + "Offset, WeightIh" + id + "Length), p.Slice(WeightHh" + id + "Offset, WeightHh" + id +
        "Length), p.Slice(BiasIh" + id + "Offset, BiasIh" + id + "Length), p.Slice(BiasHh" + id + "Offset, BiasHh" + id + "Length))", gradients: false);

    private static string GradientsExpression(ModelSpec spec, string id) => VariantWrap(spec, id, "g",
        "new " + K + "RecurrentGradients(g.Slice(WeightIh" + id + "Offset, WeightIh" + id + "Length), g.Slice(WeightHh" + id + "Offset, WeightHh" + id +
        "Length), g.Slice(BiasIh" + id + "Offset, BiasIh" + id + "Length), g.Slice(BiasHh" + id + "Offset, BiasHh" + id + "Length))", gradients: true);

    /// <summary>Wraps the core weights (or gradients) with the variant tensors this model has.</summary>
    private static string VariantWrap(ModelSpec spec, string id, string buffer, string core, bool gradients)
    {
        if (!spec.UsesVariantKernel)
        {
            return core;
        }
        string Slice(string name) => buffer + ".Slice(" + name + id + "Offset, " + name + id + "Length)";
        var extras = new System.Collections.Generic.List<string>();
        if (spec.Peepholes) extras.Add("peephole: " + Slice("WeightPeephole"));
        if (spec.ProjectionSize > 0) extras.Add("projection: " + Slice("WeightHr"));
        if (spec.LayerNorm)
        {
            extras.Add("layerNormGatesWeight: " + Slice("LayerNormGatesWeight"));
            extras.Add("layerNormGatesBias: " + Slice("LayerNormGatesBias"));
            if (spec.Cell == CellKind.Lstm)
            {
                extras.Add("layerNormCellWeight: " + Slice("LayerNormCellWeight"));
                extras.Add("layerNormCellBias: " + Slice("LayerNormCellBias"));
            }
        }
        string type = (spec.Cell == CellKind.Lstm ? "Lstm" : "Gru") + "Variant" + (gradients ? "Gradients" : "Weights");
        return "new " + K + type + "(" + core + (extras.Count > 0 ? ", " + string.Join(", ", extras) : "") + ")";
    }
}
