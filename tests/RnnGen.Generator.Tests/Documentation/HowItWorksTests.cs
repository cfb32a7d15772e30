using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace RnnGen.Generator.Tests.Documentation;

/// <summary>
/// docs/how-it-works.md shows excerpts of generated code under headings that name a snapshot file; every excerpt
/// line must still occur in that snapshot (a line with "..." only up to the "..."), so the page follows the emitter.
/// </summary>
public class HowItWorksTests
{
    [Fact]
    public void Every_excerpt_occurs_in_the_snapshot_its_heading_names()
    {
        string root = RepositoryRoot();
        string[] lines = File.ReadAllText(Path.Combine(root, "docs", "how-it-works.md")).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var problems = new List<string>();
        int checkedLines = 0, sections = 0;
        string[]? snapshot = null;
        string snapshotName = "";
        bool inCode = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Match named = Regex.Match(line, @"\((tests/RnnGen\.Generator\.Tests/Snapshots/[^)]+\.verified\.cs)\)");
                snapshotName = named.Success ? named.Groups[1].Value : "";
                snapshot = named.Success ? File.ReadAllLines(Path.Combine(root, snapshotName)).Select(l => l.Trim()).ToArray() : null;
                if (named.Success) sections++;
                continue;
            }
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode && line.StartsWith("```csharp", StringComparison.Ordinal);
                continue;
            }
            if (!inCode || snapshot is null) continue;
            string text = line.Trim();
            if (text.Length == 0 || text == "...") continue;
            int cut = text.IndexOf("...", StringComparison.Ordinal);
            string core = cut >= 0 ? text[..cut].Trim() : text;
            bool found = cut >= 0 ? snapshot.Any(s => s.Contains(core, StringComparison.Ordinal)) : snapshot.Contains(text);
            if (!found) problems.Add($"line {i + 1}: '{text}' is not in {snapshotName}");
            checkedLines++;
        }
        Assert.True(sections >= 2, $"only {sections} sections name a snapshot");
        Assert.True(checkedLines >= 40, $"only {checkedLines} excerpt lines checked");
        Assert.True(problems.Count == 0, "docs/how-it-works.md is out of date:\n" + string.Join("\n", problems));
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
