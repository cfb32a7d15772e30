using System;
using Microsoft.CodeAnalysis;

namespace RnnGen.Generator.Diagnostics;

/// <summary>Every diagnostic RnnGen reports. The catalogue with examples is docs/diagnostics.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "RnnGen";

    public static readonly DiagnosticDescriptor SizeMustBePositive = Error(
        "RNG0001", "Model size must be positive",
        "'{0}' must be a positive number, but it is {1}");

    public static readonly DiagnosticDescriptor RequiredArgumentMissing = Error(
        "RNG0002", "Required model argument is missing",
        "'{0}' is required: add '{0} = ...' to the [RnnModel] attribute of '{1}'");

    public static readonly DiagnosticDescriptor ClassMustBePartial = Error(
        "RNG0003", "Model class must be partial",
        "Class '{0}' must be declared 'partial' so that RnnGen can generate the model into it");

    public static readonly DiagnosticDescriptor ClassMustNotBeStatic = Error(
        "RNG0004", "Model class must not be static",
        "Class '{0}' is static; a model holds its parameters, so remove 'static'");

    public static readonly DiagnosticDescriptor ClassMustNotBeGeneric = Error(
        "RNG0005", "Model class must not be generic",
        "'{0}' is generic or nested in a generic type; declare the model on a non-generic class");

    public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = Error(
        "RNG0006", "Containing type must be partial",
        "Model '{0}' is nested in '{1}', which must also be declared 'partial'");

    public static readonly DiagnosticDescriptor NonlinearityOnlyForRnn = Error(
        "RNG0007", "Nonlinearity applies only to vanilla RNN cells",
        "'Nonlinearity = {0}' applies only to Cell.Rnn; a {1} cell has fixed gate activations: remove the argument or use Cell.Rnn");

    public static readonly DiagnosticDescriptor OutputSizeWithoutHead = Error(
        "RNG0008", "OutputSize given without a head",
        "OutputSize is {0} but Head is None: set 'Head = Head.Linear' (or Sigmoid, Softmax) or remove OutputSize");

    public static readonly DiagnosticDescriptor DuplicateAttribute = Error(
        "RNG0009", "Model declared more than once",
        "'{0}' already has an [RnnModel] attribute; a class declares exactly one model");

    public static readonly DiagnosticDescriptor SoftmaxNeedsTwoClasses = Error(
        "RNG0010", "Head needs at least two outputs",
        "Head.{1} needs OutputSize of at least 2, but it is {0}; {2}");

    public static readonly DiagnosticDescriptor UnknownEnumValue = Error(
        "RNG0011", "Unknown option value",
        "'{0}' has no value {1}; use one of: {2}");

    public static readonly DiagnosticDescriptor ModelTooLarge = Error(
        "RNG0012", "Model too large",
        "The model needs {0} parameters, more than the {1} a single float[] buffer holds; reduce the sizes");

    public static readonly DiagnosticDescriptor OptionRequiresCell = Error(
        "RNG0013", "Option does not apply to this cell",
        "'{0}' applies only to {1}; a {2} model cannot use it: remove the argument or change the cell");

    public static readonly DiagnosticDescriptor ProjectionNotSmaller = Error(
        "RNG0014", "Projection must be smaller than the hidden size",
        "ProjectionSize must be smaller than HiddenSize ({1}), but it is {0}; a projection that does not shrink the state only adds parameters");

    public static readonly DiagnosticDescriptor MergeWithoutBidirectional = Error(
        "RNG0015", "Merge mode without a second direction",
        "'Merge = Merge.{0}' needs 'Bidirectional = true': a unidirectional layer has nothing to merge");

    public static readonly DiagnosticDescriptor ProbabilityOutOfRange = Error(
        "RNG0016", "Dropout probability out of range",
        "'{0}' must be in [0, 1), but it is {1}");

    public static readonly DiagnosticDescriptor InputSizeAndEmbedding = Error(
        "RNG0017", "Both feature input and token input",
        "The model declares InputSize ({0}) and Vocabulary/EmbeddingSize: a model reads either feature vectors (InputSize) or token ids (Vocabulary + EmbeddingSize); remove one");

    public static readonly DiagnosticDescriptor EmbeddingIncomplete = Error(
        "RNG0018", "Token input needs both Vocabulary and EmbeddingSize",
        "'{0}' is given without '{1}': token input needs both Vocabulary and EmbeddingSize");

    public static readonly DiagnosticDescriptor PaddingIdOutOfRange = Error(
        "RNG0019", "Padding id outside the vocabulary",
        "PaddingId must be −1 (none) or a token id in 0..{1}, but it is {0}");

    public static readonly DiagnosticDescriptor PaddingIdWithoutVocabulary = Error(
        "RNG0020", "Padding id without token input",
        "PaddingId applies to token input: add Vocabulary and EmbeddingSize or remove PaddingId");

    public static readonly DiagnosticDescriptor DropoutWithOneLayer = Warning(
        "RNG0021", "Dropout between layers with a single layer",
        "Dropout = {0} has no effect with Layers = 1: it applies between stacked layers (use RecurrentDropout for the recurrent state)");

    public static readonly DiagnosticDescriptor CtcNeedsManyToMany = Error(
        "RNG0022", "CTC head needs one output per step",
        "Head.Ctc reads every step: set 'Sequence = Sequence.ManyToMany' (and OutputSize = labels + 1 for the blank)");

    public static readonly DiagnosticDescriptor AttentionNeedsManyToOneHead = Error(
        "RNG0023", "Attention pooling needs a many-to-one head",
        "'Attention = Attention.{0}' pools a sequence into one vector for the head: it needs a Head and 'Sequence = Sequence.ManyToOne'");

    public static readonly DiagnosticDescriptor GeneralAttentionNeedsDecoder = Error(
        "RNG0024", "General attention needs a second state",
        "Attention.General scores a decoder state against the outputs (Luong); to pool one sequence use Attention.Additive or Attention.Dot");

    public static readonly DiagnosticDescriptor AttentionSizeWithoutAdditive = Error(
        "RNG0025", "AttentionSize without additive attention",
        "AttentionSize sizes the hidden layer of Attention.Additive; remove it or set 'Attention = Attention.Additive'");

    public static readonly DiagnosticDescriptor Seq2SeqArgumentMissing = Error(
        "RNG0026", "Required encoder-decoder argument is missing",
        "'{0}' is required: add '{0} = ...' to the [Seq2SeqModel] attribute of '{1}'");

    public static readonly DiagnosticDescriptor DotAttentionSizeMismatch = Error(
        "RNG0027", "Dot attention needs equal state and output sizes",
        "Attention.Dot compares the decoder state with the encoder outputs, so DecoderHiddenSize ({0}) must equal the encoder output size {1} (EncoderHiddenSize x directions); change the sizes or use Attention.General or Attention.Additive");

    public static readonly DiagnosticDescriptor TokenIdOutOfRange = Error(
        "RNG0028", "Special token id outside the vocabulary",
        "'{0} = {1}' must be an id of the {2} (0..{3})");

    public static readonly DiagnosticDescriptor StartEqualsEnd = Error(
        "RNG0029", "Start and end ids are equal",
        "StartId and EndId are both {0}: the decoder's first input would read as the end of the output; give them different ids");

    public static readonly DiagnosticDescriptor ModelBaseClass = Error(
        "RNG0030", "Encoder-decoder class must not declare a base class",
        "'{0}' derives from '{1}', but a [Seq2SeqModel] class derives from RnnGen.Seq2Seq.Seq2SeqNetwork; remove the base class");

    public static readonly DiagnosticDescriptor ConflictingModelAttributes = Error(
        "RNG0031", "Class declares two kinds of model",
        "'{0}' has both [RnnModel] and [Seq2SeqModel]; a class declares one model: move one to another class");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "RNG9999", "RnnGen internal error",
        "RnnGen could not generate '{0}': {1}. This is a bug in RnnGen; please report it with the declaration.");

    private static readonly DiagnosticDescriptor[] All =
    {
        SizeMustBePositive, RequiredArgumentMissing, ClassMustBePartial, ClassMustNotBeStatic,
        ClassMustNotBeGeneric, ContainingTypeMustBePartial, NonlinearityOnlyForRnn, OutputSizeWithoutHead,
        DuplicateAttribute, SoftmaxNeedsTwoClasses, UnknownEnumValue, ModelTooLarge, OptionRequiresCell,
        ProjectionNotSmaller, MergeWithoutBidirectional, ProbabilityOutOfRange, InputSizeAndEmbedding,
        EmbeddingIncomplete, PaddingIdOutOfRange, PaddingIdWithoutVocabulary, DropoutWithOneLayer, CtcNeedsManyToMany, AttentionNeedsManyToOneHead,
        GeneralAttentionNeedsDecoder, AttentionSizeWithoutAdditive,
        Seq2SeqArgumentMissing, DotAttentionSizeMismatch, TokenIdOutOfRange, StartEqualsEnd, ModelBaseClass, ConflictingModelAttributes,
        InternalError,
    };

    public static DiagnosticDescriptor ById(string id)
    {
        foreach (DiagnosticDescriptor descriptor in All)
        {
            if (descriptor.Id == id)
            {
                return descriptor;
            }
        }
        throw new ArgumentException("Unknown diagnostic id " + id, nameof(id));
    }

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        Create(id, title, message, DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        Create(id, title, message, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true,
            helpLinkUri: "https://github.com/rnngen/rnngen/blob/main/docs/diagnostics.md#" + id.ToLowerInvariant());
}
