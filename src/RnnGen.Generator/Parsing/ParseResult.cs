using RnnGen.Generator.Model;

namespace RnnGen.Generator.Parsing;

/// <summary>What the parser found for one attributed class: a model to emit (null when the
/// declaration has errors) and the diagnostics to report.</summary>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
