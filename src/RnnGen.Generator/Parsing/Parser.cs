using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnGen.Generator.Diagnostics;
using RnnGen.Generator.Model;

namespace RnnGen.Generator.Parsing;

/// <summary>
/// Turns an <c>[RnnModel]</c> declaration into a <see cref="ModelSpec"/> plus diagnostics. This is
/// the only place that looks at symbols and syntax; everything after it sees plain values.
/// </summary>
internal static class Parser
{
    public const string RnnModelAttributeName = "RnnGen.RnnModelAttribute";

    /// <summary>Largest flat parameter buffer: a single float[] (Array.MaxLength).</summary>
    public const long MaxParameterCount = 0x7FFFFFC7;

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var classSyntax = (ClassDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            return ParseCore(context, symbol, classSyntax, diagnostics, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Never crash the compiler: an unexpected failure becomes a diagnostic on the class.
            diagnostics.Add(Info(DiagnosticDescriptors.InternalError, classSyntax.Identifier.GetLocation(),
                symbol.Name, ex.GetType().Name + ": " + ex.Message));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
    }

    private static ParseResult ParseCore(GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol,
        ClassDeclarationSyntax classSyntax, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        // A class may carry the attribute on several partial declarations; FAWMN then calls us once per
        // declaration. Only the declaration holding the first attribute reports and emits.
        ImmutableArray<AttributeData> all = symbol.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == RnnModelAttributeName)
            .ToImmutableArray();
        if (all.Length == 0)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }
        AttributeData attribute = all[0];
        if (!DeclaredOn(attribute, classSyntax))
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }
        TypeSpec? typeSpec = ParseType(symbol, classSyntax, diagnostics);
        ModelSpec? spec = ParseArguments(attribute, symbol, classSyntax, typeSpec, diagnostics, cancellationToken);
        bool hasErrors = HasErrors(diagnostics);

        // Extra attributes are errors, but the first one still generates its model so the rest of the
        // user's code keeps compiling and the only error is the one that says what to fix.
        for (int i = 1; i < all.Length; i++)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.DuplicateAttribute, AttributeLocation(all[i]), symbol.Name));
        }
        return new ParseResult(hasErrors ? null : spec, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    internal static TypeSpec? ParseType(INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax, List<DiagnosticInfo> diagnostics)
    {
        Location nameLocation = classSyntax.Identifier.GetLocation();
        bool ok = true;
        if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.ClassMustBePartial, nameLocation, symbol.Name));
            ok = false;
        }
        if (symbol.IsStatic)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.ClassMustNotBeStatic, nameLocation, symbol.Name));
            ok = false;
        }

        var containing = new List<string>();
        for (INamedTypeSymbol? type = symbol; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ClassMustNotBeGeneric, nameLocation, symbol.ToDisplayString()));
                return null;
            }
            if (!ReferenceEquals(type, symbol))
            {
                if (!IsPartial(type))
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContainingTypeMustBePartial, nameLocation, symbol.Name, type.Name));
                    ok = false;
                }
                containing.Insert(0, DeclarationKeyword(type) + " " + type.Name);
            }
        }
        if (!ok)
        {
            return null;
        }

        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString();
        string fullName = symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return new TypeSpec(ns, symbol.Name, fullName, new EquatableArray<string>(containing));
    }

    private static ModelSpec? ParseArguments(AttributeData attribute, INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax,
        TypeSpec? typeSpec, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        Location attributeLocation = syntax?.GetLocation() ?? classSyntax.Identifier.GetLocation();

        // The constructor argument: the cell.
        Location cellLocation = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.GetLocation() ?? attributeLocation;
        int cellValue = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int c ? c : 0;
        var cell = (CellKind)cellValue;
        bool cellKnown = CheckEnum<CellKind>("Cell", cellValue, cellLocation, diagnostics);

        var named = new Dictionary<string, TypedConstant>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
        {
            named[pair.Key] = pair.Value;
        }

        Location LocationOf(string name)
        {
            AttributeArgumentSyntax? argument = syntax?.ArgumentList?.Arguments
                .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return argument?.GetLocation() ?? attributeLocation;
        }

        int IntArgument(string name, int defaultValue) =>
            named.TryGetValue(name, out TypedConstant value) && value.Value is int i ? i : defaultValue;

        int RequiredSize(string name)
        {
            if (!named.ContainsKey(name))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.RequiredArgumentMissing, attributeLocation, name, symbol.Name));
                return 0;
            }
            return PositiveSize(name, IntArgument(name, 0));
        }

        int PositiveSize(string name, int value)
        {
            if (value <= 0)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.SizeMustBePositive, LocationOf(name), name,
                    value.ToString(CultureInfo.InvariantCulture)));
            }
            return value;
        }

        // Input: feature vectors (InputSize) or token ids (Vocabulary + EmbeddingSize).
        bool tokens = named.ContainsKey("Vocabulary") || named.ContainsKey("EmbeddingSize");
        int inputSize = 0, vocabulary = 0, embeddingSize = 0;
        if (tokens)
        {
            if (named.ContainsKey("InputSize"))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.InputSizeAndEmbedding, LocationOf("InputSize"),
                    IntArgument("InputSize", 0).ToString(CultureInfo.InvariantCulture)));
            }
            if (!named.ContainsKey("Vocabulary"))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.EmbeddingIncomplete, LocationOf("EmbeddingSize"), "EmbeddingSize", "Vocabulary"));
            }
            else if (!named.ContainsKey("EmbeddingSize"))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.EmbeddingIncomplete, LocationOf("Vocabulary"), "Vocabulary", "EmbeddingSize"));
            }
            else
            {
                vocabulary = PositiveSize("Vocabulary", IntArgument("Vocabulary", 0));
                embeddingSize = PositiveSize("EmbeddingSize", IntArgument("EmbeddingSize", 0));
            }
        }
        else
        {
            inputSize = RequiredSize("InputSize");
        }
        int paddingId = IntArgument("PaddingId", -1);
        if (named.ContainsKey("PaddingId"))
        {
            if (!tokens)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.PaddingIdWithoutVocabulary, LocationOf("PaddingId")));
            }
            else if (vocabulary > 0 && (paddingId < -1 || paddingId >= vocabulary))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.PaddingIdOutOfRange, LocationOf("PaddingId"),
                    paddingId.ToString(CultureInfo.InvariantCulture), (vocabulary - 1).ToString(CultureInfo.InvariantCulture)));
            }
        }

        int hiddenSize = RequiredSize("HiddenSize");
        int layers = PositiveSize("Layers", IntArgument("Layers", 1));
        bool bidirectional = named.TryGetValue("Bidirectional", out TypedConstant bi) && bi.Value is true;

        int nonlinearityValue = IntArgument("Nonlinearity", 0);
        bool nonlinearityKnown = CheckEnum<NonlinearityKind>("Nonlinearity", nonlinearityValue, LocationOf("Nonlinearity"), diagnostics);
        if (cellKnown && nonlinearityKnown && cell != CellKind.Rnn && named.ContainsKey("Nonlinearity"))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.NonlinearityOnlyForRnn, LocationOf("Nonlinearity"),
                ((NonlinearityKind)nonlinearityValue).ToString(), "Cell." + cell));
        }

        // Cell options.
        bool peepholes = named.TryGetValue("Peepholes", out TypedConstant peep) && peep.Value is true;
        if (cellKnown && peepholes && cell != CellKind.Lstm)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.OptionRequiresCell, LocationOf("Peepholes"), "Peepholes", "Cell.Lstm", "Cell." + cell));
        }
        int projectionSize = 0;
        if (named.ContainsKey("ProjectionSize"))
        {
            projectionSize = PositiveSize("ProjectionSize", IntArgument("ProjectionSize", 0));
            if (cellKnown && cell != CellKind.Lstm)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.OptionRequiresCell, LocationOf("ProjectionSize"), "ProjectionSize", "Cell.Lstm", "Cell." + cell));
            }
            else if (projectionSize > 0 && hiddenSize > 0 && projectionSize >= hiddenSize)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ProjectionNotSmaller, LocationOf("ProjectionSize"),
                    projectionSize.ToString(CultureInfo.InvariantCulture), hiddenSize.ToString(CultureInfo.InvariantCulture)));
            }
        }
        bool layerNorm = named.TryGetValue("LayerNorm", out TypedConstant ln) && ln.Value is true;
        if (cellKnown && layerNorm && cell == CellKind.Rnn)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.OptionRequiresCell, LocationOf("LayerNorm"), "LayerNorm", "Cell.Lstm and Cell.Gru", "Cell.Rnn"));
        }
        int gruVariantValue = IntArgument("GruVariant", 0);
        bool gruVariantKnown = CheckEnum<GruVariantKind>("GruVariant", gruVariantValue, LocationOf("GruVariant"), diagnostics);
        if (cellKnown && gruVariantKnown && named.ContainsKey("GruVariant") && cell != CellKind.Gru)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.OptionRequiresCell, LocationOf("GruVariant"), "GruVariant", "Cell.Gru", "Cell." + cell));
        }
        int mergeValue = IntArgument("Merge", 0);
        bool mergeKnown = CheckEnum<MergeKind>("Merge", mergeValue, LocationOf("Merge"), diagnostics);
        if (mergeKnown && named.ContainsKey("Merge") && !bidirectional)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.MergeWithoutBidirectional, LocationOf("Merge"), ((MergeKind)mergeValue).ToString()));
        }
        double Probability(string name)
        {
            double value = named.TryGetValue(name, out TypedConstant constant) && constant.Value is double d ? d : 0;
            if (!(value >= 0 && value < 1))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ProbabilityOutOfRange, LocationOf(name), name,
                    value.ToString("R", CultureInfo.InvariantCulture)));
                return 0;
            }
            return value;
        }
        double dropout = Probability("Dropout");
        if (dropout > 0 && layers == 1)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.DropoutWithOneLayer, LocationOf("Dropout"), dropout.ToString("R", CultureInfo.InvariantCulture)));
        }
        double recurrentDropout = Probability("RecurrentDropout");
        if (cellKnown && recurrentDropout > 0 && cell == CellKind.Rnn)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.OptionRequiresCell, LocationOf("RecurrentDropout"), "RecurrentDropout", "Cell.Lstm and Cell.Gru", "Cell.Rnn"));
        }
        int initValue = IntArgument("Initialization", 0);
        CheckEnum<InitKind>("Initialization", initValue, LocationOf("Initialization"), diagnostics);

        int headValue = IntArgument("Head", 0);
        bool headKnown = CheckEnum<HeadKind>("Head", headValue, LocationOf("Head"), diagnostics);
        var head = (HeadKind)headValue;
        int outputSize = IntArgument("OutputSize", 0);
        if (headKnown && head == HeadKind.None)
        {
            if (named.ContainsKey("OutputSize"))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.OutputSizeWithoutHead, LocationOf("OutputSize"),
                    outputSize.ToString(CultureInfo.InvariantCulture)));
            }
        }
        else if (headKnown)
        {
            outputSize = RequiredSize("OutputSize");
            if (head == HeadKind.Softmax && outputSize == 1)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.SoftmaxNeedsTwoClasses, LocationOf("OutputSize"), "1", "Softmax",
                    "for a single probability use Head.Sigmoid"));
            }
            if (head == HeadKind.Ctc && outputSize == 1)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.SoftmaxNeedsTwoClasses, LocationOf("OutputSize"), "1", "Ctc",
                    "a CTC head has the blank (index 0) plus at least one label"));
            }
        }

        int sequenceValue = IntArgument("Sequence", (int)SequenceMode.ManyToMany);
        bool sequenceKnown = CheckEnum<SequenceMode>("Sequence", sequenceValue, LocationOf("Sequence"), diagnostics);
        if (headKnown && sequenceKnown && head == HeadKind.Ctc && sequenceValue != (int)SequenceMode.ManyToMany)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.CtcNeedsManyToMany, named.ContainsKey("Sequence") ? LocationOf("Sequence") : LocationOf("Head")));
        }

        int attentionValue = IntArgument("Attention", 0);
        bool attentionKnown = CheckEnum<AttentionKind>("Attention", attentionValue, LocationOf("Attention"), diagnostics);
        var attention = (AttentionKind)attentionValue;
        int attentionSize = 0;
        if (attentionKnown && attention == AttentionKind.General)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.GeneralAttentionNeedsDecoder, LocationOf("Attention")));
        }
        else if (attentionKnown && attention != AttentionKind.None && headKnown && sequenceKnown &&
                 (head == HeadKind.None || sequenceValue != (int)SequenceMode.ManyToOne))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.AttentionNeedsManyToOneHead, LocationOf("Attention"), attention.ToString()));
        }
        if (named.ContainsKey("AttentionSize"))
        {
            if (attention != AttentionKind.Additive)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.AttentionSizeWithoutAdditive, LocationOf("AttentionSize")));
            }
            else
            {
                attentionSize = PositiveSize("AttentionSize", IntArgument("AttentionSize", 0));
            }
        }

        if (HasErrors(diagnostics) || typeSpec is null)
        {
            return null;
        }

        var spec = new ModelSpec(typeSpec, cell, (NonlinearityKind)nonlinearityValue, inputSize, hiddenSize, layers,
            bidirectional, head, outputSize, (SequenceMode)sequenceValue,
            vocabulary, embeddingSize, paddingId, peepholes, projectionSize, layerNorm, (GruVariantKind)gruVariantValue,
            (MergeKind)mergeValue, dropout, recurrentDropout, (InitKind)initValue, attention, attentionSize);
        if (attention == AttentionKind.Additive && attentionSize == 0)
        {
            spec = spec with { AttentionSize = spec.LayerOutputSize };
        }
        long parameterCount = ParameterLayout.CountParameters(spec);
        if (parameterCount > MaxParameterCount)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.ModelTooLarge, attributeLocation,
                parameterCount.ToString(CultureInfo.InvariantCulture), MaxParameterCount.ToString(CultureInfo.InvariantCulture)));
            return null;
        }
        return spec;
    }

    internal static bool HasErrors(List<DiagnosticInfo> diagnostics) =>
        diagnostics.Any(d => DiagnosticDescriptors.ById(d.DescriptorId).DefaultSeverity == DiagnosticSeverity.Error);

    internal static bool CheckEnum<TEnum>(string name, int value, Location location, List<DiagnosticInfo> diagnostics)
        where TEnum : struct, Enum
    {
        if (Enum.IsDefined(typeof(TEnum), value))
        {
            return true;
        }
        string options = string.Join(", ", Enum.GetNames(typeof(TEnum)).Select(n => RuntimeEnumName<TEnum>() + "." + n));
        diagnostics.Add(Info(DiagnosticDescriptors.UnknownEnumValue, location, name,
            value.ToString(CultureInfo.InvariantCulture), options));
        return false;
    }

    private static string RuntimeEnumName<TEnum>() => typeof(TEnum).Name switch
    {
        nameof(CellKind) => "Cell",
        nameof(NonlinearityKind) => "Nonlinearity",
        nameof(HeadKind) => "Head",
        nameof(MergeKind) => "Merge",
        nameof(GruVariantKind) => "GruVariant",
        nameof(InitKind) => "WeightInit",
        nameof(AttentionKind) => "Attention",
        _ => "Sequence",
    };

    internal static bool DeclaredOn(AttributeData attribute, ClassDeclarationSyntax declaration) =>
        attribute.ApplicationSyntaxReference is { } reference &&
        reference.SyntaxTree == declaration.SyntaxTree &&
        declaration.Span.Contains(reference.Span);

    private static Location? AttributeLocation(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference is { } reference
            ? Location.Create(reference.SyntaxTree, reference.Span)
            : null;

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0 &&
        type.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string DeclarationKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "partial record struct",
        { IsRecord: true } => "partial record",
        { TypeKind: TypeKind.Struct } => "partial struct",
        { TypeKind: TypeKind.Interface } => "partial interface",
        _ => "partial class",
    };

    internal static DiagnosticInfo Info(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments));
}
