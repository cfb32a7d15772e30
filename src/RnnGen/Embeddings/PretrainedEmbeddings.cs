using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RnnGen.Embeddings;

/// <summary>File formats of pretrained word vectors.</summary>
public enum EmbeddingFileFormat
{
    /// <summary>GloVe text: one "word v1 v2 … vE" line per word, no header.</summary>
    GloVe = 0,

    /// <summary>word2vec text: a "count dim" header line, then GloVe-style lines.</summary>
    Word2VecText = 1,

    /// <summary>word2vec binary: a "count dim\n" text header, then per word: the UTF-8 word, one space,
    /// dim little-endian float32s, and an optional '\n'.</summary>
    Word2VecBinary = 2,
}

/// <summary>What a load found.</summary>
/// <param name="VocabularySize">Distinct rows the vocabulary maps to.</param>
/// <param name="RowsFound">Rows written (exact or lower-case matches).</param>
/// <param name="LowercaseMatches">Rows filled through the lower-casing fallback.</param>
/// <param name="FileWords">Word vectors read from the file.</param>
/// <param name="Dimension">Vector size (= the embedding size).</param>
public sealed record EmbeddingLoadResult(int VocabularySize, int RowsFound, int LowercaseMatches, int FileWords, int Dimension)
{
    /// <summary>RowsFound / VocabularySize (0 for an empty vocabulary).</summary>
    public double Coverage => VocabularySize == 0 ? 0.0 : (double)RowsFound / VocabularySize;
}

/// <summary>
/// Loads pretrained word vectors (GloVe, word2vec text, word2vec binary) into an embedding weight matrix
/// <c>[V, E]</c> (row-major, e.g. a model's <c>embedding.weight</c>) through a vocabulary mapping word → row id.
/// </summary>
/// <remarks>
/// <para>Rows whose word is not in the file are left untouched (initialize them first). A word that appears more than
/// once in the file keeps its first vector. Words of the file that are not in the vocabulary are skipped.</para>
/// <para>Lower-casing fallback (optional): a vocabulary word with no exact entry in the file takes the vector of its
/// lower-cased form (invariant culture), e.g. vocabulary "Paris" ← file "paris"; an exact entry always wins.</para>
/// <para>Strict parsing: every entry must hold exactly E numbers (invariant culture, finite); a malformed line
/// throws <see cref="InvalidDataException"/> naming the file and the 1-based line number (binary: the entry
/// number and byte offset). Text files are read as UTF-8; fields are separated by spaces or tabs.</para>
/// </remarks>
public static class PretrainedEmbeddings
{
    /// <summary>Loads <paramref name="path"/> in <paramref name="format"/> into <paramref name="weight"/> [V, E].</summary>
    public static EmbeddingLoadResult Load(string path, EmbeddingFileFormat format, IReadOnlyDictionary<string, int> vocabulary,
        Span<float> weight, int embeddingSize, bool lowercaseFallback = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Load(stream, Path.GetFileName(path), format, vocabulary, weight, embeddingSize, lowercaseFallback);
    }

    /// <summary>Loads from a stream; <paramref name="sourceName"/> is used in error messages.</summary>
    public static EmbeddingLoadResult Load(Stream stream, string sourceName, EmbeddingFileFormat format,
        IReadOnlyDictionary<string, int> vocabulary, Span<float> weight, int embeddingSize, bool lowercaseFallback = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        var target = new Target(vocabulary, weight.Length, embeddingSize, lowercaseFallback);
        int words = format switch
        {
            EmbeddingFileFormat.GloVe => ReadText(stream, sourceName, hasHeader: false, target, weight),
            EmbeddingFileFormat.Word2VecText => ReadText(stream, sourceName, hasHeader: true, target, weight),
            EmbeddingFileFormat.Word2VecBinary => ReadBinary(stream, sourceName, target, weight),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"Expected a defined EmbeddingFileFormat, but got {(int)format}."),
        };
        return target.Result(words);
    }

    public static EmbeddingLoadResult LoadGloVe(string path, IReadOnlyDictionary<string, int> vocabulary, Span<float> weight,
        int embeddingSize, bool lowercaseFallback = false) =>
        Load(path, EmbeddingFileFormat.GloVe, vocabulary, weight, embeddingSize, lowercaseFallback);

    public static EmbeddingLoadResult LoadWord2VecText(string path, IReadOnlyDictionary<string, int> vocabulary, Span<float> weight,
        int embeddingSize, bool lowercaseFallback = false) =>
        Load(path, EmbeddingFileFormat.Word2VecText, vocabulary, weight, embeddingSize, lowercaseFallback);

    public static EmbeddingLoadResult LoadWord2VecBinary(string path, IReadOnlyDictionary<string, int> vocabulary, Span<float> weight,
        int embeddingSize, bool lowercaseFallback = false) =>
        Load(path, EmbeddingFileFormat.Word2VecBinary, vocabulary, weight, embeddingSize, lowercaseFallback);

    private static int ReadText(Stream stream, string source, bool hasHeader, Target target, Span<float> weight)
    {
        int e = target.Dimension;
        float[] vector = new float[e];
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        int lineNumber = 0;
        long declared = -1;
        int words = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            ReadOnlySpan<char> text = line.AsSpan().Trim();
            if (text.IsEmpty) continue;
            if (hasHeader && declared < 0)
            {
                declared = ParseHeader(text, source, lineNumber, e);
                continue;
            }
            int space = text.IndexOfAny(' ', '\t');
            if (space <= 0)
                throw Malformed(source, lineNumber, $"expected a word followed by {e} numbers, but the line has no numbers");
            ReadOnlySpan<char> word = text.Slice(0, space);
            ReadOnlySpan<char> rest = text.Slice(space + 1);
            int count = 0;
            while (true)
            {
                rest = rest.TrimStart();
                if (rest.IsEmpty) break;
                int end = rest.IndexOfAny(' ', '\t');
                ReadOnlySpan<char> field = end < 0 ? rest : rest.Slice(0, end);
                rest = end < 0 ? default : rest.Slice(end + 1);
                if (count >= e)
                {
                    count++;
                    continue; // keep counting for the message
                }
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw Malformed(source, lineNumber, $"value {count + 1} of '{word.ToString()}' is '{field.ToString()}', not a finite number");
                vector[count++] = v;
            }
            if (count != e)
                throw Malformed(source, lineNumber, $"expected {e} numbers after the word '{word.ToString()}' (the embedding size), but found {count}");
            words++;
            target.Offer(word.ToString(), vector, weight);
        }
        if (hasHeader && declared < 0)
            throw Malformed(source, Math.Max(lineNumber, 1), "expected a \"count dim\" header line, but the file is empty");
        if (hasHeader && words != declared)
            throw Malformed(source, lineNumber, $"the header declares {declared} words, but the file holds {words}");
        return words;
    }

    private static long ParseHeader(ReadOnlySpan<char> text, string source, int lineNumber, int dimension)
    {
        int space = text.IndexOfAny(' ', '\t');
        if (space <= 0
            || !long.TryParse(text.Slice(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out long count)
            || !int.TryParse(text.Slice(space + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int dim))
            throw Malformed(source, lineNumber, $"expected a \"count dim\" header, but found '{text.ToString()}'");
        if (dim != dimension)
            throw Malformed(source, lineNumber, $"the header declares dimension {dim}, but the embedding size is {dimension}");
        return count;
    }

    private static int ReadBinary(Stream stream, string source, Target target, Span<float> weight)
    {
        int e = target.Dimension;
        var input = new BufferedStream(stream, 1 << 16);
        long position = 0;

        // header line
        var header = new StringBuilder();
        while (true)
        {
            int b = input.ReadByte();
            if (b < 0) throw Malformed(source, 1, "expected a \"count dim\" header line, but the file ended");
            position++;
            if (b == '\n') break;
            if (header.Length > 100) throw Malformed(source, 1, "expected a \"count dim\" header line, but the first line is too long");
            header.Append((char)b);
        }
        long declared = ParseHeader(header.ToString().AsSpan().Trim(), source, 1, e);

        byte[] wordBytes = new byte[256];
        byte[] raw = new byte[4 * e];
        float[] vector = new float[e];
        Encoding utf8 = new UTF8Encoding(false, throwOnInvalidBytes: false);
        for (long entry = 1; entry <= declared; entry++)
        {
            long entryStart = position;
            int length = 0;
            while (true)
            {
                int b = input.ReadByte();
                if (b < 0)
                    throw MalformedBinary(source, entry, entryStart, $"the file ended inside a word (the header declares {declared} words)");
                position++;
                if (b == ' ') break;
                if (b == '\n' && length == 0) continue; // the optional newline after the previous vector
                if (length == wordBytes.Length)
                {
                    if (length >= 1 << 16) throw MalformedBinary(source, entry, entryStart, "a word is longer than 65536 bytes");
                    Array.Resize(ref wordBytes, length * 2);
                }
                wordBytes[length++] = (byte)b;
            }
            if (length == 0) throw MalformedBinary(source, entry, entryStart, "empty word");
            int read = 0;
            while (read < raw.Length)
            {
                int n = input.Read(raw, read, raw.Length - read);
                if (n == 0) throw MalformedBinary(source, entry, entryStart, $"the file ended inside the vector ({read} of {raw.Length} bytes)");
                read += n;
            }
            position += raw.Length;
            for (int i = 0; i < e; i++)
            {
                float v = BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i)));
                if (!float.IsFinite(v))
                    throw MalformedBinary(source, entry, entryStart, $"value {i + 1} of '{utf8.GetString(wordBytes, 0, length)}' is not finite ({v.ToString(CultureInfo.InvariantCulture)})");
                vector[i] = v;
            }
            target.Offer(utf8.GetString(wordBytes, 0, length), vector, weight);
        }
        return checked((int)declared);
    }

    private static InvalidDataException Malformed(string source, int line, string message) =>
        new($"{source}, line {line.ToString(CultureInfo.InvariantCulture)}: {message}.");

    private static InvalidDataException MalformedBinary(string source, long entry, long offset, string message) =>
        new($"{source}, entry {entry.ToString(CultureInfo.InvariantCulture)} (byte offset {offset.ToString(CultureInfo.InvariantCulture)}): {message}.");

    /// <summary>The vocabulary side: which rows a file word fills, and what has been filled.</summary>
    private sealed class Target
    {
        private const byte None = 0, Lowercase = 1, Exact = 2;
        private readonly IReadOnlyDictionary<string, int> vocabulary;
        private readonly Dictionary<string, List<int>>? fallback; // lower-cased form → rows of words that differ from it
        private readonly byte[] state;
        private int found, lowercase;

        public Target(IReadOnlyDictionary<string, int> vocabulary, int weightLength, int dimension, bool lowercaseFallback)
        {
            ArgumentNullException.ThrowIfNull(vocabulary);
            if (dimension < 1)
                throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"Expected embeddingSize ≥ 1, but got {dimension}.");
            if (weightLength % dimension != 0)
                throw new ArgumentException($"Expected weight to hold V × embeddingSize ({dimension}) values, but it holds {weightLength}.", "weight");
            Dimension = dimension;
            int rows = weightLength / dimension;
            this.vocabulary = vocabulary;
            state = new byte[rows];
            var distinct = new HashSet<int>();
            foreach (KeyValuePair<string, int> pair in vocabulary)
            {
                if ((uint)pair.Value >= (uint)rows)
                    throw new ArgumentOutOfRangeException(nameof(vocabulary), pair.Value,
                        $"vocabulary maps '{pair.Key}' to row {pair.Value}, outside the weight's rows [0, {rows}).");
                distinct.Add(pair.Value);
            }
            VocabularySize = distinct.Count;
            if (lowercaseFallback)
            {
                fallback = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, int> pair in vocabulary)
                {
                    string lower = pair.Key.ToLowerInvariant();
                    if (lower == pair.Key) continue;
                    if (!fallback.TryGetValue(lower, out List<int>? list)) fallback[lower] = list = new List<int>();
                    list.Add(pair.Value);
                }
            }
        }

        public int Dimension { get; }

        public int VocabularySize { get; }

        public void Offer(string word, float[] vector, Span<float> weight)
        {
            if (vocabulary.TryGetValue(word, out int row) && state[row] != Exact)
            {
                if (state[row] == Lowercase) lowercase--;
                else found++;
                state[row] = Exact;
                vector.CopyTo(weight.Slice(row * Dimension, Dimension));
            }
            if (fallback != null && fallback.TryGetValue(word, out List<int>? rows))
            {
                foreach (int r in rows)
                {
                    if (state[r] != None) continue;
                    state[r] = Lowercase;
                    found++;
                    lowercase++;
                    vector.CopyTo(weight.Slice(r * Dimension, Dimension));
                }
            }
        }

        public EmbeddingLoadResult Result(int fileWords) => new(VocabularySize, found, lowercase, fileWords, Dimension);
    }
}
