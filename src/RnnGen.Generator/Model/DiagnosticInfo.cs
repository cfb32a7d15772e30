using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RnnGen.Generator.Model;

/// <summary>
/// A diagnostic as plain data: descriptor id, a location as file path and spans (not a
/// <see cref="Location"/>, which would pin the syntax tree in the cache), and message arguments.
/// </summary>
internal sealed record DiagnosticInfo(
    string DescriptorId,
    LocationInfo? Location,
    EquatableArray<string> MessageArguments)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(
            Diagnostics.DiagnosticDescriptors.ById(DescriptorId),
            Location?.ToLocation(),
            MessageArguments.ToArrayOfObjects());
}

/// <summary>A source location without a reference to the syntax tree.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Microsoft.CodeAnalysis.Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

internal static class EquatableArrayExtensions
{
    public static object[] ToArrayOfObjects(this EquatableArray<string> items)
    {
        var result = new object[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            result[i] = items[i];
        }
        return result;
    }
}
