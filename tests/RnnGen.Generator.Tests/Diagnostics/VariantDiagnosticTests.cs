using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;

namespace RnnGen.Generator.Tests.Diagnostics;

/// <summary>Diagnostics of the cell-variant, input and regularization options, with exact locations.</summary>
public class VariantDiagnosticTests
{
    [Theory]
    [InlineData("Cell.Gru", "Peepholes = true", "'Peepholes' applies only to Cell.Lstm")]
    [InlineData("Cell.Rnn", "ProjectionSize = 2", "'ProjectionSize' applies only to Cell.Lstm")]
    [InlineData("Cell.Rnn", "LayerNorm = true", "'LayerNorm' applies only to Cell.Lstm and Cell.Gru")]
    [InlineData("Cell.Lstm", "GruVariant = GruVariant.ResetBefore", "'GruVariant' applies only to Cell.Gru")]
    [InlineData("Cell.Rnn", "RecurrentDropout = 0.1", "'RecurrentDropout' applies only to Cell.Lstm and Cell.Gru")]
    public void RNG0013_option_on_the_wrong_cell(string cell, string argument, string message)
    {
        Diagnostic d = Single($"using RnnGen; [RnnModel({cell}, InputSize = 3, HiddenSize = 4, {argument})] partial class M;", "RNG0013", argument);
        Assert.StartsWith(message, d.GetMessage());
    }

    [Theory]
    [InlineData("ProjectionSize = 4")]
    [InlineData("ProjectionSize = 9")]
    public void RNG0014_projection_not_smaller(string argument) =>
        Single($"using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, {argument})] partial class M;", "RNG0014", argument);

    [Theory]
    [InlineData("Attention = Attention.Additive", "")]
    [InlineData("Attention = Attention.Dot", ", Head = Head.Linear, OutputSize = 1")]
    public void RNG0023_attention_needs_a_many_to_one_head(string argument, string head) =>
        Single($"using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, {argument}{head})] partial class M;", "RNG0023", argument);

    [Fact]
    public void RNG0024_general_attention_for_pooling() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Attention = Attention.General, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)] partial class M;",
            "RNG0024", "Attention = Attention.General");

    [Fact]
    public void RNG0025_attention_size_without_additive() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Attention = Attention.Dot, AttentionSize = 8, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)] partial class M;",
            "RNG0025", "AttentionSize = 8");

    [Fact]
    public void RNG0015_merge_without_bidirectional() =>
        Single("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Merge = Merge.Sum)] partial class M;", "RNG0015", "Merge = Merge.Sum");

    [Theory]
    [InlineData("Dropout = 1.0")]
    [InlineData("Dropout = -0.1")]
    [InlineData("RecurrentDropout = 1.5")]
    public void RNG0016_probability_out_of_range(string argument) =>
        Single($"using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Layers = 2, {argument})] partial class M;", "RNG0016", argument);

    [Fact]
    public void RNG0017_input_size_and_embedding() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, Vocabulary = 10, EmbeddingSize = 4, HiddenSize = 4)] partial class M;", "RNG0017", "InputSize = 3");

    [Theory]
    [InlineData("Vocabulary = 10")]
    [InlineData("EmbeddingSize = 4")]
    public void RNG0018_embedding_incomplete(string argument) =>
        Single($"using RnnGen; [RnnModel(Cell.Gru, {argument}, HiddenSize = 4)] partial class M;", "RNG0018", argument);

    [Theory]
    [InlineData("PaddingId = 10")]
    [InlineData("PaddingId = -2")]
    public void RNG0019_padding_id_out_of_range(string argument) =>
        Single($"using RnnGen; [RnnModel(Cell.Gru, Vocabulary = 10, EmbeddingSize = 4, HiddenSize = 4, {argument})] partial class M;", "RNG0019", argument);

    [Fact]
    public void RNG0020_padding_id_without_tokens() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, PaddingId = 0)] partial class M;", "RNG0020", "PaddingId = 0");

    [Fact]
    public void RNG0021_dropout_with_one_layer_is_a_warning_and_still_generates()
    {
        const string source = "using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Dropout = 0.5)] partial class M;";
        var (result, _) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("RNG0021", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("Dropout = 0.5", source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Assert.Single(result.GeneratedTrees);
    }

    [Fact]
    public void RNG0022_ctc_needs_many_to_many() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Head = Head.Ctc, OutputSize = 5, Sequence = Sequence.ManyToOne)] partial class M;",
            "RNG0022", "Sequence = Sequence.ManyToOne");

    [Fact]
    public void RNG0010_ctc_with_only_the_blank() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Head = Head.Ctc, OutputSize = 1)] partial class M;", "RNG0010", "OutputSize = 1");

    [Fact]
    public void RNG0011_unknown_merge_value() =>
        Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Bidirectional = true, Merge = (Merge)9)] partial class M;", "RNG0011", "Merge = (Merge)9");

    private static Diagnostic Single(string source, string id, string expectedText)
    {
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Null(result.Results.Single().Exception);
        Diagnostic d = Assert.Single(result.Diagnostics, x => x.Id == id);
        Assert.Equal(expectedText, source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        Assert.Empty(result.GeneratedTrees);
        return d;
    }
}
