using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.Embeddings;
using RnnGen.Initialization;
using RnnGen.Text.Word2Vec;

namespace RnnGen.Tests.Text;

public sealed class Word2VecTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "rnngen-text-w2v-" + Guid.NewGuid().ToString("N"));

    public Word2VecTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private const int V = 6, D = 4;

    private static float[] RandomMatrix(long seed)
    {
        var random = new SeededRandom(seed);
        var m = new float[V * D];
        for (int i = 0; i < m.Length; i++) m[i] = (float)(random.NextGaussian() * 0.6);
        return m;
    }

    private static void CheckGradient(Func<float[], float[], double> loss, float[] input, float[] output, float[] gIn, float[] gOut)
    {
        const float eps = 1e-2f;
        foreach (var (param, grad, name) in new[] { (input, gIn, "input"), (output, gOut, "output") })
        {
            for (int i = 0; i < param.Length; i++)
            {
                float keep = param[i];
                param[i] = keep + eps;
                double plus = loss(input, output);
                param[i] = keep - eps;
                double minus = loss(input, output);
                param[i] = keep;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 + 1e-2 * Math.Abs(numeric),
                    $"{name}[{i}]: analytic {grad[i]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void SkipGram_GradientMatchesFiniteDifferences()
    {
        float[] input = RandomMatrix(1), output = RandomMatrix(2);
        int[] negatives = [3, 4, 0, 4]; // a repeated negative counts twice
        var gIn = new float[V * D];
        var gOut = new float[V * D];
        double l = Word2VecObjective.SkipGram(input, output, D, contextWord: 1, centerWord: 2, negatives, gIn, gOut);
        Assert.True(l > 0);
        Assert.Equal(0f, gIn[5 * D]); // rows that take no part get nothing
        CheckGradient((i, o) => Word2VecObjective.SkipGram(i, o, D, 1, 2, negatives, new float[V * D], new float[V * D]),
            input, output, gIn, gOut);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Cbow_GradientMatchesFiniteDifferences(bool mean)
    {
        float[] input = RandomMatrix(3), output = RandomMatrix(4);
        int[] context = [0, 1, 1, 5]; // a word twice in the window contributes twice
        int[] negatives = [3, 4, 1];
        var gIn = new float[V * D];
        var gOut = new float[V * D];
        Word2VecObjective.Cbow(input, output, D, context, mean, centerWord: 2, negatives, gIn, gOut);
        CheckGradient((i, o) => Word2VecObjective.Cbow(i, o, D, context, mean, 2, negatives, new float[V * D], new float[V * D]),
            input, output, gIn, gOut);
    }

    [Fact]
    public void TrainingStep_IsGradientDescentOnTheObjective()
    {
        float[] input = RandomMatrix(5), output = RandomMatrix(6);
        int[] negatives = [0, 3, 5];
        var gIn = new float[V * D];
        var gOut = new float[V * D];
        Word2VecObjective.SkipGram(input, output, D, 1, 2, negatives, gIn, gOut);
        const float alpha = 0.1f;
        float[] stepOut = (float[])output.Clone();
        var h = input.AsSpan(1 * D, D).ToArray();
        var e = new float[D];
        Word2VecObjective.Step(h, stepOut, D, 2, negatives, alpha, e);
        for (int i = 0; i < output.Length; i++) Assert.Equal(output[i] - alpha * gOut[i], stepOut[i], 1e-5f);
        for (int j = 0; j < D; j++) Assert.Equal(-alpha * gIn[1 * D + j], e[j], 1e-5f);
    }

    [Fact]
    public void KeepProbability_AndNoiseTable_FollowTheOriginal()
    {
        // (√(c/(tN)) + 1)·tN/c with c = 1000, N = 1e6, t = 1e-3: tN = 1000 → (1 + 1)·1 = 2 → capped at 1.
        Assert.Equal(1.0, Word2VecTrainer.KeepProbability(1000, 1_000_000, 1e-3));
        // c = 100000: (√100 + 1)·1000/100000 = 0.11
        Assert.Equal(0.11, Word2VecTrainer.KeepProbability(100_000, 1_000_000, 1e-3), 12);
        Assert.Equal(1.0, Word2VecTrainer.KeepProbability(100_000, 1_000_000, 0));
        long[] counts = [1000, 100, 10];
        int[] table = Word2VecTrainer.BuildNoiseTable(counts, 100_000);
        double z = counts.Sum(c => Math.Pow(c, 0.75));
        for (int w = 0; w < counts.Length; w++)
            Assert.Equal(Math.Pow(counts[w], 0.75) / z, table.Count(t => t == w) / 100_000.0, 3);
    }

    /// <summary>Three groups of four words; the words of a group appear in the same contexts, never together.</summary>
    internal static List<string[]> SyntheticCorpus(int sentences, long seed)
    {
        string[][] groups =
        [
            ["cat", "dog", "horse", "cow"],
            ["car", "truck", "bus", "van"],
            ["apple", "banana", "cherry", "grape"],
        ];
        string[][][] templates =
        [
            [["the", "*", "eats", "grass", "in", "the", "field"], ["a", "hungry", "*", "sleeps", "near", "the", "barn"], ["feed", "the", "*", "some", "hay"]],
            [["the", "*", "drives", "on", "the", "road"], ["a", "fast", "*", "needs", "fuel", "and", "oil"], ["park", "the", "*", "in", "the", "garage"]],
            [["i", "eat", "a", "ripe", "*", "today"], ["the", "*", "is", "sweet", "and", "juicy"], ["peel", "the", "*", "with", "a", "knife"]],
        ];
        var random = new SeededRandom(seed);
        var corpus = new List<string[]>();
        for (int s = 0; s < sentences; s++)
        {
            int g = random.NextInt(groups.Length);
            string[] template = templates[g][random.NextInt(templates[g].Length)];
            string word = groups[g][random.NextInt(groups[g].Length)];
            corpus.Add(template.Select(t => t == "*" ? word : t).ToArray());
        }
        return corpus;
    }

    private static void AssertGroupsAreNeighbours(WordVectors vectors)
    {
        string[][] groups =
        [
            ["cat", "dog", "horse", "cow"],
            ["car", "truck", "bus", "van"],
            ["apple", "banana", "cherry", "grape"],
        ];
        foreach (string[] group in groups)
            foreach (string w in group)
            {
                var nearest = vectors.Nearest(w, 3);
                Assert.True(nearest.All(n => group.Contains(n.Word)),
                    $"{w}: {string.Join(", ", nearest.Select(n => $"{n.Word} {n.Similarity:F3}"))}");
            }
    }

    private static Word2VecOptions Options(Word2VecArchitecture architecture, int threads) => new()
    {
        Architecture = architecture, Dimension = 24, Window = 3, MinCount = 1, Negative = 5,
        Sample = 1e-3, Epochs = 8, Threads = threads, Seed = 7,
    };

    [Theory]
    [InlineData(Word2VecArchitecture.SkipGram)]
    [InlineData(Word2VecArchitecture.Cbow)]
    public void WordsSharingContexts_BecomeNearestNeighbours(Word2VecArchitecture architecture)
    {
        var corpus = SyntheticCorpus(3000, seed: 11);
        WordVectors vectors = Word2VecTrainer.Train(corpus, Options(architecture, threads: 1));
        Assert.Equal(24, vectors.Dimension);
        Assert.Equal("the", vectors.Words[0]); // most frequent first
        AssertGroupsAreNeighbours(vectors);
        Assert.True(vectors.Similarity("cat", "dog") > vectors.Similarity("cat", "truck") + 0.2f);
    }

    [Fact]
    public void SingleThread_IsDeterministic()
    {
        var corpus = SyntheticCorpus(500, seed: 3);
        var a = Word2VecTrainer.Train(corpus, Options(Word2VecArchitecture.SkipGram, 1));
        var b = Word2VecTrainer.Train(corpus, Options(Word2VecArchitecture.SkipGram, 1));
        Assert.True(a.Vectors.SequenceEqual(b.Vectors));
        Assert.Equal(a.Words, b.Words);
    }

    [Fact]
    public void MultiThreaded_TrainingGivesSensibleNeighbours()
    {
        var corpus = SyntheticCorpus(3000, seed: 5);
        WordVectors vectors = Word2VecTrainer.Train(corpus, Options(Word2VecArchitecture.SkipGram, threads: Math.Max(2, Environment.ProcessorCount)));
        AssertGroupsAreNeighbours(vectors);
    }

    [Fact]
    public void MinCount_AndTokenizedTexts()
    {
        var vectors = Word2VecTrainer.Train(["The cat sat.", "the cat ran", "a dog"],
            new Word2VecOptions { MinCount = 2, Dimension = 5, Epochs = 1, Threads = 1, Sample = 0 });
        Assert.Equal(["cat", "the"], vectors.Words);
        Assert.Equal([2L, 2L], vectors.Counts);
        Assert.Throws<ArgumentException>(() => Word2VecTrainer.Train(["a b"], new Word2VecOptions { MinCount = 2 }));
    }

    [Fact]
    public void SavedTextAndBinary_LoadBackIdentically()
    {
        var corpus = SyntheticCorpus(300, seed: 9);
        WordVectors vectors = Word2VecTrainer.Train(corpus, new Word2VecOptions { Dimension = 7, MinCount = 1, Epochs = 2, Threads = 1 });
        string text = Path.Combine(directory, "v.txt"), binary = Path.Combine(directory, "v.bin");
        vectors.SaveText(text);
        vectors.SaveBinary(binary);
        Assert.StartsWith($"{vectors.Count} 7\n", File.ReadAllText(text));
        foreach (var (path, format) in new[] { (text, EmbeddingFileFormat.Word2VecText), (binary, EmbeddingFileFormat.Word2VecBinary) })
        {
            var weight = new float[vectors.Count * 7];
            EmbeddingLoadResult r = PretrainedEmbeddings.Load(path, format, vectors.Index, weight, 7);
            Assert.Equal(vectors.Count, r.RowsFound);
            Assert.Equal(vectors.Count, r.FileWords);
            for (int i = 0; i < weight.Length; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(vectors.Vectors[i]), BitConverter.SingleToInt32Bits(weight[i]));
        }
    }

    [Fact]
    public void NearestAndAnalogy_UseCosineAndExcludeQueryWords()
    {
        string[] words = ["king", "queen", "man", "woman", "apple"];
        float[] v =
        [
            1, 1, 0,     // king = royal + male
            1, 0, 1,     // queen = royal + female
            0, 2, 0,     // man (longer: cosine ignores length)
            0, 0, 1,     // woman
            -1, -1, -1,  // apple
        ];
        var vectors = new WordVectors(words, v, 3);
        Assert.Equal(1f, vectors.Similarity("man", "man"), 6);
        Assert.Equal(1 / MathF.Sqrt(2), vectors.Similarity("king", "man"), 6);
        var nearest = vectors.Nearest("king", 2);
        Assert.Equal(["man", "queen"], nearest.Select(n => n.Word)); // 0.707 vs 0.5
        var analogy = vectors.Analogy("king", "man", "woman", 4);
        Assert.Equal("queen", analogy[0].Word);
        Assert.DoesNotContain(analogy, n => n.Word is "king" or "man" or "woman");
        Assert.Equal(["queen", "apple"], analogy.Select(n => n.Word));
        Assert.Throws<KeyNotFoundException>(() => vectors.Nearest("prince"));
    }
}
