using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using RnnGen.Embeddings;

namespace RnnGen.Text.Word2Vec;

/// <summary>A word and its cosine similarity to a query.</summary>
public readonly record struct WordSimilarity(string Word, float Similarity);

/// <summary>
/// A word list with one vector per word (row-major [Count, Dimension]), nearest-neighbour and analogy queries by
/// cosine similarity, and saving in the word2vec text and binary formats (<see cref="Word2VecWriter"/>).
/// </summary>
public sealed class WordVectors
{
    private readonly string[] words;
    private readonly float[] vectors;
    private readonly float[] norms;
    private readonly long[] counts;
    private readonly Dictionary<string, int> index;

    /// <summary>Wraps <paramref name="vectors"/> [words.Count, dimension] (not copied); counts are optional (zeros).</summary>
    public WordVectors(IReadOnlyList<string> words, float[] vectors, int dimension, long[]? counts = null)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(vectors);
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Expected dimension ≥ 1.");
        if (vectors.Length != (long)words.Count * dimension)
            throw new ArgumentException($"Expected vectors to hold {words.Count} × {dimension} values, but it holds {vectors.Length}.", nameof(vectors));
        if (counts != null && counts.Length != words.Count)
            throw new ArgumentException($"Expected {words.Count} counts, but got {counts.Length}.", nameof(counts));
        this.words = new string[words.Count];
        index = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (int i = 0; i < words.Count; i++)
        {
            this.words[i] = words[i] ?? throw new ArgumentException($"words[{i}] is null.", nameof(words));
            if (!index.TryAdd(words[i], i))
                throw new ArgumentException($"Expected distinct words, but '{words[i]}' appears twice.", nameof(words));
        }
        this.vectors = vectors;
        Dimension = dimension;
        this.counts = counts ?? new long[words.Count];
        norms = new float[words.Count];
        for (int i = 0; i < norms.Length; i++) norms[i] = TensorPrimitives.Norm(Vector(i));
    }

    public int Count => words.Length;
    public int Dimension { get; }

    /// <summary>The words, by decreasing corpus count for trained vectors (row i of <see cref="Vectors"/>).</summary>
    public IReadOnlyList<string> Words => words;

    /// <summary>Corpus counts of the words (zeros when not known).</summary>
    public IReadOnlyList<long> Counts => counts;

    /// <summary>All vectors, [Count, Dimension] row-major.</summary>
    public ReadOnlySpan<float> Vectors => vectors;

    /// <summary>word → row, e.g. for <see cref="PretrainedEmbeddings"/>.</summary>
    public IReadOnlyDictionary<string, int> Index => index;

    /// <summary>Row of <paramref name="word"/>, or −1.</summary>
    public int IndexOf(string word) => index.TryGetValue(word, out int i) ? i : -1;

    public bool Contains(string word) => index.ContainsKey(word);

    public ReadOnlySpan<float> Vector(int row) => vectors.AsSpan(row * Dimension, Dimension);

    public ReadOnlySpan<float> Vector(string word) => Vector(Require(word, nameof(word)));

    /// <summary>cos(a, b) = a·b / (‖a‖‖b‖); 0 when either vector is zero.</summary>
    public float Similarity(string a, string b)
    {
        int i = Require(a, nameof(a)), j = Require(b, nameof(b));
        float n = norms[i] * norms[j];
        return n == 0 ? 0f : TensorPrimitives.Dot(Vector(i), Vector(j)) / n;
    }

    /// <summary>The <paramref name="count"/> words most cosine-similar to <paramref name="word"/>, itself excluded, best first.</summary>
    public IReadOnlyList<WordSimilarity> Nearest(string word, int count = 10)
    {
        int i = Require(word, nameof(word));
        return Nearest(Vector(i), count, [i]);
    }

    /// <summary>The words most cosine-similar to <paramref name="query"/>, best first (ties: lower row first).</summary>
    public IReadOnlyList<WordSimilarity> Nearest(ReadOnlySpan<float> query, int count = 10, IEnumerable<string>? exclude = null)
    {
        var skip = new List<int>();
        if (exclude != null)
            foreach (string w in exclude)
                if (index.TryGetValue(w, out int j)) skip.Add(j);
        return Nearest(query, count, skip.ToArray());
    }

    /// <summary>
    /// Analogy "b is to a as d is to c": the words nearest to â − b̂ + ĉ (unit vectors), excluding a, b and c.
    /// E.g. Analogy("king", "man", "woman") → "queen" on good vectors.
    /// </summary>
    public IReadOnlyList<WordSimilarity> Analogy(string a, string b, string c, int count = 10)
    {
        int ia = Require(a, nameof(a)), ib = Require(b, nameof(b)), ic = Require(c, nameof(c));
        var query = new float[Dimension];
        AddUnit(query, ia, 1f);
        AddUnit(query, ib, -1f);
        AddUnit(query, ic, 1f);
        return Nearest(query, count, [ia, ib, ic]);
    }

    /// <summary>Writes the word2vec text format (header "count dim", then "word v1 … vD" per line).</summary>
    public void SaveText(string path) => Word2VecWriter.WriteText(path, words, vectors, Dimension);

    /// <summary>Writes the word2vec binary format.</summary>
    public void SaveBinary(string path) => Word2VecWriter.WriteBinary(path, words, vectors, Dimension);

    private void AddUnit(float[] query, int row, float sign)
    {
        if (norms[row] == 0) return;
        TensorPrimitives.MultiplyAdd(Vector(row), sign / norms[row], query, query);
    }

    private IReadOnlyList<WordSimilarity> Nearest(ReadOnlySpan<float> query, int count, int[] skip)
    {
        if (query.Length != Dimension)
            throw new ArgumentException($"Expected a query of {Dimension} values, but it holds {query.Length}.", nameof(query));
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Expected count ≥ 0.");
        float qn = TensorPrimitives.Norm(query);
        var best = new List<WordSimilarity>(count + 1);
        for (int i = 0; i < words.Length && count > 0; i++)
        {
            if (Array.IndexOf(skip, i) >= 0) continue;
            float n = norms[i] * qn;
            float s = n == 0 ? 0f : TensorPrimitives.Dot(query, Vector(i)) / n;
            if (best.Count == count && s <= best[^1].Similarity) continue;
            int at = best.Count;
            while (at > 0 && best[at - 1].Similarity < s) at--;
            best.Insert(at, new WordSimilarity(words[i], s));
            if (best.Count > count) best.RemoveAt(count);
        }
        return best;
    }

    private int Require(string word, string name)
    {
        ArgumentNullException.ThrowIfNull(word, name);
        if (!index.TryGetValue(word, out int i))
            throw new KeyNotFoundException($"'{word}' is not in the vocabulary of {words.Length} words.");
        return i;
    }
}
