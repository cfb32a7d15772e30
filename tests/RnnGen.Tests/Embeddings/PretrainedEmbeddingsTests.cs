using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using RnnGen.Embeddings;

namespace RnnGen.Tests.Embeddings;

public sealed class PretrainedEmbeddingsTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "rnngen-embeddings-" + Guid.NewGuid().ToString("N"));

    public PretrainedEmbeddingsTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string WriteFile(string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static readonly Dictionary<string, int> Vocabulary = new()
    {
        ["<pad>"] = 0, ["the"] = 1, ["cat"] = 2, ["Paris"] = 3, ["zebra"] = 4, ["sat"] = 5,
    };

    [Fact]
    public void GloVe_LoadsIntoTheRightRows_AndLeavesOthersUntouched()
    {
        string path = WriteFile("glove.txt",
            "sat 0.5 -1 2e-1\n" +
            "dog 9 9 9\n" +
            "the 1 2 3\n" +
            "cat -0.25 0 1.5\n" +
            "paris 7 8 9\n");
        const int E = 3;
        var weight = new float[6 * E];
        Array.Fill(weight, -42f);
        EmbeddingLoadResult result = PretrainedEmbeddings.LoadGloVe(path, Vocabulary, weight, E);
        Assert.Equal(new[] { -42f, -42f, -42f }, weight[0..3]);        // <pad>
        Assert.Equal(new[] { 1f, 2f, 3f }, weight[3..6]);              // the
        Assert.Equal(new[] { -0.25f, 0f, 1.5f }, weight[6..9]);        // cat
        Assert.Equal(new[] { -42f, -42f, -42f }, weight[9..12]);       // Paris: no exact entry
        Assert.Equal(new[] { -42f, -42f, -42f }, weight[12..15]);      // zebra
        Assert.Equal(new[] { 0.5f, -1f, 0.2f }, weight[15..18]);       // sat
        Assert.Equal(6, result.VocabularySize);
        Assert.Equal(3, result.RowsFound);
        Assert.Equal(5, result.FileWords);
        Assert.Equal(0.5, result.Coverage, 10);

        // lower-casing fallback: "Paris" ← "paris"
        result = PretrainedEmbeddings.LoadGloVe(path, Vocabulary, weight, E, lowercaseFallback: true);
        Assert.Equal(new[] { 7f, 8f, 9f }, weight[9..12]);
        Assert.Equal(4, result.RowsFound);
        Assert.Equal(1, result.LowercaseMatches);
    }

    [Fact]
    public void LowercaseFallback_ExactEntryWins()
    {
        string path = WriteFile("glove.txt", "paris 1 1\nParis 2 2\n");
        var weight = new float[6 * 2];
        EmbeddingLoadResult result = PretrainedEmbeddings.LoadGloVe(path, Vocabulary, weight, 2, lowercaseFallback: true);
        Assert.Equal(new[] { 2f, 2f }, weight[6..8]);
        Assert.Equal(1, result.RowsFound);
        Assert.Equal(0, result.LowercaseMatches);
    }

    [Theory]
    [InlineData("the 1 2 3\ncat 1 2\n", 2, "expected 3 numbers")]
    [InlineData("the 1 2 3\n\ncat 1 2 3 4\n", 3, "found 4")]
    [InlineData("the 1 2 3\ncat 1 x 3\n", 2, "'x'")]
    [InlineData("the 1 2 3\ncat 1 2 NaN\n", 2, "not a finite number")]
    [InlineData("the\n", 1, "no numbers")]
    public void GloVe_MalformedLine_ReportsFileAndLineNumber(string text, int line, string detail)
    {
        string path = WriteFile("bad.txt", text);
        var weight = new float[6 * 3];
        var ex = Assert.Throws<InvalidDataException>(() => PretrainedEmbeddings.LoadGloVe(path, Vocabulary, weight, 3));
        Assert.Contains($"bad.txt, line {line}:", ex.Message);
        Assert.Contains(detail, ex.Message);
    }

    [Fact]
    public void Word2VecText_HeaderChecked()
    {
        var weight = new float[6 * 3];
        string wrongDim = WriteFile("w.txt", "1 4\nthe 1 2 3 4\n");
        var ex = Assert.Throws<InvalidDataException>(() => PretrainedEmbeddings.LoadWord2VecText(wrongDim, Vocabulary, weight, 3));
        Assert.Contains("line 1", ex.Message);
        Assert.Contains("dimension 4", ex.Message);
        string wrongCount = WriteFile("c.txt", "3 3\nthe 1 2 3\ncat 1 2 3\n");
        ex = Assert.Throws<InvalidDataException>(() => PretrainedEmbeddings.LoadWord2VecText(wrongCount, Vocabulary, weight, 3));
        Assert.Contains("declares 3 words", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Word2Vec_RoundTrip(bool binary)
    {
        string[] words = { "the", "cat", "zebra", "naïve", "sat" };
        const int E = 4;
        var vectors = new float[words.Length * E];
        for (int i = 0; i < vectors.Length; i++) vectors[i] = MathF.Sin(i * 1.7f) * 10f / (i + 1) + 1e-7f * i;
        string path = Path.Combine(directory, binary ? "vectors.bin" : "vectors.txt");
        if (binary) Word2VecWriter.WriteBinary(path, words, vectors, E);
        else Word2VecWriter.WriteText(path, words, vectors, E);
        Assert.Single(Directory.GetFiles(directory)); // no temporary file left behind

        var vocabulary = new Dictionary<string, int>();
        for (int i = 0; i < words.Length; i++) vocabulary[words[i]] = words.Length - 1 - i; // reversed rows
        var weight = new float[words.Length * E];
        EmbeddingLoadResult result = binary
            ? PretrainedEmbeddings.LoadWord2VecBinary(path, vocabulary, weight, E)
            : PretrainedEmbeddings.LoadWord2VecText(path, vocabulary, weight, E);
        Assert.Equal(1.0, result.Coverage);
        for (int i = 0; i < words.Length; i++)
        {
            int row = words.Length - 1 - i;
            for (int e = 0; e < E; e++) Assert.Equal(vectors[i * E + e], weight[row * E + e]); // bit exact
        }

        // overwriting an existing file works too
        Word2VecWriter.WriteText(path, new[] { "x" }, new float[E], E);
        Assert.Single(Directory.GetFiles(directory));
    }

    [Fact]
    public void Word2VecBinary_WithoutNewlines_AndTruncatedFile()
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes("2 2\n"));
        foreach ((string w, float a, float b) in new[] { ("cat", 1f, 2f), ("the", 3f, 4f) })
        {
            stream.Write(Encoding.UTF8.GetBytes(w + " "));
            stream.Write(BitConverter.GetBytes(a));
            stream.Write(BitConverter.GetBytes(b));
        }
        byte[] bytes = stream.ToArray();
        var weight = new float[6 * 2];
        EmbeddingLoadResult result = PretrainedEmbeddings.Load(new MemoryStream(bytes), "mem.bin",
            EmbeddingFileFormat.Word2VecBinary, Vocabulary, weight, 2);
        Assert.Equal(2, result.RowsFound);
        Assert.Equal(new[] { 3f, 4f, 1f, 2f }, weight[2..6]);

        var ex = Assert.Throws<InvalidDataException>(() => PretrainedEmbeddings.Load(new MemoryStream(bytes, 0, bytes.Length - 3), "mem.bin",
            EmbeddingFileFormat.Word2VecBinary, Vocabulary, weight, 2));
        Assert.Contains("mem.bin, entry 2", ex.Message);
    }

    [Fact]
    public void Arguments_AreValidated()
    {
        string path = WriteFile("g.txt", "the 1 2\n");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PretrainedEmbeddings.LoadGloVe(path, new Dictionary<string, int> { ["the"] = 5 }, new float[4], 2));
        Assert.Contains("row 5", ex.Message);
        Assert.Throws<ArgumentException>(() => PretrainedEmbeddings.LoadGloVe(path, Vocabulary, new float[13], 2));
        Assert.Throws<ArgumentException>(() => Word2VecWriter.WriteText(Path.Combine(directory, "o.txt"), new[] { "a b" }, new float[2], 2));
        Assert.Throws<ArgumentException>(() => Word2VecWriter.WriteBinary(Path.Combine(directory, "o.bin"), new[] { "a" }, new float[3], 2));
    }
}
