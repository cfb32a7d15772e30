using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;

namespace RnnGen.Generator.Tests.Documentation;

/// <summary>
/// docs/dsl.md is the declaration reference: every argument of <c>[RnnModel]</c> and <c>[Seq2SeqModel]</c> has a row
/// with an example that uses it, and every example there is a declaration the generator accepts without a diagnostic.
/// </summary>
public class DeclarationReferenceTests
{
    private const string Ellipsis = "…";

    private static readonly Lazy<string> s_reference = new(() => File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "dsl.md")));

    [Fact]
    public void Every_RnnModel_argument_has_a_row_with_an_example_that_uses_it() =>
        AssertEveryArgumentDocumented(typeof(RnnModelAttribute), Rows("## `[RnnModel]` arguments"), constructorArgument: "Cell");

    [Fact]
    public void Every_Seq2SeqModel_argument_has_a_row_with_an_example_that_uses_it() =>
        AssertEveryArgumentDocumented(typeof(Seq2SeqModelAttribute), Rows("## `[Seq2SeqModel]` arguments"), constructorArgument: null);

    [Fact]
    public void Every_example_in_the_reference_generates_without_a_diagnostic()
    {
        var declarations = new List<string>();
        declarations.AddRange(Rows("## `[RnnModel]` arguments").Select(r => r.Example));
        declarations.AddRange(Rows("## `[Seq2SeqModel]` arguments").Select(r => ExpandSeq2Seq(r.Example)));
        declarations.AddRange(Section("## Recipes: common combinations").SelectMany(l => Regex.Matches(l, @"`(\[RnnModel\([^`]*\)\])`")).Select(m => m.Groups[1].Value));
        string[] seq2seqBlocks = CodeBlocks("## `[Seq2SeqModel]` arguments").ToArray();
        Assert.Equal(2, seq2seqBlocks.Length); // the minimal declaration and the one with every argument
        declarations.AddRange(seq2seqBlocks.Select(AttributeOf));
        Assert.True(declarations.Count >= 50, $"found only {declarations.Count} examples");

        var source = new StringBuilder("using RnnGen;\n");
        for (int i = 0; i < declarations.Count; i++) source.Append(declarations[i]).Append("\npublic partial class ReferenceModel").Append(i).Append(";\n");
        var (result, output) = GeneratorHarness.Run(source.ToString());

        string Describe(Diagnostic d)
        {
            FileLinePositionSpan span = d.Location.GetLineSpan();
            int line = span.StartLinePosition.Line;
            bool inReference = span.Path == "Model0.cs" && line >= 1 && line <= declarations.Count * 2;
            string text = inReference ? declarations[(line - 1) / 2] : $"generated code ({span})";
            return $"{d.Id} {d.GetMessage()} in {text}";
        }
        Assert.True(result.Diagnostics.IsEmpty, string.Join("\n", result.Diagnostics.Select(Describe)));
        Assert.Equal(declarations.Count, result.GeneratedTrees.Length);
        var problems = GeneratorHarness.CompilationProblems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Select(Describe)));
    }

    private static void AssertEveryArgumentDocumented(Type attribute, IReadOnlyList<(string Name, string Example)> rows, string? constructorArgument)
    {
        string[] arguments = attribute.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => p.Name).ToArray();
        Assert.True(arguments.Length >= 16, $"{attribute.Name} has only {arguments.Length} properties");
        var missing = new List<string>();
        foreach (string name in arguments)
        {
            (string Name, string Example)[] row = rows.Where(r => r.Name == name).ToArray();
            if (row.Length != 1)
            {
                missing.Add($"{name}: {row.Length} rows");
                continue;
            }
            bool used = name == constructorArgument
                ? row[0].Example.Contains($"({name}.", StringComparison.Ordinal)
                : Regex.IsMatch(row[0].Example, $@"[(,]\s*{name}\s*=");
            if (!used) missing.Add($"{name}: the example '{row[0].Example}' does not set it");
        }
        Assert.True(missing.Count == 0, $"docs/dsl.md, {attribute.Name}:\n" + string.Join("\n", missing));
        string[] extra = rows.Select(r => r.Name).Where(n => !arguments.Contains(n)).ToArray();
        Assert.True(extra.Length == 0, $"docs/dsl.md documents arguments {attribute.Name} does not have: {string.Join(", ", extra)}");
    }

    /// <summary>The table rows of a section: the first cell's name (in backticks) and the last cell's code.</summary>
    private static List<(string Name, string Example)> Rows(string heading)
    {
        var rows = new List<(string, string)>();
        foreach (string line in Section(heading))
        {
            Match row = Regex.Match(line, @"^\| `([^`]+)`[^|]*\|.*\| `([^`]+)` \|\s*$");
            if (row.Success) rows.Add((row.Groups[1].Value, row.Groups[2].Value));
        }
        Assert.True(rows.Count > 0, $"no table rows under '{heading}'");
        return rows;
    }

    private static IEnumerable<string> CodeBlocks(string heading)
    {
        StringBuilder? block = null;
        foreach (string line in Section(heading))
        {
            if (line.StartsWith("```csharp", StringComparison.Ordinal)) block = new StringBuilder();
            else if (line.StartsWith("```", StringComparison.Ordinal) && block is not null)
            {
                yield return block.ToString();
                block = null;
            }
            else block?.AppendLine(line);
        }
    }

    private static IEnumerable<string> Section(string heading)
    {
        string[] lines = s_reference.Value.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"docs/dsl.md has no heading '{heading}'");
        for (int i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++) yield return lines[i];
    }

    /// <summary>The attribute of a code block, comments dropped: "[Seq2SeqModel(...)]".</summary>
    private static string AttributeOf(string block)
    {
        string code = string.Join(" ", block.Split('\n').Select(l => Regex.Replace(l, "//.*$", "").Trim()));
        Match attribute = Regex.Match(code, @"\[Seq2SeqModel\(.*?\)\]");
        Assert.True(attribute.Success, $"no [Seq2SeqModel(...)] in\n{block}");
        return attribute.Value;
    }

    /// <summary>Replaces "…" in a [Seq2SeqModel] example with the minimal declaration's arguments it does not set itself.</summary>
    private static string ExpandSeq2Seq(string example)
    {
        string minimal = AttributeOf(CodeBlocks("## `[Seq2SeqModel]` arguments").First());
        Assert.Contains(Ellipsis, example);
        string[] set = Regex.Matches(example, @"(\w+)\s*=").Select(m => m.Groups[1].Value).ToArray();
        IEnumerable<string> rest = Regex.Matches(minimal, @"(\w+)\s*=\s*[^,)]+").Select(m => m.Value.Trim()).Where(a => !set.Contains(a.Split('=')[0].Trim()));
        return example.Replace(Ellipsis, string.Join(", ", rest), StringComparison.Ordinal);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}
