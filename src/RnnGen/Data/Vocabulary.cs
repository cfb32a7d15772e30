using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RnnGen.Data;

/// <summary>What a vocabulary's tokens are.</summary>
public enum VocabularyKind
{
    /// <summary>Unicode code points (runes).</summary>
    Character = 0,

    /// <summary>Words and punctuation marks from <see cref="WordTokenizer"/>.</summary>
    Word = 1,
}

/// <summary>
/// A token ↔ id mapping with the special tokens &lt;pad&gt; (0), &lt;unk&gt; (1), &lt;sos&gt; (2) and
/// &lt;eos&gt; (3), then tokens by decreasing frequency (ties in ordinal order). Unknown tokens encode
/// as &lt;unk&gt;. Saved as a small UTF-8 text file (written atomically) so it travels with a model.
/// </summary>
public sealed class Vocabulary : IEquatable<Vocabulary>
{
    public const int PadId = 0, UnknownId = 1, StartId = 2, EndId = 3;
    public const string PadToken = "<pad>", UnknownToken = "<unk>", StartToken = "<sos>", EndToken = "<eos>";

    /// <summary>Number of special tokens (ids 0..3).</summary>
    public const int SpecialCount = 4;

    private const string Magic = "rnngen-vocabulary 1";
    private static readonly string[] Specials = [PadToken, UnknownToken, StartToken, EndToken];

    private readonly string[] _tokens;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;
    private readonly WordTokenizer? _tokenizer;

    private Vocabulary(VocabularyKind kind, bool lowerCase, string[] tokens, long[] counts)
    {
        Kind = kind;
        LowerCase = lowerCase;
        _tokens = tokens;
        _counts = counts;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) _ids.Add(tokens[i], i);
        _tokenizer = kind == VocabularyKind.Word ? new WordTokenizer(lowerCase) : null;
    }

    public VocabularyKind Kind { get; }
    public bool LowerCase { get; }

    /// <summary>Number of ids, specials included.</summary>
    public int Count => _tokens.Length;

    /// <summary>All tokens, by id.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>How often token <paramref name="id"/> occurred in the text it was built from (0 for specials).</summary>
    public long CountOf(int id) => _counts[CheckId(id, nameof(id))];

    /// <summary>
    /// Builds a character vocabulary: every code point seen at least <paramref name="minCount"/> times,
    /// the most frequent first, at most <paramref name="maxSize"/> ids in all (specials included; 0 = no limit).
    /// </summary>
    public static Vocabulary BuildCharacters(IEnumerable<string> texts, int minCount = 1, int maxSize = 0, bool lowerCase = false)
        => Build(VocabularyKind.Character, texts, minCount, maxSize, lowerCase);

    /// <summary>Builds a word vocabulary with <see cref="WordTokenizer"/> (see <see cref="BuildCharacters"/> for the limits).</summary>
    public static Vocabulary BuildWords(IEnumerable<string> texts, int minCount = 1, int maxSize = 0, bool lowerCase = true)
        => Build(VocabularyKind.Word, texts, minCount, maxSize, lowerCase);

    private static Vocabulary Build(VocabularyKind kind, IEnumerable<string> texts, int minCount, int maxSize, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(texts);
        DataChecks.Positive(minCount, nameof(minCount));
        if (maxSize != 0 && maxSize < SpecialCount)
            throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, $"Expected maxSize = 0 (no limit) or ≥ {SpecialCount} (the special tokens), but got {maxSize}.");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var scratch = new List<string>();
        var tokenizer = new WordTokenizer(lowerCase);
        int index = 0;
        foreach (string text in texts)
        {
            if (text is null)
                throw new ArgumentException($"Expected texts without nulls, but text {index} is null.", nameof(texts));
            scratch.Clear();
            if (kind == VocabularyKind.Word) tokenizer.Tokenize(text, scratch);
            else SplitCharacters(text, lowerCase, scratch);
            foreach (string token in scratch)
                counts[token] = counts.TryGetValue(token, out long c) ? c + 1 : 1;
            index++;
        }
        var entries = new List<KeyValuePair<string, long>>();
        foreach (var entry in counts)
        {
            if (entry.Value >= minCount && Array.IndexOf(Specials, entry.Key) < 0)
                entries.Add(entry);
        }
        entries.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        int size = SpecialCount + entries.Count;
        if (maxSize != 0) size = Math.Min(size, maxSize);
        var tokens = new string[size];
        var tokenCounts = new long[size];
        Specials.CopyTo(tokens, 0);
        for (int i = SpecialCount; i < size; i++)
        {
            tokens[i] = entries[i - SpecialCount].Key;
            tokenCounts[i] = entries[i - SpecialCount].Value;
        }
        return new Vocabulary(kind, lowerCase, tokens, tokenCounts);
    }

    /// <summary>The tokens of <paramref name="text"/> as this vocabulary splits it (code points or words).</summary>
    public List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        if (_tokenizer is not null) _tokenizer.Tokenize(text, tokens);
        else SplitCharacters(text, LowerCase, tokens);
        return tokens;
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/>.</summary>
    public int IdOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out int id) ? id : UnknownId;
    }

    public bool Contains(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.ContainsKey(token);
    }

    public string TokenOf(int id) => _tokens[CheckId(id, nameof(id))];

    /// <summary>Ids of <paramref name="text"/>, optionally wrapped in &lt;sos&gt; … &lt;eos&gt;; unknown tokens → &lt;unk&gt;.</summary>
    public int[] Encode(string text, bool addStart = false, bool addEnd = false)
    {
        List<string> tokens = Tokenize(text);
        int offset = addStart ? 1 : 0;
        var ids = new int[tokens.Count + offset + (addEnd ? 1 : 0)];
        if (addStart) ids[0] = StartId;
        for (int i = 0; i < tokens.Count; i++) ids[offset + i] = IdOf(tokens[i]);
        if (addEnd) ids[^1] = EndId;
        return ids;
    }

    /// <summary>
    /// Text of <paramref name="ids"/>: characters are concatenated, words joined by single spaces.
    /// With <paramref name="skipSpecials"/>, &lt;pad&gt;, &lt;sos&gt; and &lt;eos&gt; are left out
    /// (&lt;unk&gt; stays visible).
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecials = true)
    {
        var text = new StringBuilder();
        bool first = true;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)_tokens.Length)
                throw new ArgumentException($"Expected ids in 0..{_tokens.Length - 1} (the vocabulary size), but ids[{i}] = {id}.", nameof(ids));
            if (skipSpecials && id is PadId or StartId or EndId) continue;
            if (Kind == VocabularyKind.Word && !first) text.Append(' ');
            text.Append(_tokens[id]);
            first = false;
        }
        return text.ToString();
    }

    /// <summary>The vocabulary in its file format (UTF-8 text, one token per line), e.g. to store it inside a model file
    /// (<c>RnnGen.Serialization.ModelSerializer.Save(model, path, vocabulary)</c>).</summary>
    public string ToText()
    {
        var writer = new StringBuilder();
        writer.Append(Magic).Append('\n');
        writer.Append("kind ").Append(Kind == VocabularyKind.Word ? "word" : "character").Append('\n');
        writer.Append("lowercase ").Append(LowerCase ? "true" : "false").Append('\n');
        writer.Append("size ").Append(_tokens.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (int i = 0; i < _tokens.Length; i++)
        {
            writer.Append(Escape(_tokens[i])).Append('\t').Append(_counts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        writer.Append("end\n");
        return writer.ToString();
    }

    /// <summary>Parses <see cref="ToText"/>'s format; <paramref name="source"/> names it in error messages.</summary>
    public static Vocabulary FromText(string text, string source = "<text>")
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(new LineReader(source, text));
    }

    /// <summary>Writes the vocabulary atomically: a temporary file in the same directory, flushed to disk, renamed over <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(ToText());
        RnnGen.Runtime.AtomicFile.Write(path, stream => stream.Write(bytes, 0, bytes.Length));
    }

    /// <summary>Reads a file written by <see cref="Save"/>; a damaged file throws <see cref="InvalidDataException"/> naming the file and line.</summary>
    public static Vocabulary Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        return Parse(new LineReader(fullPath));
    }

    private static Vocabulary Parse(LineReader reader)
    {
        reader.Expect(Magic, "the header");
        string kindText = reader.Field("kind");
        VocabularyKind kind = kindText switch
        {
            "word" => VocabularyKind.Word,
            "character" => VocabularyKind.Character,
            _ => throw reader.Error($"expected kind 'word' or 'character', but found '{kindText}'"),
        };
        string lowerText = reader.Field("lowercase");
        bool lowerCase = lowerText switch
        {
            "true" => true,
            "false" => false,
            _ => throw reader.Error($"expected lowercase 'true' or 'false', but found '{lowerText}'"),
        };
        string sizeText = reader.Field("size");
        if (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < SpecialCount)
            throw reader.Error($"expected size ≥ {SpecialCount}, but found '{sizeText}'");
        var tokens = new string[size];
        var counts = new long[size];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < size; i++)
        {
            string? line = reader.Next();
            if (line is null || line == "end")
                throw reader.Error($"expected {size} token lines (the declared size), but the file ends after {i}");
            int tab = line.LastIndexOf('\t');
            if (tab < 0)
                throw reader.Error("expected '<token>\\t<count>', but found no tab");
            string token = Unescape(line.AsSpan(0, tab), reader);
            if (!long.TryParse(line.AsSpan(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw reader.Error($"expected a non-negative count after the tab, but found '{line.Substring(tab + 1)}'");
            if (token.Length == 0)
                throw reader.Error("expected a token, but found an empty one");
            if (i < SpecialCount && token != Specials[i])
                throw reader.Error($"expected the special token {Specials[i]} as id {i}, but found '{token}'");
            if (!seen.Add(token))
                throw reader.Error($"token '{token}' (id {i}) appears twice");
            tokens[i] = token;
            counts[i] = count;
        }
        reader.Expect("end", "the end marker 'end' after the tokens");
        if (reader.Next() is { } extra)
            throw reader.Error($"expected nothing after 'end', but found '{extra}'");
        return new Vocabulary(kind, lowerCase, tokens, counts);
    }

    public bool Equals(Vocabulary? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        return Kind == other.Kind && LowerCase == other.LowerCase
            && _tokens.AsSpan().SequenceEqual(other._tokens) && _counts.AsSpan().SequenceEqual(other._counts);
    }

    public override bool Equals(object? obj) => Equals(obj as Vocabulary);

    public override int GetHashCode() => HashCode.Combine(Kind, LowerCase, _tokens.Length, _tokens.Length > SpecialCount ? _tokens[SpecialCount] : null);

    public override string ToString() => $"{Kind} vocabulary of {Count} tokens";

    private int CheckId(int id, string argument)
    {
        if ((uint)id >= (uint)_tokens.Length)
            throw new ArgumentOutOfRangeException(argument, id, $"Expected an id in 0..{_tokens.Length - 1}, but got {id}.");
        return id;
    }

    private static void SplitCharacters(string text, bool lowerCase, List<string> tokens)
    {
        if (lowerCase) text = text.ToLowerInvariant();
        for (int i = 0; i < text.Length;)
        {
            int width = WordTokenizer.RuneAt(text, i).Utf16SequenceLength;
            tokens.Add(text.Substring(i, width));
            i += width;
        }
    }

    private static string Escape(string token)
    {
        if (token.AsSpan().IndexOfAny("\\\t\n\r") < 0) return token;
        var text = new StringBuilder(token.Length + 4);
        foreach (char c in token)
        {
            text.Append(c switch
            {
                '\\' => "\\\\",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ => null,
            } ?? c.ToString());
        }
        return text.ToString();
    }

    private static string Unescape(ReadOnlySpan<char> text, LineReader reader)
    {
        if (text.IndexOf('\\') < 0) return text.ToString();
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }
            char next = i + 1 < text.Length ? text[++i] : '\0';
            result.Append(next switch
            {
                '\\' => '\\',
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                _ => throw reader.Error($"invalid escape '\\{(next == '\0' ? "" : next.ToString())}' in a token (expected \\\\, \\t, \\n or \\r)"),
            });
        }
        return result.ToString();
    }

    /// <summary>Reads the whole file as strict UTF-8 and hands out lines with their numbers for error messages.</summary>
    private sealed class LineReader
    {
        private readonly string _path;
        private readonly string[] _lines;
        private int _line;

        public LineReader(string path)
            : this(path, ReadText(path))
        {
        }

        public LineReader(string source, string text)
        {
            _path = source;
            if (text.Length > 0 && text[0] == '\uFEFF') text = text.Substring(1);
            if (text.EndsWith('\n')) text = text.Substring(0, text.Length - 1);
            _lines = text.Length == 0 ? [] : text.Split('\n');
        }

        private static string ReadText(string path)
        {
            try
            {
                return File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"Vocabulary file '{path}' is damaged: it is not valid UTF-8 ({e.Message}).", e);
            }
        }

        public string? Next()
        {
            if (_line >= _lines.Length)
            {
                _line = _lines.Length + 1;
                return null;
            }
            string line = _lines[_line++];
            return line.EndsWith('\r') ? line.Substring(0, line.Length - 1) : line;
        }

        public void Expect(string expected, string what)
        {
            string? line = Next();
            if (line != expected)
                throw Error($"expected {what} '{expected}', but found {(line is null ? "the end of the file" : "'" + line + "'")}");
        }

        public string Field(string name)
        {
            string? line = Next();
            if (line is null || !line.StartsWith(name + " ", StringComparison.Ordinal))
                throw Error($"expected the field '{name} <value>', but found {(line is null ? "the end of the file" : "'" + line + "'")}");
            return line.Substring(name.Length + 1);
        }

        public InvalidDataException Error(string message)
            => new($"Vocabulary file '{_path}' is damaged at line {_line}: {message}.");
    }
}
