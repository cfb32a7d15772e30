using System;
using System.Text;

namespace RnnGen.Generator.Emitting;

/// <summary>
/// An indented text writer over a <see cref="StringBuilder"/> with block helpers that close what
/// they open, so emitters read like the code they produce. Lines end in '\n' on every platform:
/// output is byte-for-byte deterministic.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < _indent; i++)
            {
                _builder.Append(IndentUnit);
            }
            _builder.Append(text);
        }
        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes several lines (split on '\n'), each at the current indentation.</summary>
    public SourceWriter Lines(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Line(line.TrimEnd('\r'));
        }
        return this;
    }

    /// <summary>Writes <paramref name="header"/> (if any), an opening brace, and indents until disposed.</summary>
    public Block Block(string header, string closing = "}")
    {
        if (header.Length > 0)
        {
            Line(header);
        }
        Line("{");
        _indent++;
        return new Block(this, closing);
    }

    /// <summary>Writes <c>/// </c> doc-comment lines.</summary>
    public SourceWriter Doc(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Line(line.Length == 0 ? "///" : "/// " + line);
        }
        return this;
    }

    internal void CloseBlock(string closing)
    {
        _indent--;
        Line(closing);
    }

    public override string ToString() => _builder.ToString();
}

/// <summary>Closes a <see cref="SourceWriter.Block"/> when disposed.</summary>
internal readonly struct Block : IDisposable
{
    private readonly SourceWriter _writer;
    private readonly string _closing;

    public Block(SourceWriter writer, string closing)
    {
        _writer = writer;
        _closing = closing;
    }

    public void Dispose() => _writer.CloseBlock(_closing);
}
