using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;

namespace RnnGen.Generator.Tests.Diagnostics;

/// <summary>Each diagnostic id, the exact text it points at, and that nothing is emitted for a broken declaration.</summary>
public class DiagnosticTests
{
    [Theory]
    [InlineData("HiddenSize = 0", "'HiddenSize' must be a positive number, but it is 0")]
    [InlineData("HiddenSize = -3", "'HiddenSize' must be a positive number, but it is -3")]
    [InlineData("Layers = 0", "'Layers' must be a positive number, but it is 0")]
    public void RNG0001_size_not_positive(string argument, string message)
    {
        string source = "using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, " +
            (argument.StartsWith("HiddenSize") ? argument : "HiddenSize = 4, " + argument) + ")] partial class M;";
        Diagnostic d = Single(source, "RNG0001");
        Assert.Equal(argument, Text(d));
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RNG0001_output_size_zero_with_head()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Head = Head.Linear, OutputSize = 0)] partial class M;", "RNG0001");
        Assert.Equal("OutputSize = 0", Text(d));
    }

    [Fact]
    public void RNG0002_required_argument_missing()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Gru, HiddenSize = 4)] partial class M;", "RNG0002");
        Assert.Equal("RnnModel(Cell.Gru, HiddenSize = 4)", Text(d));
        Assert.Contains("'InputSize' is required", d.GetMessage());
    }

    [Fact]
    public void RNG0002_head_without_output_size()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 2, HiddenSize = 4, Head = Head.Softmax)] partial class M;", "RNG0002");
        Assert.Contains("'OutputSize' is required", d.GetMessage());
    }

    [Fact]
    public void RNG0003_not_partial()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)] class Plain { }", "RNG0003");
        Assert.Equal("Plain", Text(d));
    }

    [Fact]
    public void RNG0004_static()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)] static partial class S { }", "RNG0004");
        Assert.Equal("S", Text(d));
    }

    [Fact]
    public void RNG0005_generic_class()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)] partial class G<T> { }", "RNG0005");
        Assert.Equal("G", Text(d));
    }

    [Fact]
    public void RNG0005_nested_in_generic_type()
    {
        Diagnostic d = Single("using RnnGen; partial class Outer<T> { [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)] partial class Inner { } }", "RNG0005");
        Assert.Equal("Inner", Text(d));
    }

    [Fact]
    public void RNG0006_containing_type_not_partial()
    {
        Diagnostic d = Single("using RnnGen; class Outer { [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)] partial class Inner { } }", "RNG0006");
        Assert.Equal("Inner", Text(d));
        Assert.Contains("'Outer'", d.GetMessage());
    }

    [Fact]
    public void RNG0007_relu_on_lstm()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4, Nonlinearity = Nonlinearity.Relu)] partial class M;", "RNG0007");
        Assert.Equal("Nonlinearity = Nonlinearity.Relu", Text(d));
        Assert.Contains("Cell.Lstm", d.GetMessage());
    }

    [Fact]
    public void RNG0008_output_size_without_head()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Rnn, InputSize = 3, HiddenSize = 4, OutputSize = 2)] partial class M;", "RNG0008");
        Assert.Equal("OutputSize = 2", Text(d));
    }

    [Fact]
    public void RNG0009_attribute_twice()
    {
        Diagnostic d = Single("""
            using RnnGen;
            [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)]
            [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4)]
            partial class Twice;
            """, "RNG0009");
        Assert.Equal("RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4)", Text(d));
    }

    [Fact]
    public void RNG0009_attribute_on_two_partial_declarations()
    {
        s_lastSource = """
            using RnnGen;
            [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 4)]
            partial class Twice;
            [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4)]
            partial class Twice;
            """;
        var (result, output) = GeneratorHarness.Run(s_lastSource);
        Assert.Single(result.GeneratedTrees);
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("RNG0009", d.Id);
        Assert.Equal("RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4)", Text(d));
    }

    [Fact]
    public void RNG0010_softmax_with_one_output()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Head = Head.Softmax, OutputSize = 1)] partial class M;", "RNG0010");
        Assert.Equal("OutputSize = 1", Text(d));
    }

    [Fact]
    public void RNG0011_unknown_enum_value()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel((Cell)7, InputSize = 3, HiddenSize = 4)] partial class M;", "RNG0011");
        Assert.Equal("(Cell)7", Text(d));
        Assert.Contains("Cell.Lstm", d.GetMessage());
    }

    [Fact]
    public void RNG0012_model_too_large()
    {
        Diagnostic d = Single("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 100000, HiddenSize = 100000)] partial class M;", "RNG0012");
        Assert.StartsWith("RnnModel(", Text(d));
    }

    [Fact]
    public void Errors_emit_no_source_and_never_crash()
    {
        var (result, _) = GeneratorHarness.Run("using RnnGen; [RnnModel(Cell.Lstm, InputSize = 0, HiddenSize = -1, Layers = 0, Head = (Head)9)] partial class M;");
        Assert.Null(result.Results.Single().Exception);
        Assert.Empty(result.GeneratedTrees);
        Assert.Equal(new[] { "RNG0001", "RNG0001", "RNG0001", "RNG0011" }, result.Diagnostics.Select(d => d.Id).OrderBy(x => x));
    }

    [Fact]
    public void Valid_models_compile_with_zero_warnings()
    {
        string[] declarations =
        {
            "[RnnModel(Cell.Rnn, InputSize = 1, HiddenSize = 1)] public partial class A;",
            "[RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 2, HiddenSize = 3, Layers = 3, Bidirectional = true, Head = Head.Sigmoid, OutputSize = 2, Sequence = Sequence.ManyToMany)] public partial class B;",
            "[RnnModel(Cell.Lstm, InputSize = 2, HiddenSize = 3, Layers = 2, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)] internal partial class C;",
            "[RnnModel(Cell.Gru, InputSize = 2, HiddenSize = 3, Bidirectional = true, Head = Head.Softmax, OutputSize = 3)] sealed partial class D;",
            "public partial struct Holder { [RnnModel(Cell.Gru, InputSize = 2, HiddenSize = 3)] public partial class E; }",
        };
        string source = "using RnnGen;\nnamespace User.Models;\n" + string.Join("\n", declarations);
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(5, result.GeneratedTrees.Length);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
    }

    private static Diagnostic Single(string source, string id)
    {
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Null(result.Results.Single().Exception);
        Diagnostic d = Assert.Single(result.Diagnostics, x => x.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("Model0.cs", d.Location.GetLineSpan().Path);
        s_lastSource = source;
        return d;
    }

    [System.ThreadStatic]
    private static string? s_lastSource;

    // The generator reports locations as (path, span) so cached models never pin syntax trees;
    // map the span back onto the source text the test compiled.
    private static string Text(Diagnostic d) => (s_lastSource ?? throw new System.InvalidOperationException("no source"))
        .Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
}
