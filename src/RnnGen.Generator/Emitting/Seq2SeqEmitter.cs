using System.Collections.Generic;
using System.Globalization;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Emitting;

/// <summary>
/// Emits the C# of one <c>[Seq2SeqModel]</c>: the partial class derives from the runtime's
/// <c>Seq2SeqNetwork</c> with every size as a constant, a documented tensor table, and a constructor that fixes the
/// <c>Seq2SeqShape</c>. The encoder, bridge, attention and decoder passes run in the runtime's
/// <c>Seq2SeqSession</c> over the layer kernels shared with <c>[RnnModel]</c>.
/// </summary>
internal static class Seq2SeqEmitter
{
    private const string GeneratorVersion = "0.1.0";

    public static string Emit(Seq2SeqSpec spec)
    {
        var w = new SourceWriter();
        List<Seq2SeqTensor> tensors = Seq2SeqTensors.Build(spec);
        long count = 0;
        foreach (Seq2SeqTensor tensor in tensors) count += tensor.Length;

        TypeScopes scopes = w.OpenGeneratedFile(spec.Type, "Seq2SeqModel", usingSystem: false);

        EmitDoc(w, spec, tensors, count);
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"RnnGen.Generator\", \"" + GeneratorVersion + "\")]");
        using (w.Block("partial class " + spec.Type.Name + " : global::RnnGen.Seq2Seq.Seq2SeqNetwork"))
        {
            Constant(w, "SourceVocabulary", spec.SourceVocabulary, "Source token ids 0..SourceVocabulary−1.");
            Constant(w, "SourceEmbeddingSize", spec.SourceEmbeddingSize, "Es: width of the source embedding.");
            Constant(w, "TargetVocabulary", spec.TargetVocabulary, "Vt: target token ids, the output layer's width.");
            Constant(w, "TargetEmbeddingSize", spec.TargetEmbeddingSize, "Et: width of the target embedding.");
            Constant(w, "EncoderHiddenSize", spec.EncoderHiddenSize, "He: hidden units per encoder direction.");
            Constant(w, "EncoderLayers", spec.EncoderLayers, "Stacked encoder layers.");
            Constant(w, "Directions", spec.Directions, "Encoder directions (2 when bidirectional).");
            Constant(w, "MemorySize", spec.MemorySize, "D = Directions × He: width of the encoder outputs the decoder attends to.");
            Constant(w, "DecoderHiddenSize", spec.DecoderHiddenSize, "Hd: hidden units of the decoder.");
            Constant(w, "DecoderLayers", spec.DecoderLayers, "Stacked decoder layers.");
            Constant(w, "AttentionSize", spec.AttentionSize, "A: hidden width of additive attention (0 otherwise).");
            Constant(w, "DecoderInputSize", spec.DecoderInputSize, "Decoder layer-0 input: [embedding" + (spec.HasAttention ? "; context" : "") + "].");
            Constant(w, "OutputFeatures", spec.OutputFeatures, "Output layer input: [decoder state" + (spec.HasAttention ? "; context" : "") + "].");
            Constant(w, "PaddingId", spec.PaddingId, "Padding id of both vocabularies (−1: none).");
            Constant(w, "StartId", spec.StartId, "Target id of <sos>, the decoder's first input.");
            Constant(w, "EndId", spec.EndId, "Target id of <eos>, which ends a decoded sequence.");
            w.Doc("<summary>Total trainable floats (equals <see cref=\"global::RnnGen.Seq2Seq.Seq2SeqNetwork.ParameterCount\"/>).</summary>");
            w.Line("public const int TotalParameters = " + Num(count) + ";");
            w.Line();
            w.Doc("<summary>The declaration as the runtime's shape.</summary>");
            w.Line("public static global::RnnGen.Seq2Seq.Seq2SeqShape ModelShape { get; } = new global::RnnGen.Seq2Seq.Seq2SeqShape(");
            w.Line("    sourceVocabulary: SourceVocabulary, sourceEmbeddingSize: SourceEmbeddingSize,");
            w.Line("    targetVocabulary: TargetVocabulary, targetEmbeddingSize: TargetEmbeddingSize,");
            w.Line("    encoderCell: global::RnnGen.Cell." + spec.EncoderCell + ", encoderHiddenSize: EncoderHiddenSize, encoderLayers: EncoderLayers, bidirectional: " + (spec.Bidirectional ? "true" : "false") + ",");
            w.Line("    decoderCell: global::RnnGen.Cell." + spec.DecoderCell + ", decoderHiddenSize: DecoderHiddenSize, decoderLayers: DecoderLayers,");
            w.Line("    attention: global::RnnGen.Attention." + spec.Attention + ", attentionSize: AttentionSize,");
            w.Line("    paddingId: PaddingId, startId: StartId, endId: EndId);");
            w.Line();
            w.Doc("<summary>Creates the model with PyTorch's default initialization drawn from <paramref name=\"seed\"/>.</summary>");
            w.Line("public " + spec.Type.Name + "(long seed = 0) : base(ModelShape, seed) { }");
        }

        scopes.Dispose();
        return w.ToString();
    }

    private static void EmitDoc(SourceWriter w, Seq2SeqSpec spec, List<Seq2SeqTensor> tensors, long count)
    {
        string encoder = spec.EncoderCell + " encoder, " + Num(spec.EncoderLayers) + " layer(s) of " + Num(spec.EncoderHiddenSize)
            + (spec.Bidirectional ? " per direction, bidirectional" : "");
        string bridge = spec.CopiesEncoderState
            ? "the decoder starts from the encoder's final states, copied layer by layer"
            : "a learned bridge h0 = tanh(W_b [h_fwd; h_bwd] + b_b) maps the top encoder layer's final state to every decoder layer";
        string attention = spec.Attention switch
        {
            AttentionKind.Additive => "additive (Bahdanau): score = vᵀ tanh(W s + U h), A = " + Num(spec.AttentionSize),
            AttentionKind.Dot => "dot (Luong): score = sᵀ h",
            AttentionKind.General => "general (Luong): score = sᵀ W h",
            _ => "none",
        };
        w.Doc("<summary>\n" +
              "Encoder–decoder: " + encoder + " → " + spec.DecoderCell + " decoder, " + Num(spec.DecoderLayers) + " layer(s) of " + Num(spec.DecoderHiddenSize) + ".\n" +
              "</summary>\n" +
              "<remarks>\n" +
              "<para>Bridge: " + bridge + ". Attention: " + attention + ".</para>\n" +
              "<para>Parameters (" + Num(count) + " floats, one buffer, in this order):</para>\n" +
              "<list type=\"table\">");
        foreach (Seq2SeqTensor tensor in tensors)
        {
            w.Doc("<item><term>" + tensor.Name + "</term><description>" + tensor.ShapeText + "</description></item>");
        }
        w.Doc("</list>\n</remarks>");
    }

    private static void Constant(SourceWriter w, string name, int value, string doc)
    {
        w.Doc("<summary>" + doc.Replace("<", "&lt;").Replace(">", "&gt;") + "</summary>");
        w.Line("public const int " + name + " = " + Num(value) + ";");
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
