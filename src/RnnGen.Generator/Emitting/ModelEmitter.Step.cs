using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private static void EmitStep(SourceWriter w, ModelSpec spec)
    {
        bool head = spec.Head != HeadKind.None;
        w.Doc("<summary>Clears the streaming state of every sequence (every layer's hidden" + (spec.HasCellState ? " and cell" : "") + " state).</summary>");
        using (w.Block("public void ResetState()"))
        {
            w.Line("_stateHidden.AsSpan().Clear();");
            if (spec.HasCellState)
            {
                w.Line("_stateCell.AsSpan().Clear();");
            }
        }
        w.Line();
        w.Doc("<summary>Clears the streaming state of one sequence (row <paramref name=\"sequence\"/> of the batch).</summary>");
        using (w.Block("public void ResetState(int sequence)"))
        {
            using (w.Block("if ((uint)sequence >= (uint)MaxBatch)"))
            {
                w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(sequence), sequence, $\"Expected a sequence index in 0..{MaxBatch - 1}, but got {sequence}.\");");
            }
            using (w.Block("for (int layer = 0; layer < Layers; layer++)"))
            {
                w.Line("_stateHidden.AsSpan((layer * MaxBatch + sequence) * StateSize, StateSize).Clear();");
                if (spec.HasCellState)
                {
                    w.Line("_stateCell.AsSpan((layer * MaxBatch + sequence) * HiddenSize, HiddenSize).Clear();");
                }
            }
        }
        w.Line();
        w.Doc("<summary>Rearranges the kept state: row i becomes the old row <paramref name=\"sourceRows\"/>[i] (beam search\nkeeps the states of its surviving hypotheses). Rows may repeat; allocation-free.</summary>");
        using (w.Block("public void ReorderState(global::System.ReadOnlySpan<int> sourceRows)"))
        {
            w.Line("global::RnnGen.Runtime.Guard.Batch(sourceRows.Length, MaxBatch);");
            using (w.Block("for (int i = 0; i < sourceRows.Length; i++)"))
            {
                using (w.Block("if ((uint)sourceRows[i] >= (uint)MaxBatch)"))
                {
                    w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(sourceRows), sourceRows[i], $\"Expected sourceRows[{i}] in 0..{MaxBatch - 1}, but got {sourceRows[i]}.\");");
                }
            }
            w.Line("// gather into the spare buffers, then copy back: safe when source and target rows overlap");
            using (w.Block("for (int layer = 0; layer < Layers; layer++)"))
            {
                w.Line("int hiddenBase = layer * MaxBatch * StateSize;");
                using (w.Block("for (int i = 0; i < sourceRows.Length; i++)"))
                {
                    w.Line("_stateHidden.AsSpan(hiddenBase + sourceRows[i] * StateSize, StateSize).CopyTo(_nextHidden.AsSpan(hiddenBase + i * StateSize, StateSize));");
                    if (spec.HasCellState)
                    {
                        w.Line("_stateCell.AsSpan((layer * MaxBatch + sourceRows[i]) * HiddenSize, HiddenSize).CopyTo(_nextCell.AsSpan((layer * MaxBatch + i) * HiddenSize, HiddenSize));");
                    }
                }
                w.Line("_nextHidden.AsSpan(hiddenBase, sourceRows.Length * StateSize).CopyTo(_stateHidden.AsSpan(hiddenBase));");
                if (spec.HasCellState)
                {
                    w.Line("_nextCell.AsSpan(layer * MaxBatch * HiddenSize, sourceRows.Length * HiddenSize).CopyTo(_stateCell.AsSpan(layer * MaxBatch * HiddenSize));");
                }
            }
        }
        w.Line();
        w.Doc("<summary>\nStreaming inference: advances each of the first <paramref name=\"batch\"/> sequences by one step from its kept\n" +
              "state. The input is " + (spec.HasEmbedding ? "[batch] token ids" : "[batch, InputSize]") + ". Afterwards <see cref=\"Output\"/> is [batch, 1, LayerOutputSize]" +
              (head ? "\nand <see cref=\"HeadOutput\"/> holds the head's output for this step" : "") + ". Equivalent to Forward over the whole\n" +
              "sequence so far, without re-running it.\n</summary>");
        bool tokens = spec.HasEmbedding;
        using (w.Block("public void Step(" + (tokens ? Ri + " tokens" : Rs + " input") + ", int batch)"))
        {
            w.Line("global::RnnGen.Runtime.Guard.Batch(batch, MaxBatch);");
            if (tokens)
            {
                w.Line("global::RnnGen.Runtime.Guard.Length(tokens.Length, batch, nameof(tokens), \"[batch]\");");
                w.Line(K + "Embedding.ForwardPadded(tokens, _ones.AsSpan(0, batch), batch, 1, _model.Parameters.AsSpan(EmbeddingWeightOffset, EmbeddingWeightLength), Vocabulary, EmbeddingSize, _input.AsSpan(0, batch * EmbeddingSize));");
            }
            else
            {
                w.Line("global::RnnGen.Runtime.Guard.Length(input.Length, (long)batch * InputSize, nameof(input), \"[batch, InputSize]\");");
                w.Line(K + "SequenceOps.CopyInput(input, _input, batch, 1, InputSize, _ones);");
            }
            w.Line("int B = batch;");
            w.Line("_batch = batch;");
            w.Line("_steps = 1;");
            w.Line("_forwardReady = false; // the caches now hold a single step");
            w.Line("_ones.AsSpan(0, B).CopyTo(_lengths);");
            w.Line("global::System.ReadOnlySpan<float> p = _model.Parameters;");
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                EmitLayerForward(w, spec, layer, 0, streaming: true);
            }
            w.Line();
            w.Line("// The new states become the kept states; the final states report them.");
            using (w.Block("for (int layer = 0; layer < Layers; layer++)"))
            {
                w.Line("_nextHidden.AsSpan(layer * MaxBatch * StateSize, B * StateSize).CopyTo(_stateHidden.AsSpan(layer * MaxBatch * StateSize));");
                w.Line("_nextHidden.AsSpan(layer * MaxBatch * StateSize, B * StateSize).CopyTo(_finalHidden.AsSpan(layer * B * StateSize));");
                if (spec.HasCellState)
                {
                    w.Line("_nextCell.AsSpan(layer * MaxBatch * HiddenSize, B * HiddenSize).CopyTo(_stateCell.AsSpan(layer * MaxBatch * HiddenSize));");
                    w.Line("_nextCell.AsSpan(layer * MaxBatch * HiddenSize, B * HiddenSize).CopyTo(_finalCell.AsSpan(layer * B * HiddenSize));");
                }
            }
            if (head && spec.Attention != AttentionKind.None)
            {
                w.Line("// Attention pooling reads the whole sequence at once: Step advances the state only; use Forward for the head.");
                w.Line("_lossReady = false;");
            }
            else if (head)
            {
                w.Line("ForwardHead();");
                w.Line("_lossReady = false;");
            }
        }
    }
}
