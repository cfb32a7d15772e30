using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Parsing;

/// <summary>
/// Turns a <c>[Seq2SeqModel]</c> declaration into a <see cref="Seq2SeqSpec"/> plus diagnostics (the only place
/// besides <see cref="Parser"/> that looks at symbols and syntax).
/// </summary>
internal static class Seq2SeqParser
{
    public const string Seq2SeqModelAttributeName = "RnnGen.Seq2SeqModelAttribute";

    public static Seq2SeqParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var classSyntax = (ClassDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            AttributeData? attribute = symbol.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Seq2SeqModelAttributeName);
            if (attribute is null || !Parser.DeclaredOn(attribute, classSyntax))
            {
                return new Seq2SeqParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
            }
            Location nameLocation = classSyntax.Identifier.GetLocation();
            if (symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Parser.RnnModelAttributeName))
            {
                diagnostics.Add(Parser.Info(DiagnosticDescriptors.ConflictingModelAttributes, nameLocation, symbol.Name));
            }
            if (symbol.BaseType is { SpecialType: not SpecialType.System_Object } baseType &&
                baseType.ToDisplayString() != "RnnGen.Seq2Seq.Seq2SeqNetwork")
            {
                diagnostics.Add(Parser.Info(DiagnosticDescriptors.ModelBaseClass, nameLocation, symbol.Name, baseType.ToDisplayString()));
            }
            TypeSpec? type = Parser.ParseType(symbol, classSyntax, diagnostics);
            Seq2SeqSpec? spec = ParseArguments(attribute, symbol, classSyntax, type, diagnostics, cancellationToken);
            return new Seq2SeqParseResult(Parser.HasErrors(diagnostics) ? null : spec, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnostics.Add(Parser.Info(DiagnosticDescriptors.InternalError, classSyntax.Identifier.GetLocation(),
                symbol.Name, ex.GetType().Name + ": " + ex.Message));
            return new Seq2SeqParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
    }

    private static Seq2SeqSpec? ParseArguments(AttributeData attribute, INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax,
        TypeSpec? type, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        Location attributeLocation = syntax?.GetLocation() ?? classSyntax.Identifier.GetLocation();
        var named = new Dictionary<string, TypedConstant>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
        {
            named[pair.Key] = pair.Value;
        }

        Location LocationOf(string name) =>
            syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation()
            ?? attributeLocation;

        int Int(string name, int defaultValue) => named.TryGetValue(name, out TypedConstant value) && value.Value is int i ? i : defaultValue;
        bool Bool(string name) => named.TryGetValue(name, out TypedConstant value) && value.Value is true;

        int Required(string name)
        {
            if (!named.ContainsKey(name))
            {
                diagnostics.Add(Parser.Info(DiagnosticDescriptors.Seq2SeqArgumentMissing, attributeLocation, name, symbol.Name));
                return 0;
            }
            return Positive(name, Int(name, 0));
        }

        int Positive(string name, int value)
        {
            if (value <= 0)
            {
                diagnostics.Add(Parser.Info(DiagnosticDescriptors.SizeMustBePositive, LocationOf(name), name, value.ToString(CultureInfo.InvariantCulture)));
            }
            return value;
        }

        int sourceVocabulary = Required("SourceVocabulary");
        int sourceEmbedding = Required("SourceEmbeddingSize");
        int targetVocabulary = Required("TargetVocabulary");
        int targetEmbedding = Required("TargetEmbeddingSize");
        int encoderHidden = Required("EncoderHiddenSize");
        int decoderHidden = Required("DecoderHiddenSize");
        int encoderLayers = Positive("EncoderLayers", Int("EncoderLayers", 1));
        int decoderLayers = Positive("DecoderLayers", Int("DecoderLayers", 1));
        bool bidirectional = Bool("Bidirectional");

        int encoderCell = Int("EncoderCell", (int)CellKind.Gru);
        int decoderCell = Int("DecoderCell", (int)CellKind.Gru);
        int attention = Int("Attention", (int)AttentionKind.None);
        Parser.CheckEnum<CellKind>("EncoderCell", encoderCell, LocationOf("EncoderCell"), diagnostics);
        Parser.CheckEnum<CellKind>("DecoderCell", decoderCell, LocationOf("DecoderCell"), diagnostics);
        bool attentionKnown = Parser.CheckEnum<AttentionKind>("Attention", attention, LocationOf("Attention"), diagnostics);

        int attentionSize = 0;
        if (attentionKnown && attention == (int)AttentionKind.Additive)
        {
            attentionSize = Required("AttentionSize");
        }
        else if (named.ContainsKey("AttentionSize"))
        {
            diagnostics.Add(Parser.Info(DiagnosticDescriptors.AttentionSizeWithoutAdditive, LocationOf("AttentionSize")));
        }

        int memory = (bidirectional ? 2 : 1) * encoderHidden;
        if (attention == (int)AttentionKind.Dot && encoderHidden > 0 && decoderHidden > 0 && decoderHidden != memory)
        {
            diagnostics.Add(Parser.Info(DiagnosticDescriptors.DotAttentionSizeMismatch, LocationOf("Attention"),
                decoderHidden.ToString(CultureInfo.InvariantCulture), memory.ToString(CultureInfo.InvariantCulture)));
        }

        int paddingId = Int("PaddingId", 0);
        int startId = Int("StartId", 2);
        int endId = Int("EndId", 3);
        void CheckId(string name, int value, int vocabulary, string what, bool allowNone)
        {
            if (vocabulary <= 0 || (allowNone && value == -1) || (value >= 0 && value < vocabulary)) return;
            diagnostics.Add(Parser.Info(DiagnosticDescriptors.TokenIdOutOfRange, LocationOf(name), name,
                value.ToString(CultureInfo.InvariantCulture), what, (vocabulary - 1).ToString(CultureInfo.InvariantCulture)));
        }
        CheckId("StartId", startId, targetVocabulary, "target vocabulary", allowNone: false);
        CheckId("EndId", endId, targetVocabulary, "target vocabulary", allowNone: false);
        CheckId("PaddingId", paddingId, Math.Min(sourceVocabulary, targetVocabulary), "source and target vocabularies, or -1 for none", allowNone: true);
        if (startId == endId)
        {
            diagnostics.Add(Parser.Info(DiagnosticDescriptors.StartEqualsEnd, LocationOf(named.ContainsKey("EndId") ? "EndId" : "StartId"),
                startId.ToString(CultureInfo.InvariantCulture)));
        }

        if (type is null || Parser.HasErrors(diagnostics))
        {
            return null;
        }
        var spec = new Seq2SeqSpec(type, sourceVocabulary, sourceEmbedding, targetVocabulary, targetEmbedding,
            (CellKind)encoderCell, encoderHidden, encoderLayers, bidirectional, (CellKind)decoderCell, decoderHidden, decoderLayers,
            (AttentionKind)attention, attentionSize, paddingId, startId, endId);
        long count = 0;
        foreach (Seq2SeqTensor tensor in Seq2SeqTensors.Build(spec)) count += tensor.Length;
        if (count > Parser.MaxParameterCount)
        {
            diagnostics.Add(Parser.Info(DiagnosticDescriptors.ModelTooLarge, attributeLocation,
                count.ToString(CultureInfo.InvariantCulture), Parser.MaxParameterCount.ToString(CultureInfo.InvariantCulture)));
            return null;
        }
        return spec;
    }
}
