using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace RnnGen.Text.Readers;

/// <summary>A sentence of a column file: its tokens, one tag per token, and the 1-based line of its first token.</summary>
public sealed record TaggedSentence(IReadOnlyList<string> Tokens, IReadOnlyList<string> Tags, int Line);

/// <summary>Settings of <see cref="ConllReader"/>.</summary>
public sealed class ConllOptions
{
    /// <summary>0-based column of the token.</summary>
    public int TokenColumn { get; init; }

    /// <summary>0-based column of the tag; −1 = the last column (CoNLL-2003 NER).</summary>
    public int TagColumn { get; init; } = -1;

    /// <summary>Columns are separated by single tabs only (CoNLL-U, where tokens may contain spaces); default: runs of spaces or tabs.</summary>
    public bool TabSeparated { get; init; }
}

/// <summary>
/// Reads CoNLL-style column files: one token per line with whitespace-separated columns (token … tag), a blank
/// line between sentences; lines starting with "# " (or equal to "#") are comments and lines starting with
/// "-DOCSTART-" are skipped. Every token line must have the column count of the first. Malformed lines throw
/// <see cref="InvalidDataException"/> "<c>file, line N: …</c>".
/// </summary>
public static class ConllReader
{
    public static List<TaggedSentence> Read(string path, ConllOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return Read(reader, Path.GetFileName(path), options);
    }

    public static List<TaggedSentence> Read(TextReader reader, string sourceName, ConllOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= new ConllOptions();
        if (options.TokenColumn < 0) throw new ArgumentOutOfRangeException(nameof(options), options.TokenColumn, "Expected TokenColumn ≥ 0.");
        if (options.TagColumn < -1) throw new ArgumentOutOfRangeException(nameof(options), options.TagColumn, "Expected TagColumn ≥ 0 or −1 (last).");
        var result = new List<TaggedSentence>();
        var tokens = new List<string>();
        var tags = new List<string>();
        int lineNumber = 0, sentenceLine = 0, columns = -1, columnsLine = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (line.AsSpan().Trim().IsEmpty)
            {
                Flush();
                continue;
            }
            if (line.StartsWith("# ", StringComparison.Ordinal) || line == "#" || line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
                continue;
            string[] fields = options.TabSeparated
                ? line.TrimEnd('\r').Split('\t')
                : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int tagColumn = options.TagColumn < 0 ? fields.Length - 1 : options.TagColumn;
            int needed = Math.Max(options.TokenColumn, options.TagColumn < 0 ? 1 : options.TagColumn) + 1;
            if (fields.Length < needed)
                throw DelimitedTextReader.Error(sourceName, lineNumber,
                    $"missing tag: expected at least {needed} columns (token column {options.TokenColumn}, tag column {(options.TagColumn < 0 ? "last" : options.TagColumn.ToString(System.Globalization.CultureInfo.InvariantCulture))}), but found {fields.Length} in '{line}'");
            if (columns < 0)
            {
                columns = fields.Length;
                columnsLine = lineNumber;
            }
            else if (fields.Length != columns)
                throw DelimitedTextReader.Error(sourceName, lineNumber,
                    $"expected {columns} columns (like line {columnsLine}), but found {fields.Length} in '{line}'");
            if (fields[options.TokenColumn].Length == 0 || fields[tagColumn].Length == 0)
                throw DelimitedTextReader.Error(sourceName, lineNumber, $"empty {(fields[options.TokenColumn].Length == 0 ? "token" : "tag")} in '{line}'");
            if (tokens.Count == 0) sentenceLine = lineNumber;
            tokens.Add(fields[options.TokenColumn]);
            tags.Add(fields[tagColumn]);
        }
        Flush();
        return result;

        void Flush()
        {
            if (tokens.Count == 0) return;
            result.Add(new TaggedSentence(tokens.ToArray(), tags.ToArray(), sentenceLine));
            tokens.Clear();
            tags.Clear();
        }
    }
}
