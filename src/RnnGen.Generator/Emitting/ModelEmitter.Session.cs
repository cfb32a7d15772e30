using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

internal static partial class ModelEmitter
{
    private static string Suffix(int layer, int direction) => ParameterLayout.RecurrentIdentifierSuffix(layer, direction);

    private static string TopOutput(ModelSpec spec) => "_outputL" + Num(spec.Layers - 1);

    private static string TopOutputGradient(ModelSpec spec) => "_dOutputL" + Num(spec.Layers - 1);

    private static void EmitSession(SourceWriter w, ModelSpec spec)
    {
        string model = spec.Type.Name;
        bool head = spec.Head != HeadKind.None;
        bool manyToOne = spec.Sequence == SequenceMode.ManyToOne;
        string kernel = KernelClass(spec);

        w.Doc("<summary>\nEvery buffer the forward and backward passes of <see cref=\"" + model + "\"/> need, allocated once for\n" +
              "batches of up to <see cref=\"MaxBatch\"/> sequences of up to <see cref=\"MaxSteps\"/> steps. After construction\n" +
              "Forward, Loss, Backward and Step allocate nothing. A session is not thread-safe: use one per thread;\n" +
              "sessions of one model share its parameters and add into its gradients.\n</summary>");
        using (w.Block("public sealed class Session : global::RnnGen.IRnnSession" + (ConcurrentDirections(spec) ? ", " + K + "IBidirectionalForward, " + K + "IBidirectionalBackward" : "")))
        {
            if (VariantOptionsDeclaration(spec) is { } options)
            {
                w.Line("// The cell variant: " + VariantDescription(spec) + ".");
                w.Line("private static readonly " + (spec.Cell == CellKind.Lstm ? K + "LstmVariantOptions" : K + "GruVariantOptions") + " s_cell = " + options + ";");
            }
            w.Line("private readonly " + model + " _model;");
            w.Line("// Every float buffer starts on a 64-byte cache line (AlignedBuffer): a row's vector loads do not straddle lines,");
            w.Line("// and two cores updating the halves of one state row never share a line.");
            w.Line("private readonly int[] _lengths;          // [B] valid steps per sequence");
            w.Line("private readonly int[] _ones;             // [B] all 1: the lengths of a streaming step");
            w.Line(spec.HasEmbedding
                ? "private readonly global::RnnGen.Runtime.AlignedBuffer _input;          // [B, T, E] embedded tokens, zero past each length"
                : "private readonly global::RnnGen.Runtime.AlignedBuffer _input;          // [B, T, I] validated copy, zero past each length");
            w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _inputGradient;  // [B, T, " + (spec.HasEmbedding ? "E" : "I") + "]");
            if (spec.HasEmbedding)
            {
                w.Line("private readonly int[] _tokens;           // [B, T] token ids of the last Forward");
            }
            for (int layer = 0; layer < spec.Layers; layer++)
            {
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _outputL" + Num(layer) + ";       // [B, T, D·H] layer " + Num(layer) + " outputs");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dOutputL" + Num(layer) + ";      // [B, T, D·H] gradient of layer " + Num(layer) + " outputs");
                if (HasMerge(spec))
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _rawL" + Num(layer) + ";          // [B, T, 2·S] both directions before the " + Lower(spec.Merge.ToString()) + " merge");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dRawL" + Num(layer) + ";         // [B, T, 2·S]");
                }
                if (HasDropoutAfter(spec, layer))
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _droppedL" + Num(layer) + ";      // [B, T, D·H] layer " + Num(layer) + " outputs after dropout (training)");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dDroppedL" + Num(layer) + ";     // [B, T, D·H]");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dropMaskL" + Num(layer) + ";     // [B, T, D·H] 0 or 1/(1 − p)");
                }
                for (int direction = 0; direction < spec.Directions; direction++)
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _cache" + Suffix(layer, direction) + "; // what backward needs of layer " + Num(layer) + (direction == 1 ? " reverse" : ""));
                    if (spec.RecurrentDropout > 0)
                    {
                        w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _recurrentMask" + Suffix(layer, direction) + "; // [B, S] one variational dropout mask per sequence");
                    }
                }
            }
            w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _finalHidden;    // [L·D, B, H]");
            if (spec.HasCellState)
            {
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _finalCell;      // [L·D, B, H]");
            }
            w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _scratch;        // backward workspace, shared by all layers");
            if (ConcurrentDirections(spec))
            {
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _scratchReverse; // the reverse direction's backward workspace (the directions run at the same time)");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dInputReverse;  // [B, T, layer input] the reverse direction's input gradient, added after both");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _backwardFinalHidden; // [L·D, B, S] copy of Backward's final-hidden gradient for the direction jobs");
                w.Line("private bool _backwardHasFinalHidden, _backwardInputGradient;");
                if (spec.HasCellState)
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _backwardFinalCell;   // [L·D, B, H] likewise");
                    w.Line("private bool _backwardHasFinalCell;");
                }
            }
            w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _initialHidden;  // [L·D, B, H] h_0 of the last Forward, when given");
            w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _initialHiddenGradient; // [L·D, B, H]");
            if (spec.HasCellState)
            {
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _initialCell;    // [L·D, B, H]");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _initialCellGradient; // [L·D, B, H]");
            }
            if (!spec.Bidirectional)
            {
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _stateHidden;    // [L, maxBatch, H] streaming state");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _nextHidden;     // [L, maxBatch, H]");
                if (spec.HasCellState)
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _stateCell;      // [L, maxBatch, H]");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _nextCell;       // [L, maxBatch, H]");
                }
            }
            if (head)
            {
                w.Line(manyToOne
                    ? "private readonly global::RnnGen.Runtime.AlignedBuffer _features;       // [B, D·H] last valid step of each sequence"
                    : "private readonly global::RnnGen.Runtime.AlignedBuffer _features;       // [N, D·H] the valid steps, packed");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dFeatures;      // gradient of _features");
                if (spec.Attention != AttentionKind.None)
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _attentionWeights; // [B, T] α of the last Forward");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _attentionScoreGradient; // [B, T]");
                    if (spec.Attention == AttentionKind.Additive)
                    {
                        w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _attentionHidden;  // [B·T, A] tanh(W y + b)");
                        w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _attentionScratch; // [B·T, A]");
                    }
                }
                if (manyToOne && HasMerge(spec))
                {
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _lastRaw;        // [B, 2·S] the two directions' final outputs before the merge");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dLastRaw;       // [B, 2·S]");
                }
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _logits;         // [rows, O] head pre-activations");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _dLogits;        // [rows, O] gradient of the loss w.r.t. the logits");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _headRows;       // [rows, O] head outputs (activation applied)");
                w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _headOutput;     // " + (manyToOne ? "[B, O]" : "[B, T, O] zero past each length"));
                if (spec.Head == HeadKind.Ctc)
                {
                    w.Line("private readonly global::RnnGen.Ctc.CtcLoss _ctc;  // log-space alpha/beta buffers");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _paddedLogits;   // [B, T, O] for the CTC kernel");
                    w.Line("private readonly global::RnnGen.Runtime.AlignedBuffer _paddedLogitGradient; // [B, T, O]");
                }
                else
                {
                    w.Line(spec.Head == HeadKind.Softmax
                        ? "private readonly int[] _targetRows;        // [rows] class targets of the valid rows"
                        : "private readonly global::RnnGen.Runtime.AlignedBuffer _targetRows;      // [rows, O] targets of the valid rows");
                }
            }
            if (HasTrainingMode(spec))
            {
                w.Line("private global::RnnGen.Initialization.SeededRandom _random; // draws the dropout masks");
                w.Line("private bool _dropoutActive;                 // the last Forward applied dropout");
            }
            w.Line("private int _batch;");
            w.Line("private int _steps;");
            if (head)
            {
                w.Line("private int _rows;");
                w.Line("private bool _lossReady;");
            }
            w.Line("private bool _forwardReady;");
            w.Line("private bool _hasInitialState;");
            w.Line();

            using (w.Block("internal Session(" + model + " model, int maxBatch, int maxSteps)"))
            {
                w.Line("global::RnnGen.Runtime.Guard.SessionSize(maxBatch, maxSteps);");
                w.Line("_model = model;");
                w.Line("MaxBatch = maxBatch;");
                w.Line("MaxSteps = maxSteps;");
                w.Line("int positions = maxBatch * maxSteps;");
                w.Line("_lengths = new int[maxBatch];");
                w.Line("_ones = new int[maxBatch];");
                w.Line("global::System.Array.Fill(_ones, 1);");
                w.Line("_input = new global::RnnGen.Runtime.AlignedBuffer(positions * FeatureSize);");
                w.Line("_inputGradient = new global::RnnGen.Runtime.AlignedBuffer(positions * FeatureSize);");
                if (spec.HasEmbedding)
                {
                    w.Line("_tokens = new int[positions];");
                }
                for (int layer = 0; layer < spec.Layers; layer++)
                {
                    w.Line("_outputL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * LayerOutputSize);");
                    w.Line("_dOutputL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * LayerOutputSize);");
                    if (HasMerge(spec))
                    {
                        w.Line("_rawL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * 2 * StateSize);");
                        w.Line("_dRawL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * 2 * StateSize);");
                    }
                    if (HasDropoutAfter(spec, layer))
                    {
                        w.Line("_droppedL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * LayerOutputSize);");
                        w.Line("_dDroppedL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * LayerOutputSize);");
                        w.Line("_dropMaskL" + Num(layer) + " = new global::RnnGen.Runtime.AlignedBuffer(positions * LayerOutputSize);");
                    }
                    for (int direction = 0; direction < spec.Directions; direction++)
                    {
                        w.Line("_cache" + Suffix(layer, direction) + " = new global::RnnGen.Runtime.AlignedBuffer(" + kernel + ".CacheLength(maxBatch, maxSteps, HiddenSize" + (spec.UsesVariantKernel ? ", s_cell" : "") + "));");
                        if (spec.RecurrentDropout > 0)
                        {
                            w.Line("_recurrentMask" + Suffix(layer, direction) + " = new global::RnnGen.Runtime.AlignedBuffer(maxBatch * StateSize);");
                        }
                    }
                }
                w.Line("_finalHidden = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * StateSize);");
                if (spec.HasCellState)
                {
                    w.Line("_finalCell = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * HiddenSize);");
                }
                w.Line("_scratch = new global::RnnGen.Runtime.AlignedBuffer(" + kernel + ".ScratchLength(maxBatch, maxSteps, HiddenSize" + (spec.UsesVariantKernel ? ", s_cell" : "") + "));");
                if (ConcurrentDirections(spec))
                {
                    w.Line("_scratchReverse = new global::RnnGen.Runtime.AlignedBuffer(" + kernel + ".ScratchLength(maxBatch, maxSteps, HiddenSize" + (spec.UsesVariantKernel ? ", s_cell" : "") + "));");
                    w.Line("_dInputReverse = new global::RnnGen.Runtime.AlignedBuffer(positions * global::System.Math.Max(FeatureSize, LayerOutputSize));");
                    w.Line("_backwardFinalHidden = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * StateSize);");
                    if (spec.HasCellState)
                    {
                        w.Line("_backwardFinalCell = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * HiddenSize);");
                    }
                }
                w.Line("_initialHidden = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * StateSize);");
                w.Line("_initialHiddenGradient = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * StateSize);");
                if (spec.HasCellState)
                {
                    w.Line("_initialCell = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * HiddenSize);");
                    w.Line("_initialCellGradient = new global::RnnGen.Runtime.AlignedBuffer(Layers * Directions * maxBatch * HiddenSize);");
                }
                if (!spec.Bidirectional)
                {
                    w.Line("_stateHidden = new global::RnnGen.Runtime.AlignedBuffer(Layers * maxBatch * StateSize);");
                    w.Line("_nextHidden = new global::RnnGen.Runtime.AlignedBuffer(Layers * maxBatch * StateSize);");
                    if (spec.HasCellState)
                    {
                        w.Line("_stateCell = new global::RnnGen.Runtime.AlignedBuffer(Layers * maxBatch * HiddenSize);");
                        w.Line("_nextCell = new global::RnnGen.Runtime.AlignedBuffer(Layers * maxBatch * HiddenSize);");
                    }
                }
                if (head)
                {
                    string rows = manyToOne ? "maxBatch" : "positions";
                    w.Line("_features = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * LayerOutputSize);");
                    w.Line("_dFeatures = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * LayerOutputSize);");
                    if (spec.Attention != AttentionKind.None)
                    {
                        w.Line("_attentionWeights = new global::RnnGen.Runtime.AlignedBuffer(positions);");
                        w.Line("_attentionScoreGradient = new global::RnnGen.Runtime.AlignedBuffer(positions);");
                        if (spec.Attention == AttentionKind.Additive)
                        {
                            w.Line("_attentionHidden = new global::RnnGen.Runtime.AlignedBuffer(positions * AttentionSize);");
                            w.Line("_attentionScratch = new global::RnnGen.Runtime.AlignedBuffer(positions * AttentionSize);");
                        }
                    }
                    if (manyToOne && HasMerge(spec))
                    {
                        w.Line("_lastRaw = new global::RnnGen.Runtime.AlignedBuffer(maxBatch * 2 * StateSize);");
                        w.Line("_dLastRaw = new global::RnnGen.Runtime.AlignedBuffer(maxBatch * 2 * StateSize);");
                    }
                    w.Line("_logits = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * OutputSize);");
                    w.Line("_dLogits = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * OutputSize);");
                    w.Line("_headRows = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * OutputSize);");
                    w.Line("_headOutput = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * OutputSize);");
                    if (spec.Head == HeadKind.Ctc)
                    {
                        w.Line("_ctc = new global::RnnGen.Ctc.CtcLoss(maxSteps, OutputSize, maxTargetLength: maxSteps);");
                        w.Line("_paddedLogits = new global::RnnGen.Runtime.AlignedBuffer(positions * OutputSize);");
                        w.Line("_paddedLogitGradient = new global::RnnGen.Runtime.AlignedBuffer(positions * OutputSize);");
                    }
                    else
                    {
                        w.Line(spec.Head == HeadKind.Softmax
                            ? "_targetRows = new int[" + rows + "];"
                            : "_targetRows = new global::RnnGen.Runtime.AlignedBuffer(" + rows + " * OutputSize);");
                    }
                }
            }
            w.Line();
            EmitSessionProperties(w, spec);
            w.Line();
            EmitForward(w, spec);
            w.Line();
            EmitBackward(w, spec);
            if (head)
            {
                w.Line();
                EmitHead(w, spec);
            }
            if (!spec.Bidirectional)
            {
                w.Line();
                EmitStep(w, spec);
            }
            w.Line();
            EmitUniformSessionMembers(w, spec);
            w.Line();
            w.Line("// One layer-direction's [B, width] block of a [Layers · Directions, B, width] state tensor; empty stays empty.");
            w.Line("private static global::System.ReadOnlySpan<float> Slot(global::System.ReadOnlySpan<float> states, int slot, int batch, int width) =>");
            w.Line("    states.IsEmpty ? default : states.Slice(slot * batch * width, batch * width);");
            w.Line();
            w.Line("private static global::System.Span<float> MutableSlot(global::System.Span<float> states, int slot, int batch, int width) =>");
            w.Line("    states.IsEmpty ? default : states.Slice(slot * batch * width, batch * width);");
        }
    }

    private static void EmitSessionProperties(SourceWriter w, ModelSpec spec)
    {
        w.Doc("<summary>The model whose parameters this session reads and whose gradients it accumulates.</summary>");
        w.Line("public " + spec.Type.Name + " Model => _model;");
        w.Line();
        w.Doc("<summary>Largest batch this session accepts.</summary>");
        w.Line("public int MaxBatch { get; }");
        w.Line();
        w.Doc("<summary>Largest number of steps this session accepts.</summary>");
        w.Line("public int MaxSteps { get; }");
        w.Line();
        w.Doc("<summary>Batch size of the last Forward or Step.</summary>");
        w.Line("public int Batch => _batch;");
        w.Line();
        w.Doc("<summary>Padded steps of the last Forward (1 after Step).</summary>");
        w.Line("public int Steps => _steps;");
        w.Line();
        w.Doc("<summary>Outputs of the last layer, [Batch, Steps, LayerOutputSize], zero past each sequence's length;\nfor bidirectional models each step is [forward, reverse].</summary>");
        w.Line("public global::System.ReadOnlySpan<float> Output => " + TopOutput(spec) + ".AsSpan(0, _batch * _steps * LayerOutputSize);");
        w.Line();
        w.Doc("<summary>Hidden state of every layer and direction at each sequence's last valid step,\n[Layers · Directions, Batch, StateSize] (PyTorch's h_n).</summary>");
        w.Line("public global::System.ReadOnlySpan<float> FinalHidden => _finalHidden.AsSpan(0, Layers * Directions * _batch * StateSize);");
        if (spec.HasCellState)
        {
            w.Line();
            w.Doc("<summary>Cell state, same layout as <see cref=\"FinalHidden\"/> (PyTorch's c_n).</summary>");
            w.Line("public global::System.ReadOnlySpan<float> FinalCell => _finalCell.AsSpan(0, Layers * Directions * _batch * HiddenSize);");
        }
        w.Line();
        w.Doc("<summary>Gradient w.r.t. the initial hidden state [Layers · Directions, Batch, StateSize]; filled by Backward\nwhen Forward was given an initial state.</summary>");
        w.Line("public global::System.ReadOnlySpan<float> InitialHiddenGradient => _hasInitialState ? _initialHiddenGradient.AsSpan(0, Layers * Directions * _batch * StateSize) : default;");
        w.Line();
        if (spec.HasCellState)
        {
            w.Doc("<summary>Gradient w.r.t. the initial cell state, same layout as <see cref=\"InitialHiddenGradient\"/>.</summary>");
            w.Line("public global::System.ReadOnlySpan<float> InitialCellGradient => _hasInitialState ? _initialCellGradient.AsSpan(0, Layers * Directions * _batch * HiddenSize) : default;");
            w.Line();
        }
        w.Doc(spec.HasEmbedding
            ? "<summary>Gradient of the loss w.r.t. the embedded input, [Batch, Steps, EmbeddingSize]; filled by Backward when asked.</summary>"
            : "<summary>Gradient of the loss w.r.t. the input, [Batch, Steps, InputSize]; filled by Backward when asked.</summary>");
        w.Line("public global::System.ReadOnlySpan<float> InputGradient => _inputGradient.AsSpan(0, _batch * _steps * FeatureSize);");
        if (HasTrainingMode(spec))
        {
            w.Line();
            w.Doc("<summary>Training mode: Forward applies " + DropoutDescription(spec) + " with masks drawn from a seeded generator.\nOff (the default) for inference: no dropout, as PyTorch's eval().</summary>");
            w.Line("public bool Training { get; set; }");
            w.Line();
            w.Doc("<summary>Re-seeds the generator of the dropout masks (sessions start from seed 0).</summary>");
            w.Line("public void SeedDropout(long seed) => _random = new global::RnnGen.Initialization.SeededRandom(seed);");
            w.Line();
            w.Doc("<summary>The dropout generator's state, for checkpoints that resume bit for bit.</summary>");
            w.Line("public (ulong Low, ulong High) DropoutRandomState { get => _random.State; set => _random.State = value; }");
        }
        if (spec.Head != HeadKind.None)
        {
            w.Line();
            string what = spec.Head switch
            {
                HeadKind.Softmax => "class probabilities",
                HeadKind.Ctc => "per-step label probabilities (index 0 = blank)",
                HeadKind.Sigmoid => "probabilities (sigmoid of the logits)",
                _ => "predictions",
            };
            string shape = spec.Sequence == SequenceMode.ManyToOne ? "[Batch, OutputSize]" : "[Batch, Steps, OutputSize], zero past each length";
            w.Doc("<summary>The head's " + what + ", " + shape + ".</summary>");
            string length = spec.Sequence == SequenceMode.ManyToOne ? "_batch * OutputSize" : "_batch * _steps * OutputSize";
            w.Line("public global::System.ReadOnlySpan<float> HeadOutput => _headOutput.AsSpan(0, " + length + ");");
            if (spec.Attention != AttentionKind.None)
            {
                w.Line();
                w.Doc("<summary>The attention weights α [Batch, Steps] of the last Forward: each sequence's row sums to 1 over its valid steps.</summary>");
                w.Line("public global::System.ReadOnlySpan<float> AttentionWeights => _attentionWeights.AsSpan(0, _batch * _steps);");
            }
        }
    }

    internal static bool HasMerge(ModelSpec spec) => spec.Bidirectional && spec.Merge != MergeKind.Concat;

    internal static bool HasDropoutAfter(ModelSpec spec, int layer) => spec.Dropout > 0 && layer < spec.Layers - 1;

    /// <summary>The session has a Training switch: dropout between layers or on the recurrent state.</summary>
    internal static bool HasTrainingMode(ModelSpec spec) => (spec.Dropout > 0 && spec.Layers > 1) || spec.RecurrentDropout > 0;

    internal static string DropoutDescription(ModelSpec spec)
    {
        string between = spec.Dropout > 0 && spec.Layers > 1 ? "dropout (p = " + spec.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ") between layers" : "";
        string recurrent = spec.RecurrentDropout > 0 ? "variational dropout (p = " + spec.RecurrentDropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ") on the recurrent state, one mask per sequence" : "";
        return between.Length > 0 && recurrent.Length > 0 ? between + " and " + recurrent : between + recurrent;
    }

    internal static string VariantDescription(ModelSpec spec)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (spec.Peepholes) parts.Add("peepholes (i, f see c(t−1); o sees c(t))");
        if (spec.ProjectionSize > 0) parts.Add("projection h = W_hr (o ⊙ tanh(c)) to " + Num(spec.ProjectionSize));
        if (spec.LayerNorm) parts.Add(spec.Cell == CellKind.Lstm ? "layer norm of each gate's pre-activation and of c before tanh" : "layer norm of each gate's pre-activation");
        if (spec.GruVariant == GruVariantKind.ResetBefore) parts.Add("reset before the recurrent product (Cho et al. 2014)");
        if (spec.RecurrentDropout > 0) parts.Add("recurrent dropout mask on h(t−1)");
        return string.Join(", ", parts);
    }

    /// <summary>The <c>IRnnSession</c> members whose generated form is cell- or head-specific.</summary>
    private static void EmitUniformSessionMembers(SourceWriter w, ModelSpec spec)
    {
        const string I = "global::RnnGen.IRnnSession.";
        const string Ri2 = "global::System.ReadOnlySpan<int>";
        w.Line("// IRnnSession, for generic runtime code; the members above are the typed API.");
        string own = spec.HasEmbedding ? Ri2 + " tokens" : Rs + " input";
        string ownName = spec.HasEmbedding ? "tokens" : "input";
        string other = spec.HasEmbedding ? Rs + " input" : Ri2 + " tokens";
        string otherMessage = spec.HasEmbedding
            ? "\"This model reads token ids: call Forward(ReadOnlySpan<int> tokens, ...).\""
            : "\"This model reads feature vectors: call Forward(ReadOnlySpan<float> input, ...).\"";
        string otherStep = spec.HasEmbedding ? Rs + " input" : Ri2 + " tokens";
        w.Line("void " + I + "Step(" + otherStep + ", int batch) => throw new global::System.NotSupportedException(" + otherMessage + ");");
        if (spec.Bidirectional)
        {
            const string NoStreaming = "\"A bidirectional model has no one-step form: its reverse direction needs the whole sequence.\"";
            w.Line("void " + I + "Step(" + own + ", int batch) => throw new global::System.NotSupportedException(" + NoStreaming + ");");
            w.Line("void " + I + "ResetState() => throw new global::System.NotSupportedException(" + NoStreaming + ");");
            w.Line("void " + I + "ResetState(int sequence) => throw new global::System.NotSupportedException(" + NoStreaming + ");");
            w.Line("void " + I + "ReorderState(" + Ri2 + " sourceRows) => throw new global::System.NotSupportedException(" + NoStreaming + ");");
        }
        w.Line("void " + I + "Forward(" + other + ", int batch, int steps, " + Ri2 + " lengths) => throw new global::System.NotSupportedException(" + otherMessage + ");");
        w.Line("void " + I + "Forward(" + other + ", int batch, int steps, " + Ri2 + " lengths, " + Rs + " initialHidden, " + Rs + " initialCell) => throw new global::System.NotSupportedException(" + otherMessage + ");");
        if (!spec.HasCellState)
        {
            w.Line(Rs + " " + I + "FinalCell => default; // no cell state in a " + CellName(spec) + " cell");
            w.Line(Rs + " " + I + "InitialCellGradient => default;");
            using (w.Block("void " + I + "Forward(" + own + ", int batch, int steps, " + Ri2 + " lengths, " + Rs + " initialHidden, " + Rs + " initialCell)"))
            {
                w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(initialCell.Length, 0, nameof(initialCell), \"empty: a " + CellName(spec) + " cell has no cell state\");");
                w.Line("Forward(" + ownName + ", batch, steps, lengths, initialHidden);");
            }
            using (w.Block("void " + I + "Backward(" + Rs + " outputGradient, " + Rs + " finalHiddenGradient, " + Rs + " finalCellGradient, bool computeInputGradient)"))
            {
                w.Line("global::RnnGen.Runtime.Guard.LengthOrEmpty(finalCellGradient.Length, 0, nameof(finalCellGradient), \"empty: a " + CellName(spec) + " cell has no cell state\");");
                w.Line("Backward(outputGradient, finalHiddenGradient, computeInputGradient);");
            }
        }
        const string NotSupported = "throw new global::System.NotSupportedException(";
        if (spec.Head == HeadKind.None)
        {
            w.Line(Rs + " " + I + "HeadOutput => default; // no head");
            w.Line("float " + I + "Loss(" + Rs + " targets) => " + NotSupported + "\"This model has no head, so no loss: use Backward(outputGradient, ...).\");");
            w.Line("float " + I + "Loss(global::System.ReadOnlySpan<int> classTargets) => " + NotSupported + "\"This model has no head, so no loss: use Backward(outputGradient, ...).\");");
            w.Line("void " + I + "Backward() => " + NotSupported + "\"This model has no head, so no loss: use Backward(outputGradient, ...).\");");
        }
        else if (spec.Head == HeadKind.Ctc)
        {
            w.Line("float " + I + "Loss(" + Rs + " targets) => " + NotSupported + "\"A CTC head takes label sequences: call Loss(labels, labelLengths).\");");
            w.Line("float " + I + "Loss(global::System.ReadOnlySpan<int> classTargets) => " + NotSupported + "\"A CTC head takes label sequences: call Loss(labels, labelLengths).\");");
        }
        else if (spec.Head == HeadKind.Softmax)
        {
            w.Line("float " + I + "Loss(" + Rs + " targets) => " + NotSupported + "\"A softmax head takes class ids: call Loss(ReadOnlySpan<int>).\");");
        }
        else
        {
            w.Line("float " + I + "Loss(global::System.ReadOnlySpan<int> classTargets) => " + NotSupported + "\"A " + Lower(spec.Head.ToString()) + " head takes float targets: call Loss(ReadOnlySpan<float>).\");");
        }
    }
}
