using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;

namespace RnnGen.Generator.Tests.Diagnostics;

/// <summary>Diagnostics of <c>[Seq2SeqModel]</c> declarations, with exact locations; nothing is emitted for a broken one.</summary>
public class Seq2SeqDiagnosticTests
{
    private const string Sizes = "SourceVocabulary = 20, SourceEmbeddingSize = 8, TargetVocabulary = 12, TargetEmbeddingSize = 4, EncoderHiddenSize = 6, DecoderHiddenSize = 6";

    private static string Declare(string arguments, string sizes = Sizes) =>
        $"using RnnGen; [Seq2SeqModel({sizes}{(arguments.Length > 0 ? ", " + arguments : "")})] partial class Translator;";

    [Fact]
    public void A_valid_declaration_generates_compilable_code()
    {
        var (result, output) = GeneratorHarness.Run(Declare("Bidirectional = true, DecoderHiddenSize = 12, Attention = Attention.Additive, AttentionSize = 5",
            Sizes.Replace(", DecoderHiddenSize = 6", "")));
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedTrees);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    [Fact]
    public void RNG0026_required_argument_missing()
    {
        Diagnostic d = Single("using RnnGen; [Seq2SeqModel(SourceVocabulary = 20)] partial class Translator;", "RNG0026",
            "Seq2SeqModel(SourceVocabulary = 20)", first: true);
        Assert.Equal("'SourceEmbeddingSize' is required: add 'SourceEmbeddingSize = ...' to the [Seq2SeqModel] attribute of 'Translator'", d.GetMessage());
    }

    [Fact]
    public void RNG0026_additive_attention_needs_its_size() =>
        Single(Declare("Attention = Attention.Additive"), "RNG0026", "Seq2SeqModel(" + Sizes + ", Attention = Attention.Additive)");

    [Fact]
    public void RNG0001_sizes_must_be_positive() =>
        Single(Declare("DecoderLayers = 0"), "RNG0001", "DecoderLayers = 0");

    [Fact]
    public void RNG0027_dot_attention_with_unequal_sizes()
    {
        Diagnostic d = Single(Declare("Bidirectional = true, Attention = Attention.Dot"), "RNG0027", "Attention = Attention.Dot");
        Assert.Contains("DecoderHiddenSize (6) must equal the encoder output size 12", d.GetMessage());
    }

    [Theory]
    [InlineData("StartId = 12", "'StartId = 12' must be an id of the target vocabulary (0..11)")]
    [InlineData("EndId = -1", "'EndId = -1' must be an id of the target vocabulary (0..11)")]
    [InlineData("PaddingId = 15", "'PaddingId = 15' must be an id of the source and target vocabularies, or -1 for none (0..11)")]
    public void RNG0028_special_id_outside_the_vocabulary(string argument, string message) =>
        Assert.Equal(message, Single(Declare(argument), "RNG0028", argument).GetMessage());

    [Fact]
    public void RNG0029_start_equals_end() =>
        Single(Declare("StartId = 1, EndId = 1"), "RNG0029", "EndId = 1");

    [Fact]
    public void RNG0030_declared_base_class()
    {
        var (result, _) = GeneratorHarness.Run($"using RnnGen; class Base {{ }} [Seq2SeqModel({Sizes})] partial class Translator : Base {{ }}");
        Diagnostic d = Assert.Single(result.Diagnostics, x => x.Id == "RNG0030");
        Assert.Contains("'Translator' derives from 'Base'", d.GetMessage());
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void RNG0031_both_model_attributes()
    {
        var (result, _) = GeneratorHarness.Run($"using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4)] [Seq2SeqModel({Sizes})] partial class Both;");
        Assert.Single(result.Diagnostics, x => x.Id == "RNG0031");
        Assert.DoesNotContain(result.GeneratedTrees, t => t.FilePath.Contains("Seq2SeqModel"));
    }

    [Fact]
    public void RNG0011_unknown_cell() =>
        Single(Declare("EncoderCell = (Cell)7"), "RNG0011", "EncoderCell = (Cell)7");

    [Fact]
    public void RNG0003_not_partial()
    {
        var (result, _) = GeneratorHarness.Run($"using RnnGen; [Seq2SeqModel({Sizes})] class Translator {{ }}");
        Assert.Single(result.Diagnostics, x => x.Id == "RNG0003");
        Assert.Empty(result.GeneratedTrees);
    }

    private static Diagnostic Single(string source, string id, string expectedText, bool first = false)
    {
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Null(result.Results.Single().Exception);
        Diagnostic d = first ? result.Diagnostics.First(x => x.Id == id) : Assert.Single(result.Diagnostics, x => x.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(expectedText, source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Assert.Empty(result.GeneratedTrees);
        return d;
    }
}
