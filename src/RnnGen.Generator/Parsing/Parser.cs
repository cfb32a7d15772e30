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
        bool hasErrors = diagnostics.Count > 0;

        // Extra attributes are errors, but the first one still generates its model so the rest of the
        // user's code keeps compiling and the only error is the one that says what to fix.
        for (int i = 1; i < all.Length; i++)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.DuplicateAttribute, AttributeLocation(all[i]), symbol.Name));
        }
        return new ParseResult(hasErrors ? null : spec, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    private static TypeSpec? ParseType(INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax, List<DiagnosticInfo> diagnostics)
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

        int inputSize = RequiredSize("InputSize");
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
                diagnostics.Add(Info(DiagnosticDescriptors.SoftmaxNeedsTwoClasses, LocationOf("OutputSize"), "1"));
            }
        }

        int sequenceValue = IntArgument("Sequence", (int)SequenceMode.ManyToMany);
        CheckEnum<SequenceMode>("Sequence", sequenceValue, LocationOf("Sequence"), diagnostics);

        if (diagnostics.Count > 0 || typeSpec is null)
        {
            return null;
        }

        var spec = new ModelSpec(typeSpec, cell, (NonlinearityKind)nonlinearityValue, inputSize, hiddenSize, layers,
            bidirectional, head, outputSize, (SequenceMode)sequenceValue);
        long parameterCount = ParameterLayout.CountParameters(spec);
        if (parameterCount > MaxParameterCount)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.ModelTooLarge, attributeLocation,
                parameterCount.ToString(CultureInfo.InvariantCulture), MaxParameterCount.ToString(CultureInfo.InvariantCulture)));
            return null;
        }
        return spec;
    }

    private static bool CheckEnum<TEnum>(string name, int value, Location location, List<DiagnosticInfo> diagnostics)
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
        _ => "Sequence",
    };

    private static bool DeclaredOn(AttributeData attribute, ClassDeclarationSyntax declaration) =>
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

    private static DiagnosticInfo Info(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments));
}
