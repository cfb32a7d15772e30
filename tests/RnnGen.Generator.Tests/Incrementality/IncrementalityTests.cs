using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RnnGen.Generator.Tests.Infrastructure;

namespace RnnGen.Generator.Tests.Incrementality;

/// <summary>After an unrelated edit every tracked step is served from the cache; editing the attribute regenerates.</summary>
public class IncrementalityTests
{
    private const string Model = """
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 8, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
        public partial class Forecaster;
        """;

    private const string Seq2Seq = """
        using RnnGen;
        namespace Demo;
        [Seq2SeqModel(SourceVocabulary = 20, SourceEmbeddingSize = 8, TargetVocabulary = 12, TargetEmbeddingSize = 4,
                      EncoderHiddenSize = 6, DecoderHiddenSize = 6, Attention = Attention.General)]
        public partial class Translator;
        """;

    private static readonly string[] TrackedSteps =
    {
        TrackingNames.Parse, TrackingNames.Models, TrackingNames.Diagnostics,
        TrackingNames.Seq2SeqParse, TrackingNames.Seq2SeqModels, TrackingNames.Seq2SeqDiagnostics,
    };

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        // A broken declaration too, so the diagnostics step has items whose caching is checked.
        const string broken = "using RnnGen; [RnnModel(Cell.Gru, InputSize = 0, HiddenSize = 4)] partial class Broken;";
        const string brokenSeq2Seq = "using RnnGen; [Seq2SeqModel(SourceVocabulary = 0)] partial class BrokenTranslator;";
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Model, broken, Seq2Seq, brokenSeq2Seq, "class Other { int X => 1; }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        SyntaxTree other = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("class Other { int X => 2; int Y => 3; }", GeneratorHarness.ParseOptions, other.FilePath));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            foreach (IncrementalGeneratorRunStep run in StepsNamed(second, step))
            {
                foreach (var (_, reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"step {step} produced {reason} after an unrelated edit");
                }
            }
        }
        foreach (var (_, reason) in second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
        {
            Assert.Equal(IncrementalStepRunReason.Cached, reason);
        }
    }

    [Fact]
    public void Editing_the_model_file_without_changing_the_model_keeps_the_output_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Model);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(Model + "\n// a comment\n", GeneratorHarness.ParseOptions, tree.FilePath));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        IncrementalGeneratorRunStep models = Assert.Single(StepsNamed(second, TrackingNames.Models));
        Assert.All(models.Outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void Changing_the_attribute_regenerates()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Model);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(Model.Replace("HiddenSize = 8", "HiddenSize = 16"), GeneratorHarness.ParseOptions, tree.FilePath));
        GeneratorDriverRunResult run = driver.RunGenerators(edited).GetRunResult();
        GeneratorRunResult second = run.Results.Single();

        IncrementalGeneratorRunStep models = Assert.Single(StepsNamed(second, TrackingNames.Models));
        Assert.Contains(models.Outputs, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("public const int HiddenSize = 16;", run.GeneratedTrees.Single().ToString());
    }

    private static IEnumerable<IncrementalGeneratorRunStep> StepsNamed(GeneratorRunResult result, string name) =>
        result.TrackedSteps.TryGetValue(name, out var steps)
            ? steps
            : throw new InvalidOperationException($"No tracked step named {name}; tracked: {string.Join(", ", result.TrackedSteps.Keys)}");
}
