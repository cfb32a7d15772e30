using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Diagnostics;

namespace RnnGen.Generator.Tests.Diagnostics;

/// <summary>Every descriptor is documented in docs/diagnostics.md and tracked in AnalyzerReleases.Unshipped.md.</summary>
public class DiagnosticCatalogueTests
{
    [Fact]
    public void Every_diagnostic_is_documented_and_release_tracked()
    {
        string root = RepositoryRoot();
        string catalogue = File.ReadAllText(Path.Combine(root, "docs", "diagnostics.md"));
        string releases = File.ReadAllText(Path.Combine(root, "src", "RnnGen.Generator", "AnalyzerReleases.Unshipped.md"));
        DiagnosticDescriptor[] descriptors = typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetValue(null))
            .OfType<DiagnosticDescriptor>()
            .ToArray();
        Assert.True(descriptors.Length >= 25, $"found only {descriptors.Length} descriptors");
        Assert.Equal(descriptors.Length, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (DiagnosticDescriptor d in descriptors)
        {
            Assert.Contains($"<a id=\"{d.Id.ToLowerInvariant()}\"></a>{d.Id}", catalogue);
            Assert.Contains($"{d.Id} | RnnGen | {d.DefaultSeverity} | {d.Title}", releases);
            Assert.Same(d, DiagnosticDescriptors.ById(d.Id));
        }
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
