using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private const string TrainingNs = "global::RnnGen.Training.";

    private static void EmitHead(SourceWriter w, ModelSpec spec)
    {
        bool manyToOne = spec.Sequence == SequenceMode.ManyToOne;
        string headWeights = "p.Slice(HeadWeightOffset, HeadWeightLength)";

        using (w.Block("private void ForwardHead()"))
        {
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::System.ReadOnlySpan<float> p = _model.Parameters;");
            w.Line("global::System.ReadOnlySpan<int> lengths = _lengths.AsSpan(0, B);");
            w.Line("global::System.ReadOnlySpan<float> top = " + TopOutput(spec) + ".AsSpan(0, B * T * LayerOutputSize);");
            if (manyToOne && spec.Attention != AttentionKind.None)
            {
                EmitAttentionForward(w, spec);
                w.Line("_rows = B;");
            }
            else if (manyToOne)
            {
                if (HasMerge(spec))
                {
                    w.Line("// [forward output at len−1, reverse output at 0] (the final states), then merged: " + MergeFormula(spec) + ".");
                    w.Line(K + "SequenceOps.GatherLastStep(_rawL" + Num(spec.Layers - 1) + ".AsSpan(0, B * T * 2 * StateSize), lengths, B, T, StateSize, 2, _lastRaw);");
                    w.Line(K + "BidirectionalMerge.Forward(" + MergeMode(spec) + ", B, StateSize, _lastRaw.AsSpan(0, B * 2 * StateSize), _features.AsSpan(0, B * StateSize));");
                }
                else
                {
                    w.Line(spec.Bidirectional
                        ? "// features [B, 2S] = [forward output at len−1, reverse output at 0]: PyTorch's cat(h_n[-2], h_n[-1])."
                        : "// features [B, S] = output at each sequence's last valid step (= h_n of the last layer).");
                    w.Line(K + "SequenceOps.GatherLastStep(top, lengths, B, T, StateSize, Directions, _features);");
                }
                w.Line("_rows = B;");
            }
            else
            {
                w.Line("// features [N, D·H]: the N = Σ lengths valid steps, packed; padded steps never reach the head.");
                w.Line("_rows = " + K + "SequenceOps.GatherValidRows<float>(top, lengths, B, T, LayerOutputSize, _features);");
            }
            w.Line("// logits [rows, O] = features · head.weightᵀ + head.bias");
            w.Line(K + "LinearHead.Forward(_rows, LayerOutputSize, OutputSize, _features.AsSpan(0, _rows * LayerOutputSize), " + headWeights +
                   ", p.Slice(HeadBiasOffset, HeadBiasLength), _logits.AsSpan(0, _rows * OutputSize));");
            string rowsTarget = manyToOne ? "_headOutput" : "_headRows";
            switch (spec.Head)
            {
                case HeadKind.Softmax:
                case HeadKind.Ctc:
                    using (w.Block("for (int row = 0; row < _rows; row++)"))
                    {
                        w.Line("global::System.Numerics.Tensors.TensorPrimitives.SoftMax(_logits.AsSpan(row * OutputSize, OutputSize), " + rowsTarget + ".AsSpan(row * OutputSize, OutputSize));");
                    }
                    break;
                case HeadKind.Sigmoid:
                    w.Line("global::System.Numerics.Tensors.TensorPrimitives.Sigmoid(_logits.AsSpan(0, _rows * OutputSize), " + rowsTarget + ".AsSpan(0, _rows * OutputSize));");
                    break;
                default:
                    w.Line("_logits.AsSpan(0, _rows * OutputSize).CopyTo(" + rowsTarget + ");");
                    break;
            }
            if (!manyToOne)
            {
                w.Line(K + "SequenceOps.ScatterValidRows(_headRows.AsSpan(0, _rows * OutputSize), lengths, B, T, OutputSize, _headOutput);");
            }
        }
        w.Line();

        if (spec.Head == HeadKind.Ctc)
        {
            EmitCtcLoss(w);
        }
        else
        {
        bool classes = spec.Head == HeadKind.Softmax;
            string targetType = classes ? "int" : "float";
            string targetShape = classes
                ? (manyToOne ? "[batch] class ids" : "[batch, steps] class ids (padded positions ignored)")
                : (manyToOne ? "[batch, OutputSize]" : "[batch, steps, OutputSize] (padded positions ignored)");
            string lossName = spec.Head switch
            {
                HeadKind.Softmax => "softmax cross-entropy (fused with the softmax, log-sum-exp stable)",
                HeadKind.Sigmoid => "binary cross-entropy on the logits (stable: max(z, 0) − z·t + log(1 + e^−|z|)), targets in [0, 1]",
                _ => "mean squared error",
            };
            w.Doc("<summary>\nThe " + lossName + " of the last Forward against <paramref name=\"targets\"/>\n" + targetShape +
                  ", averaged over " + (classes ? "the valid rows" : "every element of the valid rows") + " (PyTorch's mean reduction).\n" +
                  "Also prepares <see cref=\"Backward()\"/>.\n</summary>");
            using (w.Block("public float Loss(global::System.ReadOnlySpan<" + targetType + "> targets)"))
            {
                w.Line("global::RnnGen.Runtime.Guard.State(_forwardReady, \"Loss needs the results of Forward: call Forward first.\");");
                w.Line("int B = _batch, T = _steps;");
                string perRow = classes ? "" : " * OutputSize";
                if (manyToOne)
                {
                    w.Line("global::RnnGen.Runtime.Guard.Length(targets.Length, (long)B" + perRow + ", nameof(targets), \"" + (classes ? "[batch]" : "[batch, OutputSize]") + "\");");
                    w.Line("targets.CopyTo(_targetRows);");
                }
                else
                {
                    w.Line("global::RnnGen.Runtime.Guard.Length(targets.Length, (long)B * T" + perRow + ", nameof(targets), \"" + (classes ? "[batch, steps]" : "[batch, steps, OutputSize]") + "\");");
                    w.Line(K + "SequenceOps.GatherValidRows<" + targetType + ">(targets, _lengths.AsSpan(0, B), B, T, " + (classes ? "1" : "OutputSize") + ", _targetRows);");
                }
                string logits = "_logits.AsSpan(0, _rows * OutputSize)";
                string dLogits = "_dLogits.AsSpan(0, _rows * OutputSize)";
                string targetRows = "_targetRows.AsSpan(0, _rows" + perRow + ")";
                switch (spec.Head)
                {
                    case HeadKind.Softmax:
                        w.Line("float loss = " + TrainingNs + "SoftmaxCrossEntropy.Compute(" + logits + ", " + targetRows + ", " + dLogits + ");");
                        break;
                    case HeadKind.Sigmoid:
                        w.Line("float loss = " + TrainingNs + "BinaryCrossEntropy.ComputeWithLogits(" + logits + ", " + targetRows + ", " + dLogits + ");");
                        break;
                    default:
                        w.Line("float loss = " + TrainingNs + "MeanSquaredError.Compute(" + logits + ", " + targetRows + ", " + dLogits + ");");
                        break;
                }
                w.Line("_lossReady = true;");
                w.Line("return loss;");
            }
            w.Line();
    
        }
        w.Line();

        w.Doc("<summary>\nBackpropagation through the head and every layer from the last <see cref=\"Loss\"/>: adds the gradient\n" +
              "of that loss w.r.t. every parameter into the model's Gradients.\n</summary>");
        using (w.Block("public void Backward()"))
        {
            w.Line("global::RnnGen.Runtime.Guard.State(_lossReady, \"Backward() needs a loss: call Forward, then Loss, then Backward.\");");
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::System.ReadOnlySpan<float> p = _model.Parameters;");
            w.Line("global::System.Span<float> g = _model.Gradients;");
            w.Line("// d head.weight += dLogitsᵀ · features, d head.bias += Σ dLogits, dFeatures = dLogits · head.weight");
            w.Line(K + "LinearHead.Backward(_rows, LayerOutputSize, OutputSize, _features.AsSpan(0, _rows * LayerOutputSize), " + headWeights +
                   ", _dLogits.AsSpan(0, _rows * OutputSize), g.Slice(HeadWeightOffset, HeadWeightLength), g.Slice(HeadBiasOffset, HeadBiasLength), _dFeatures.AsSpan(0, _rows * LayerOutputSize));");
            w.Line("global::System.Span<float> top = " + TopOutputGradient(spec) + ".AsSpan(0, B * T * LayerOutputSize);");
            bool attention = manyToOne && spec.Attention != AttentionKind.None;
            bool raw = manyToOne && HasMerge(spec) && !attention;
            if (attention)
            {
                EmitAttentionBackward(w, spec);
            }
            else if (raw)
            {
                w.Line("// through the merge of the two final states, then into the raw (unmerged) top-layer outputs");
                w.Line(K + "BidirectionalMerge.Backward(" + MergeMode(spec) + ", B, StateSize, _lastRaw.AsSpan(0, B * 2 * StateSize), _dFeatures.AsSpan(0, B * StateSize), _dLastRaw.AsSpan(0, B * 2 * StateSize));");
                w.Line("global::System.Span<float> dRaw = _dRawL" + Num(spec.Layers - 1) + ".AsSpan(0, B * T * 2 * StateSize);");
                w.Line("dRaw.Clear();");
                w.Line(K + "SequenceOps.ScatterLastStep(_dLastRaw.AsSpan(0, B * 2 * StateSize), _lengths.AsSpan(0, B), B, T, StateSize, 2, dRaw);");
            }
            else if (manyToOne)
            {
                w.Line("top.Clear();");
                w.Line(K + "SequenceOps.ScatterLastStep(_dFeatures.AsSpan(0, B * LayerOutputSize), _lengths.AsSpan(0, B), B, T, StateSize, Directions, top);");
            }
            else
            {
                w.Line(K + "SequenceOps.ScatterValidRows(_dFeatures.AsSpan(0, _rows * LayerOutputSize), _lengths.AsSpan(0, B), B, T, LayerOutputSize, top);");
            }
            w.Line("_lossReady = false;");
            w.Line("BackwardLayers(default, default, computeInputGradient: false, topGradientIsRaw: " + (raw ? "true" : "false") + ");");
        }
    }

    private static void EmitCtcLoss(SourceWriter w)
    {
        w.Doc("<summary>\nThe CTC loss of the last Forward (PyTorch's <c>ctc_loss</c>, blank = 0, reduction 'mean': each sequence's\n" +
              "negative log-likelihood divided by its label count, averaged over the batch). <paramref name=\"labels\"/> holds every\n" +
              "sequence's labels (1..OutputSize−1) one after another; <paramref name=\"labelLengths\"/> [batch] says how many each has.\n" +
              "Computed in log space; prepares <see cref=\"Backward()\"/>.\n</summary>");
        using (w.Block("public float Loss(" + Ri + " labels, " + Ri + " labelLengths)"))
        {
            w.Line("global::RnnGen.Runtime.Guard.State(_forwardReady, \"Loss needs the results of Forward: call Forward first.\");");
            w.Line("int B = _batch, T = _steps;");
            w.Line("global::RnnGen.Runtime.Guard.Length(labelLengths.Length, B, nameof(labelLengths), \"[batch]\");");
            w.Line("global::System.Span<float> padded = _paddedLogits.AsSpan(0, B * T * OutputSize);");
            w.Line("global::System.Span<float> paddedGradient = _paddedLogitGradient.AsSpan(0, B * T * OutputSize);");
            w.Line("// the CTC kernel reads [B, T, C] with input lengths; the head computed only the valid rows");
            w.Line(K + "SequenceOps.ScatterValidRows(_logits.AsSpan(0, _rows * OutputSize), _lengths.AsSpan(0, B), B, T, OutputSize, padded);");
            w.Line("double loss = _ctc.Compute(padded, B, T, _lengths.AsSpan(0, B), labels, labelLengths, global::RnnGen.Ctc.CtcReduction.Mean, paddedGradient);");
            w.Line(K + "SequenceOps.GatherValidRows<float>(paddedGradient, _lengths.AsSpan(0, B), B, T, OutputSize, _dLogits);");
            w.Line("_lossReady = true;");
            w.Line("return (float)loss;");
        }
        w.Line();
        w.Doc("<summary>PyTorch's <c>zero_infinity</c>: impossible alignments (labels longer than the input allows) give loss 0\nand gradient 0 instead of +∞.</summary>");
        w.Line("public bool CtcZeroInfinity { get => _ctc.ZeroInfinity; set => _ctc.ZeroInfinity = value; }");
        w.Line();
        w.Doc("<summary>Greedy (best-path) CTC decoding of sequence <paramref name=\"sequence\"/> of the last Forward or Step:\nargmax per valid step, repeats collapsed, blanks dropped. Returns the number of labels written.</summary>");
        using (w.Block("public int DecodeGreedy(int sequence, global::System.Span<int> labels)"))
        {
            w.Line("global::RnnGen.Runtime.Guard.State((uint)sequence < (uint)_batch, \"sequence must index the last batch\");");
            w.Line("int length = _lengths[sequence];");
            w.Line("return global::RnnGen.Ctc.CtcGreedyDecoder.Decode(_headOutput.AsSpan(sequence * _steps * OutputSize, length * OutputSize), length, OutputSize, labels);");
        }
    }

    private static void EmitAttentionForward(SourceWriter w, ModelSpec spec)
    {
        string y = "top";
        if (spec.Attention == AttentionKind.Additive)
        {
            w.Line("// features [B, D] = Σ_t α_t y_t, α = softmax over valid steps of vᵀ tanh(W y_t + b) (Bahdanau); one GEMM for all B·T rows");
            w.Line(K + "AttentionPooling.ForwardAdditive(" + y + ", lengths, B, T, LayerOutputSize, AttentionSize, p.Slice(AttentionWeightOffset, AttentionWeightLength), " +
                   "p.Slice(AttentionBiasOffset, AttentionBiasLength), p.Slice(AttentionVectorOffset, AttentionVectorLength), _attentionHidden.AsSpan(0, B * T * AttentionSize), " +
                   "_attentionWeights.AsSpan(0, B * T), _features.AsSpan(0, B * LayerOutputSize));");
        }
        else
        {
            w.Line("// features [B, D] = Σ_t α_t y_t, α = softmax over valid steps of qᵀ y_t (dot attention with a learned query)");
            w.Line(K + "AttentionPooling.ForwardDot(" + y + ", lengths, B, T, LayerOutputSize, p.Slice(AttentionQueryOffset, AttentionQueryLength), " +
                   "_attentionWeights.AsSpan(0, B * T), _features.AsSpan(0, B * LayerOutputSize));");
        }
    }

    private static void EmitAttentionBackward(SourceWriter w, ModelSpec spec)
    {
        w.Line("// through the attention pooling into every valid step's output and the attention parameters");
        w.Line("top.Clear();");
        w.Line(Rs + " y = " + TopOutput(spec) + ".AsSpan(0, B * T * LayerOutputSize);");
        if (spec.Attention == AttentionKind.Additive)
        {
            w.Line(K + "AttentionPooling.BackwardAdditive(y, _lengths.AsSpan(0, B), B, T, LayerOutputSize, AttentionSize, p.Slice(AttentionWeightOffset, AttentionWeightLength), " +
                   "p.Slice(AttentionVectorOffset, AttentionVectorLength), _attentionHidden.AsSpan(0, B * T * AttentionSize), _attentionWeights.AsSpan(0, B * T), " +
                   "_dFeatures.AsSpan(0, B * LayerOutputSize), top, g.Slice(AttentionWeightOffset, AttentionWeightLength), g.Slice(AttentionBiasOffset, AttentionBiasLength), " +
                   "g.Slice(AttentionVectorOffset, AttentionVectorLength), _attentionScoreGradient.AsSpan(0, B * T), _attentionScratch.AsSpan(0, B * T * AttentionSize));");
        }
        else
        {
            w.Line(K + "AttentionPooling.BackwardDot(y, _lengths.AsSpan(0, B), B, T, LayerOutputSize, p.Slice(AttentionQueryOffset, AttentionQueryLength), " +
                   "_attentionWeights.AsSpan(0, B * T), _dFeatures.AsSpan(0, B * LayerOutputSize), top, g.Slice(AttentionQueryOffset, AttentionQueryLength), " +
                   "_attentionScoreGradient.AsSpan(0, B * T));");
        }
    }
}
