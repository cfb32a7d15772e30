using System.Collections.Generic;
using System.Globalization;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

/// <summary>
/// Emits the C# of one model. Split by concern: this file writes the file frame and the model
/// class (constants, parameters, initialization); <c>ModelEmitter.Session.cs</c> the session and
/// its buffers; <c>.Forward.cs</c>, <c>.Backward.cs</c>, <c>.Head.cs</c> and <c>.Step.cs</c> the passes.
/// </summary>
internal static partial class ModelEmitter
{
    private const string GeneratorVersion = "0.1.0";
    private const string K = "global::RnnGen.Kernels.";

    public static string Emit(ModelSpec spec)
    {
        var w = new SourceWriter();
        IReadOnlyList<ParameterSpec> parameters = ParameterLayout.Build(spec);

        TypeScopes scopes = w.OpenGeneratedFile(spec.Type, "RnnModel", usingSystem: true);

        EmitClassDoc(w, spec, parameters);
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"RnnGen.Generator\", \"" + GeneratorVersion + "\")]");
        using (w.Block("partial class " + spec.Type.Name + " : global::RnnGen.IRnnNetwork"))
        {
            EmitConstants(w, spec, parameters);
            w.Line();
            EmitParameterMembers(w, spec, parameters);
            w.Line();
            EmitSession(w, spec);
        }

        scopes.Dispose();
        return w.ToString();
    }

    private static void EmitClassDoc(SourceWriter w, ModelSpec spec, IReadOnlyList<ParameterSpec> parameters)
    {
        long count = ParameterLayout.CountParameters(spec);
        w.Doc("<summary>");
        w.Doc("RnnGen model: " + Describe(spec) + ".");
        w.Doc("</summary>");
        w.Doc("<remarks>");
        w.Doc("<code>");
        string cell = CellName(spec);
        string gates = spec.Cell switch { CellKind.Lstm => "gates i, f, g, o", CellKind.Gru => "gates r, z, n", _ => "activation " + Lower(spec.Nonlinearity.ToString()) };
        w.Doc(Pad("input", 26) + "[B, T, " + Num(spec.InputSize) + "]  batch-first, per-sequence lengths");
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            string shape = "[B, T, " + Num(spec.LayerInputSize(layer)) + "] -> [B, T, " + Num(spec.LayerOutputSize) + "]";
            string note = layer == 0 ? (spec.Bidirectional ? "  forward + reverse, concatenated; " : "  ") + gates : "";
            w.Doc(Pad("rnn layer " + Num(layer) + " (" + cell + ")", 26) + shape + note);
        }
        if (spec.Head != HeadKind.None)
        {
            string rows = spec.Sequence == SequenceMode.ManyToOne ? "last valid step [B, " : "every valid step [N, ";
            string outShape = spec.Sequence == SequenceMode.ManyToOne ? "[B, " : "[B, T, ";
            w.Doc(Pad("head (" + Lower(spec.Head.ToString()) + ")", 26) + rows + Num(spec.LayerOutputSize) + "] -> linear -> " + outShape + Num(spec.OutputSize) + "]");
        }
        w.Doc("final states              [" + Num(spec.Layers * spec.Directions) + ", B, " + Num(spec.HiddenSize) + "]" + (spec.HasCellState ? " hidden and cell" : " hidden"));
        w.Doc("forward FLOPs             " + Num(ForwardFlopsPerStep(spec)) + " per sequence and step");
        w.Doc("parameters                " + Num(count) + " floats (" + Num(count * 4) + " bytes) in one buffer:");
        foreach (ParameterSpec p in parameters)
        {
            w.Doc("  " + Pad(p.Name, 28) + Pad(p.ShapeText, 12) + "at " + Num(p.Offset));
        }
        w.Doc("</code>");
        w.Doc("</remarks>");
    }

    private static void EmitConstants(SourceWriter w, ModelSpec spec, IReadOnlyList<ParameterSpec> parameters)
    {
        if (spec.HasEmbedding)
        {
            Const(w, "int", "Vocabulary", Num(spec.Vocabulary), "Token ids 0..Vocabulary−1; the input is int ids [B, T].");
            Const(w, "int", "EmbeddingSize", Num(spec.EmbeddingSize), "Width of embedding.weight [Vocabulary, EmbeddingSize].");
            Const(w, "int", "PaddingId", Num(spec.PaddingId), spec.PaddingId >= 0 ? "Token id whose embedding row gets no gradient." : "No padding id (−1).");
        }
        else
        {
            Const(w, "int", "InputSize", Num(spec.InputSize), "Features per time step of the input [B, T, InputSize].");
        }
        Const(w, "int", "FeatureSize", Num(spec.FeatureSize), spec.HasEmbedding ? "Features per step entering layer 0: EmbeddingSize." : "Features per step entering layer 0: InputSize.");
        Const(w, "int", "HiddenSize", Num(spec.HiddenSize), "Hidden units per direction" + (spec.HasCellState ? " (and cell state width)." : "."));
        Const(w, "int", "StateSize", Num(spec.StateSize), spec.ProjectionSize > 0
            ? "Width of each direction's output and hidden state: the projection size."
            : "Width of each direction's output and hidden state (HiddenSize; the projection size with a projection).");
        Const(w, "int", "Layers", Num(spec.Layers), "Stacked recurrent layers.");
        Const(w, "int", "Directions", Num(spec.Directions), spec.Bidirectional ? "Two directions: forward and reverse." : "One direction: forward.");
        Const(w, "int", "Gates", Num(spec.Gates), "Gate blocks per cell (" + GateNames(spec) + ").");
        Const(w, "int", "LayerOutputSize", Num(spec.LayerOutputSize), spec.Bidirectional && spec.Merge != MergeKind.Concat
            ? "Width of each layer's output: StateSize (the two directions are merged by " + Lower(spec.Merge.ToString()) + ")."
            : "Width of each layer's output: Directions · StateSize.");
        if (spec.Head != HeadKind.None)
        {
            Const(w, "int", "OutputSize", Num(spec.OutputSize), "Outputs of the " + Lower(spec.Head.ToString()) + " head.");
        }
        if (spec.Attention == AttentionKind.Additive)
        {
            Const(w, "int", "AttentionSize", Num(spec.AttentionSize), "Width of the additive attention's hidden layer.");
        }
        Const(w, "int", "ParameterCount", Num(ParameterLayout.CountParameters(spec)), "Trainable floats in Parameters.");
        Const(w, "long", "ForwardFlopsPerStep", Num(ForwardFlopsPerStep(spec)) + "L",
            "Forward FLOPs per sequence and step: Σ over layers of 2·Gates·H·(I + H)·Directions, plus the head.");
        Const(w, "string", "ArchitectureDescription", "\"" + Architecture(spec) + "\"",
            "Canonical description; checkpoints record it and loading compares it.");
        w.Line();
        w.Line("// Where each PyTorch state_dict tensor lives in the flat Parameters/Gradients buffers.");
        foreach (ParameterSpec p in parameters)
        {
            w.Line("public const int " + p.Identifier + "Offset = " + Num(p.Offset) + ";");
            w.Line("public const int " + p.Identifier + "Length = " + Num(p.Length) + ";");
        }
    }

    private static void EmitParameterMembers(SourceWriter w, ModelSpec spec, IReadOnlyList<ParameterSpec> parameters)
    {
        string name = spec.Type.Name;
        w.Line("private static readonly global::RnnGen.ParameterTensor[] s_parameterTensors =");
        using (w.Block("", "};"))
        {
            foreach (ParameterSpec p in parameters)
            {
                string shape = p.Columns == 0 ? Num(p.Rows) : Num(p.Rows) + ", " + Num(p.Columns);
                w.Line("new global::RnnGen.ParameterTensor(\"" + p.Name + "\", " + p.Identifier + "Offset, " + shape + "),");
            }
        }
        w.Line();
        w.Doc("<summary>Creates the model with PyTorch's default initialization drawn from <paramref name=\"seed\"/>.</summary>");
        using (w.Block("public " + name + "(int seed = 0)"))
        {
            w.Line("Parameters = new float[ParameterCount];");
            w.Line("Gradients = new float[ParameterCount];");
            w.Line("Initialize(seed);");
        }
        w.Line();
        w.Doc("<summary>All parameters in one buffer, in PyTorch state_dict order (see the class remarks).</summary>");
        w.Line("public float[] Parameters { get; }");
        w.Line();
        w.Doc("<summary>Gradients, same layout as <see cref=\"Parameters\"/>; backward passes add into it.</summary>");
        w.Line("public float[] Gradients { get; }");
        w.Line();
        w.Doc("<summary>Named views of <see cref=\"Parameters\"/> with PyTorch names and shapes.</summary>");
        w.Line("public global::System.Collections.Generic.IReadOnlyList<global::RnnGen.ParameterTensor> ParameterTensors => s_parameterTensors;");
        w.Line();
        w.Line("string global::RnnGen.IRnnModel.Architecture => ArchitectureDescription;");
        w.Line();
        w.Line("int global::RnnGen.IRnnModel.ParameterCount => ParameterCount;");
        w.Line();
        w.Line("int global::RnnGen.IRnnNetwork.InputSize => FeatureSize;");
        w.Line();
        w.Line("int global::RnnGen.IRnnNetwork.HiddenSize => HiddenSize;");
        w.Line();
        w.Line("int global::RnnGen.IRnnNetwork.Layers => Layers;");
        w.Line();
        w.Line("int global::RnnGen.IRnnNetwork.Directions => Directions;");
        w.Line();
        w.Line("int global::RnnGen.IRnnNetwork.Vocabulary => " + (spec.HasEmbedding ? "Vocabulary" : "0") + ";");
        w.Line();
        w.Line("global::RnnGen.Head global::RnnGen.IRnnNetwork.Head => global::RnnGen.Head." + spec.Head + ";");
        w.Line();
        w.Line("int global::RnnGen.IRnnNetwork.OutputSize => " + (spec.Head == HeadKind.None ? "0" : "OutputSize") + ";");
        w.Line();
        w.Line("global::RnnGen.Sequence global::RnnGen.IRnnNetwork.Sequence => global::RnnGen.Sequence." + spec.Sequence + ";");
        w.Line();
        w.Line("global::RnnGen.IRnnSession global::RnnGen.IRnnNetwork.CreateSession(int maxBatch, int maxSteps) => CreateSession(maxBatch, maxSteps);");
        w.Line();
        foreach (ParameterSpec p in parameters)
        {
            w.Doc("<summary><c>" + p.Name + "</c> " + p.ShapeText + ".</summary>");
            w.Line("public global::System.Span<float> " + p.Identifier + " => Parameters.AsSpan(" + p.Identifier + "Offset, " + p.Identifier + "Length);");
            w.Line();
        }

        w.Doc("<summary>Re-draws every parameter: uniform(±1/√H) for the recurrent layers and uniform(±1/√fan_in)\nfor the head, as PyTorch's defaults; the same seed always gives the same weights.</summary>");
        using (w.Block("public void Initialize(int seed)"))
        {
            const string Init = "global::RnnGen.Initialization.ParameterInit.";
            w.Line("var random = new global::RnnGen.Initialization.SeededRandom(seed);");
            foreach (ParameterSpec p in parameters)
            {
                w.Line(p.Init switch
                {
                    InitRule.Normal => Init + "Normal(" + p.Identifier + ", " + FloatLiteral(p.Scale) + ", ref random);",
                    InitRule.Constant => Init + "Constant(" + p.Identifier + ", " + FloatLiteral(p.Scale) + ");",
                    InitRule.Orthogonal => Init + "Orthogonal(" + p.Identifier + ", " + Num(p.Rows) + ", " + Num(p.Columns) + ", ref random);",
                    InitRule.ForgetGateBias => Init + "ForgetGateBias(" + p.Identifier + ", HiddenSize, " + FloatLiteral(p.Scale) + ");",
                    _ => Init + "Uniform(" + p.Identifier + ", " + FloatLiteral(p.Scale) + ", ref random);",
                });
            }
            if (spec.HasEmbedding && spec.PaddingId >= 0)
            {
                w.Line("EmbeddingWeight.Slice(PaddingId * EmbeddingSize, EmbeddingSize).Clear(); // PyTorch zeroes the padding_idx row");
            }
        }
        w.Line();
        if (spec.HasEmbedding)
        {
            w.Doc("<summary>When set, backward leaves <c>embedding.weight</c>'s gradient untouched (pretrained, frozen vectors).</summary>");
            w.Line("public bool FreezeEmbedding { get; set; }");
            w.Line();
        }
        w.Doc("<summary>Sets every gradient to zero (call before accumulating a new batch).</summary>");
        w.Line("public void ZeroGradients() => global::System.Array.Clear(Gradients);");
        w.Line();
        w.Doc("<summary>Writes the parameters as safetensors with PyTorch names (atomically: temp file, then rename).</summary>");
        w.Line("public void Save(string path) => global::RnnGen.Serialization.ModelSerializer.Save(this, path);");
        w.Line();
        w.Doc("<summary>Reads parameters saved by <see cref=\"Save\"/> or by PyTorch (safetensors of a matching state_dict).</summary>");
        using (w.Block("public static " + name + " Load(string path)"))
        {
            w.Line("var model = new " + name + "();");
            w.Line("global::RnnGen.Serialization.ModelSerializer.Load(model, path);");
            w.Line("return model;");
        }
        w.Line();
        w.Doc("<summary>Creates a session that owns every buffer for batches of up to <paramref name=\"maxBatch\"/>\nsequences of up to <paramref name=\"maxSteps\"/> steps; after this nothing allocates.</summary>");
        w.Line("public Session CreateSession(int maxBatch, int maxSteps) => new Session(this, maxBatch, maxSteps);");
    }

    // ---- helpers shared by the emitter files ----

    internal static string Describe(ModelSpec spec)
    {
        string layers = spec.Layers == 1 ? "1-layer" : Num(spec.Layers) + "-layer";
        string direction = spec.Bidirectional ? " bidirectional" : "";
        string head = spec.Head switch
        {
            HeadKind.None => "no head",
            _ => Lower(spec.Head.ToString()) + " head with " + Num(spec.OutputSize) + (spec.OutputSize == 1 ? " output" : " outputs"),
        };
        string sequence = spec.Head == HeadKind.None ? "" : spec.Sequence == SequenceMode.ManyToOne ? ", many-to-one" : ", many-to-many";
        return layers + direction + " " + CellName(spec) + ", input " + Num(spec.InputSize) + ", hidden " + Num(spec.HiddenSize) + ", " + head + sequence;
    }

    internal static string Architecture(ModelSpec spec)
    {
        string cell = spec.Cell == CellKind.Rnn ? "rnn_" + Lower(spec.Nonlinearity.ToString()) : Lower(spec.Cell.ToString());
        string head = spec.Head == HeadKind.None ? "none" : Lower(spec.Head.ToString()) + "(" + Num(spec.OutputSize) + ")";
        string sequence = spec.Sequence == SequenceMode.ManyToOne ? "many_to_one" : "many_to_many";
        return cell + " input=" + Num(spec.InputSize) + " hidden=" + Num(spec.HiddenSize) + " layers=" + Num(spec.Layers) +
               " directions=" + Num(spec.Directions) + " head=" + head + " sequence=" + sequence;
    }

    internal static long ForwardFlopsPerStep(ModelSpec spec)
    {
        long flops = 0;
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            flops += 2L * spec.Gates * spec.HiddenSize * (spec.LayerInputSize(layer) + spec.HiddenSize) * spec.Directions;
        }
        if (spec.Head != HeadKind.None)
        {
            flops += 2L * spec.LayerOutputSize * spec.OutputSize;
        }
        return flops;
    }

    internal static string CellName(ModelSpec spec) => spec.Cell switch
    {
        CellKind.Lstm => "LSTM",
        CellKind.Gru => "GRU",
        _ => "RNN (" + Lower(spec.Nonlinearity.ToString()) + ")",
    };

    internal static string GateNames(ModelSpec spec) => spec.Cell switch
    {
        CellKind.Lstm => "LSTM: i, f, g, o",
        CellKind.Gru => "GRU: r, z, n",
        _ => "RNN: one",
    };

    internal static string KernelClass(ModelSpec spec) => K + (spec.UsesVariantKernel ? spec.Cell == CellKind.Lstm ? "LstmVariantLayer" : "GruVariantLayer" : spec.Cell switch
    {
        CellKind.Lstm => "LstmLayer",
        CellKind.Gru => "GruLayer",
        _ => "RnnLayer",
    });

    /// <summary>The variant kernel's options argument (a static field of the session), or null for the standard kernels.</summary>
    internal static string? VariantOptionsDeclaration(ModelSpec spec)
    {
        if (!spec.UsesVariantKernel)
        {
            return null;
        }
        return spec.Cell == CellKind.Lstm
            ? "new " + K + "LstmVariantOptions(Peepholes: " + Bool(spec.Peepholes) + ", ProjectionSize: " + Num(spec.ProjectionSize) + ", LayerNorm: " + Bool(spec.LayerNorm) + ")"
            : "new " + K + "GruVariantOptions(ResetBefore: " + Bool(spec.GruVariant == GruVariantKind.ResetBefore) + ", LayerNorm: " + Bool(spec.LayerNorm) + ")";
    }

    internal static string Bool(bool value) => value ? "true" : "false";

    internal static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Lower(string text) => text.ToLowerInvariant();

    /// <summary>A C# float literal that round-trips exactly (invariant culture, "R" format).</summary>
    internal static string FloatLiteral(double value)
    {
        string text = ((float)value).ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0)
        {
            text += ".0";
        }
        return text + "f";
    }

    private static string Pad(string text, int width) => text.Length >= width ? text + " " : text.PadRight(width);

    private static void Const(SourceWriter w, string type, string name, string value, string doc)
    {
        w.Doc("<summary>" + doc + "</summary>");
        w.Line("public const " + type + " " + name + " = " + value + ";");
    }
}
