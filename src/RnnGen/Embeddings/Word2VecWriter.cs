using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

using RnnGen.Runtime;

namespace RnnGen.Embeddings;

/// <summary>
/// Writes word vectors in word2vec text or binary format (readable by <see cref="PretrainedEmbeddings"/>,
/// gensim's <c>KeyedVectors.load_word2vec_format</c> and the original word2vec tools).
/// </summary>
/// <remarks>
/// Atomic: the file is written to a temporary file beside <c>path</c>, flushed to disk (<c>Flush(true)</c>), then
/// renamed over <c>path</c>, so readers never see a partial file. Words must be non-empty and contain no
/// whitespace (they could not be read back). Text values use the shortest round-trip form (invariant culture);
/// binary values are little-endian float32 and every vector is followed by '\n' (as word2vec writes).
/// </remarks>
public static class Word2VecWriter
{
    /// <summary>Writes <paramref name="words"/>[i] with row i of <paramref name="vectors"/> [words.Count, dimension].</summary>
    public static void WriteText(string path, IReadOnlyList<string> words, ReadOnlySpan<float> vectors, int dimension) =>
        Write(path, words, vectors, dimension, binary: false);

    /// <summary>Binary form of <see cref="WriteText"/>.</summary>
    public static void WriteBinary(string path, IReadOnlyList<string> words, ReadOnlySpan<float> vectors, int dimension) =>
        Write(path, words, vectors, dimension, binary: true);

    private static void Write(string path, IReadOnlyList<string> words, ReadOnlySpan<float> vectors, int dimension, bool binary)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(words);
        if (dimension < 1)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"Expected dimension ≥ 1, but got {dimension}.");
        if (vectors.Length != (long)words.Count * dimension)
            throw new ArgumentException(
                $"Expected vectors to hold words.Count × dimension = {words.Count} × {dimension} values, but it holds {vectors.Length}.", nameof(vectors));
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i];
            if (string.IsNullOrEmpty(w))
                throw new ArgumentException($"Expected non-empty words, but words[{i}] is empty.", nameof(words));
            foreach (char ch in w)
            {
                if (char.IsWhiteSpace(ch))
                    throw new ArgumentException($"Expected words without whitespace, but words[{i}] is '{w}'.", nameof(words));
            }
        }

        // The span cannot be captured by the writer callback: pin it and rebuild the view inside.
        unsafe
        {
            fixed (float* pinned = vectors)
            {
                nint address = (nint)pinned;
                int length = vectors.Length;
                AtomicFile.Write(path, stream => WriteBody(stream, words, new ReadOnlySpan<float>((float*)address, length), dimension, binary));
            }
        }
    }

    private static void WriteBody(Stream file, IReadOnlyList<string> words, ReadOnlySpan<float> vectors, int dimension, bool binary)
    {
        var encoding = new UTF8Encoding(false);
        byte[] header = encoding.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{words.Count} {dimension}\n"));
        file.Write(header);
        var builder = new StringBuilder();
        Span<byte> value = stackalloc byte[4];
        for (int i = 0; i < words.Count; i++)
        {
            ReadOnlySpan<float> row = vectors.Slice(i * dimension, dimension);
            if (binary)
            {
                file.Write(encoding.GetBytes(words[i]));
                file.WriteByte((byte)' ');
                foreach (float v in row)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(value, BitConverter.SingleToInt32Bits(v));
                    file.Write(value);
                }
                file.WriteByte((byte)'\n');
            }
            else
            {
                builder.Clear();
                builder.Append(words[i]);
                foreach (float v in row)
                {
                    builder.Append(' ');
                    builder.Append(v.ToString("R", CultureInfo.InvariantCulture));
                }
                builder.Append('\n');
                file.Write(encoding.GetBytes(builder.ToString()));
            }
        }
    }
}
