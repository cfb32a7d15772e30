using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using RnnGen.Generator.Emitting;
using RnnGen.Generator.Model;
using RnnGen.Generator.Parsing;

namespace RnnGen.Generator;

/// <summary>
/// The RnnGen incremental generator. Pipeline only: find <c>[RnnModel]</c> classes, parse each into
/// a value-equatable <see cref="ModelSpec"/> with diagnostics, then report diagnostics and emit
/// source in two separate outputs (a cached model never holds on to syntax trees).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RnnGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.RnnModelAttributeName,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics.ToImmutableArray())
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<ModelSpec> models = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Models);

        context.RegisterSourceOutput(diagnostics, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));

        context.RegisterSourceOutput(models, static (spc, spec) =>
        {
            string source;
            try
            {
                source = ModelEmitter.Emit(spec);
            }
            catch (System.Exception ex)
            {
                // An emitter bug must not crash the build or leave half a file: report it instead.
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.DiagnosticDescriptors.InternalError, Location.None,
                    spec.Type.FullName, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            spc.AddSource(spec.Type.FullName + ".RnnModel.g.cs", SourceText.From(source, Encoding.UTF8));
        });

        // [Seq2SeqModel]: the same shape of pipeline, its own parser, spec and emitter.
        IncrementalValuesProvider<Seq2SeqParseResult> seq2seq = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Seq2SeqParser.Seq2SeqModelAttributeName,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, ct) => Seq2SeqParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Seq2SeqParse);

        context.RegisterSourceOutput(
            seq2seq.SelectMany(static (result, _) => result.Diagnostics.ToImmutableArray()).WithTrackingName(TrackingNames.Seq2SeqDiagnostics),
            static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));

        IncrementalValuesProvider<Seq2SeqSpec> seq2seqModels = seq2seq
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Seq2SeqModels);

        context.RegisterSourceOutput(seq2seqModels, static (spc, spec) =>
        {
            string source;
            try
            {
                source = Seq2SeqEmitter.Emit(spec);
            }
            catch (System.Exception ex)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.DiagnosticDescriptors.InternalError, Location.None,
                    spec.Type.FullName, ex.GetType().Name + ": " + ex.Message));
                return;
            }
            spc.AddSource(spec.Type.FullName + ".Seq2SeqModel.g.cs", SourceText.From(source, Encoding.UTF8));
        });
    }
}
