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
    }
}
