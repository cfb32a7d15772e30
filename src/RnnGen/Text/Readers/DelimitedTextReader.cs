using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace RnnGen.Text.Readers;

/// <summary>One record of a delimited file: its fields and the 1-based line on which it starts.</summary>
public sealed record DelimitedRecord(IReadOnlyList<string> Fields, int Line);

/// <summary>A (text, label) example and the 1-based line of the file on which its record starts.</summary>
public sealed record LabeledText(string Text, string Label, int Line);

/// <summary>Settings of <see cref="DelimitedTextReader"/>.</summary>
public sealed class DelimitedTextOptions
{
    /// <summary>Comma-separated, quoted per RFC 4180.</summary>
    public static DelimitedTextOptions Csv => new();

    /// <summary>Tab-separated; quoting per RFC 4180 too (set <see cref="Quoting"/> false for raw TSV).</summary>
    public static DelimitedTextOptions Tsv => new() { Delimiter = '\t' };

    public char Delimiter { get; init; } = ',';

    /// <summary>Fields that begin with '"' are quoted (delimiters, line breaks and doubled quotes inside). When false, '"' is an ordinary character.</summary>
    public bool Quoting { get; init; } = true;

    /// <summary>The first record is a header of column names (not returned as data).</summary>
    public bool HasHeader { get; init; }

    /// <summary>0-based column of the text (used when <see cref="TextColumnName"/> is null).</summary>
    public int TextColumn { get; init; }

    /// <summary>0-based column of the label (used when <see cref="LabelColumnName"/> is null).</summary>
    public int LabelColumn { get; init; } = 1;

    /// <summary>Header name of the text column (needs <see cref="HasHeader"/>).</summary>
    public string? TextColumnName { get; init; }

    /// <summary>Header name of the label column (needs <see cref="HasHeader"/>).</summary>
    public string? LabelColumnName { get; init; }

    /// <summary>Reject records whose label field is empty (default true).</summary>
    public bool RequireLabel { get; init; } = true;
}

/// <summary>
/// Reads CSV/TSV files (RFC 4180 quoting: a field that starts with '"' runs to the next lone '"', may contain the
/// delimiter and line breaks, and writes '"' as '""'). Records end at LF or CRLF; empty lines are skipped; every
/// record must have as many fields as the first. Malformed input throws <see cref="InvalidDataException"/>
/// "<c>file, line N: …</c>".
/// </summary>
public static class DelimitedTextReader
{
    /// <summary>Reads (text, label) pairs from a file (UTF-8, BOM allowed).</summary>
    public static List<LabeledText> ReadLabeled(string path, DelimitedTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return ReadLabeled(reader, Path.GetFileName(path), options);
    }

    /// <summary>Reads (text, label) pairs; <paramref name="sourceName"/> names the input in errors.</summary>
    public static List<LabeledText> ReadLabeled(TextReader reader, string sourceName, DelimitedTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(options);
        if ((options.TextColumnName != null || options.LabelColumnName != null) && !options.HasHeader)
            throw new ArgumentException("Column names need HasHeader = true.", nameof(options));
        var result = new List<LabeledText>();
        int textColumn = options.TextColumn, labelColumn = options.LabelColumn;
        bool first = true;
        foreach (DelimitedRecord record in ReadRecords(reader, sourceName, options.Delimiter, options.Quoting))
        {
            if (first)
            {
                first = false;
                if (options.HasHeader)
                {
                    if (options.TextColumnName != null) textColumn = Find(record, options.TextColumnName, sourceName);
                    if (options.LabelColumnName != null) labelColumn = Find(record, options.LabelColumnName, sourceName);
                }
                int needed = Math.Max(textColumn, labelColumn) + 1;
                if (textColumn < 0 || labelColumn < 0 || record.Fields.Count < needed)
                    throw Error(sourceName, record.Line,
                        $"expected at least {needed} fields for text column {textColumn} and label column {labelColumn}, but found {record.Fields.Count}");
                if (options.HasHeader) continue;
            }
            string label = record.Fields[labelColumn];
            if (options.RequireLabel && label.Trim().Length == 0)
                throw Error(sourceName, record.Line, $"missing label (column {labelColumn} is empty)");
            result.Add(new LabeledText(record.Fields[textColumn], label, record.Line));
        }
        return result;
    }

    private static int Find(DelimitedRecord header, string name, string source)
    {
        for (int i = 0; i < header.Fields.Count; i++)
            if (string.Equals(header.Fields[i].Trim(), name, StringComparison.Ordinal)) return i;
        throw Error(source, header.Line, $"the header has no column '{name}' (columns: {string.Join(", ", header.Fields)})");
    }

    /// <summary>Reads every record; all must have the field count of the first.</summary>
    public static IEnumerable<DelimitedRecord> ReadRecords(TextReader reader, string sourceName, char delimiter = ',', bool quoting = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (delimiter is '"' or '\r' or '\n')
            throw new ArgumentException($"Expected a delimiter other than '\"', CR and LF, but got U+{(int)delimiter:X4}.", nameof(delimiter));
        return Iterate(reader, sourceName, delimiter, quoting);
    }

    private static IEnumerable<DelimitedRecord> Iterate(TextReader reader, string source, char delimiter, bool quoting)
    {
        int line = 1, expected = -1;
        var fields = new List<string>();
        var field = new StringBuilder();
        while (true)
        {
            int c = reader.Peek();
            if (c < 0) yield break;
            int start = line;
            if (c == '\n' || c == '\r')
            {
                ReadLineEnd(reader);
                line++;
                continue; // empty line
            }
            fields.Clear();
            bool endOfRecord = false;
            while (!endOfRecord)
            {
                field.Clear();
                c = reader.Peek();
                if (quoting && c == '"')
                {
                    reader.Read();
                    int quoteLine = line;
                    while (true)
                    {
                        int ch = reader.Read();
                        if (ch < 0)
                            throw Error(source, quoteLine, "unterminated quoted field (no closing '\"' before the end of the file)");
                        if (ch == '"')
                        {
                            if (reader.Peek() == '"')
                            {
                                reader.Read();
                                field.Append('"');
                                continue;
                            }
                            break;
                        }
                        if (ch == '\n') line++;
                        else if (ch == '\r' && reader.Peek() != '\n') line++;
                        field.Append((char)ch);
                    }
                    int after = reader.Peek();
                    if (after >= 0 && after != delimiter && after != '\n' && after != '\r')
                        throw Error(source, line, $"unexpected '{(char)after}' after the closing quote of field {fields.Count + 1} (expected the delimiter or the end of the line)");
                }
                else
                {
                    while (true)
                    {
                        int ch = reader.Peek();
                        if (ch < 0 || ch == delimiter || ch == '\n' || ch == '\r') break;
                        field.Append((char)reader.Read());
                    }
                }
                fields.Add(field.ToString());
                int next = reader.Read();
                if (next == delimiter) continue;
                if (next == '\r' && reader.Peek() == '\n') reader.Read();
                if (next >= 0) line++;
                endOfRecord = true;
            }
            if (expected < 0) expected = fields.Count;
            else if (fields.Count != expected)
                throw Error(source, start, $"expected {expected} fields (like the first record), but found {fields.Count}");
            yield return new DelimitedRecord(fields.ToArray(), start);
        }
    }

    private static void ReadLineEnd(TextReader reader)
    {
        if (reader.Read() == '\r' && reader.Peek() == '\n') reader.Read();
    }

    internal static InvalidDataException Error(string source, int line, string message) =>
        new($"{source}, line {line}: {message}.");
}
