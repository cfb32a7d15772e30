using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Threading;
using RnnGen.Data;
using RnnGen.Initialization;

namespace RnnGen.Text.Word2Vec;

/// <summary>
/// Trains word2vec (skip-gram or CBOW with negative sampling) the way the original C tool does: vocabulary by
/// minimum count, subsampling of frequent words, dynamic window, unigram^0.75 noise table, linearly decaying
/// learning rate, and lock-free (Hogwild) updates from several threads. See docs/text.md for the formulas.
/// </summary>
public static class Word2VecTrainer
{
    private const int AlphaUpdateWords = 1000;

    /// <summary>Trains on texts, one sentence per text, tokenized by <paramref name="tokenizer"/> (default: lower-casing <see cref="WordTokenizer"/>).</summary>
    public static WordVectors Train(IEnumerable<string> texts, Word2VecOptions options, WordTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        tokenizer ??= new WordTokenizer(lowerCase: true);
        return Train(Tokenize(texts, tokenizer), options);
    }

    private static IEnumerable<IReadOnlyList<string>> Tokenize(IEnumerable<string> texts, WordTokenizer tokenizer)
    {
        foreach (string text in texts) yield return tokenizer.Tokenize(text);
    }

    /// <summary>Trains on tokenized sentences (a window never crosses a sentence boundary).</summary>
    public static WordVectors Train(IEnumerable<IReadOnlyList<string>> sentences, Word2VecOptions options)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // 1. One pass: provisional ids in order of first appearance, counts, and the corpus in provisional ids.
        var provisional = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstWords = new List<string>();
        var firstCounts = new List<long>();
        var raw = new List<int[]>();
        foreach (IReadOnlyList<string> sentence in sentences)
        {
            ArgumentNullException.ThrowIfNull(sentence, nameof(sentences));
            var ids = new int[sentence.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                string w = sentence[i] ?? throw new ArgumentException("Expected non-null tokens.", nameof(sentences));
                if (!provisional.TryGetValue(w, out int id))
                {
                    id = firstWords.Count;
                    provisional.Add(w, id);
                    firstWords.Add(w);
                    firstCounts.Add(0);
                }
                firstCounts[id]++;
                ids[i] = id;
            }
            raw.Add(ids);
        }

        // 2. Vocabulary: count ≥ MinCount, by decreasing count then ordinal, capped.
        var order = new List<int>();
        for (int i = 0; i < firstWords.Count; i++)
            if (firstCounts[i] >= options.MinCount) order.Add(i);
        order.Sort((a, b) => firstCounts[a] != firstCounts[b]
            ? firstCounts[b].CompareTo(firstCounts[a])
            : string.CompareOrdinal(firstWords[a], firstWords[b]));
        if (options.MaxVocabularySize > 0 && order.Count > options.MaxVocabularySize)
            order.RemoveRange(options.MaxVocabularySize, order.Count - options.MaxVocabularySize);
        int v = order.Count;
        if (v == 0)
            throw new ArgumentException($"Expected at least one word seen {options.MinCount} or more times, but the corpus has none.", nameof(sentences));
        var map = new int[firstWords.Count];
        Array.Fill(map, -1);
        var words = new string[v];
        var counts = new long[v];
        for (int i = 0; i < v; i++)
        {
            map[order[i]] = i;
            words[i] = firstWords[order[i]];
            counts[i] = firstCounts[order[i]];
        }

        // 3. Corpus in final ids; out-of-vocabulary words are removed (as the C tool does).
        var corpus = new List<int[]>(raw.Count);
        long trainWords = 0;
        var buffer = new List<int>();
        foreach (int[] s in raw)
        {
            buffer.Clear();
            foreach (int p in s)
                if (map[p] >= 0) buffer.Add(map[p]);
            if (buffer.Count == 0) continue;
            corpus.Add(buffer.ToArray());
            trainWords += buffer.Count;
        }

        var state = new TrainingState(options, words.Length, counts, trainWords);
        state.Run(corpus);
        return new WordVectors(words, state.Input, options.Dimension, counts);
    }

    /// <summary>The unigram^0.75 noise table of the C tool: word i fills a share count_i^0.75 / Σ count^0.75 of the entries.</summary>
    internal static int[] BuildNoiseTable(long[] counts, int size)
    {
        const double power = 0.75;
        double total = 0;
        foreach (long c in counts) total += Math.Pow(c, power);
        var table = new int[size];
        int i = 0;
        double cumulative = Math.Pow(counts[0], power) / total;
        for (int a = 0; a < size; a++)
        {
            table[a] = i;
            if ((a + 1) / (double)size > cumulative && i < counts.Length - 1)
            {
                i++;
                cumulative += Math.Pow(counts[i], power) / total;
            }
        }
        return table;
    }

    /// <summary>Probability of keeping one occurrence of a word of count c: min(1, (√(c/(t·N)) + 1)·t·N/c); t = 0 keeps all.</summary>
    public static double KeepProbability(long count, long totalWords, double sample)
    {
        if (sample <= 0) return 1.0;
        double tn = sample * totalWords;
        return Math.Min(1.0, (Math.Sqrt(count / tn) + 1) * tn / count);
    }

    private sealed class TrainingState
    {
        private readonly Word2VecOptions options;
        private readonly int d;
        private readonly long trainWords;
        private readonly int[] noise;
        private readonly float[] keep;
        private long processed;

        public TrainingState(Word2VecOptions options, int vocabulary, long[] counts, long trainWords)
        {
            this.options = options;
            d = options.Dimension;
            this.trainWords = trainWords;
            int tableSize = options.NoiseTableSize > 0
                ? options.NoiseTableSize
                : (int)Math.Clamp(100L * vocabulary, 1_000_000L, 100_000_000L);
            noise = BuildNoiseTable(counts, tableSize);
            keep = new float[vocabulary];
            for (int i = 0; i < vocabulary; i++) keep[i] = (float)KeepProbability(counts[i], trainWords, options.Sample);
            Input = new float[(long)vocabulary * d];
            Output = new float[(long)vocabulary * d];
            var random = new SeededRandom(options.Seed);
            for (int i = 0; i < Input.Length; i++) Input[i] = (random.NextSingle() - 0.5f) / d;
        }

        public float[] Input { get; }
        public float[] Output { get; }

        public void Run(List<int[]> corpus)
        {
            int threads = Math.Min(options.EffectiveThreads, corpus.Count);
            // Contiguous chunks of sentences with about trainWords/threads words each.
            var starts = new int[threads + 1];
            long running = 0;
            int next = 1;
            for (int s = 0; s < corpus.Count && next < threads; s++)
            {
                running += corpus[s].Length;
                if (running >= trainWords * next / threads) starts[next++] = s + 1;
            }
            for (; next <= threads; next++) starts[next] = corpus.Count;
            if (threads == 1)
            {
                Worker(corpus, 0, corpus.Count, 0);
                return;
            }
            var workers = new Thread[threads];
            Exception? failure = null;
            for (int t = 0; t < threads; t++)
            {
                int index = t;
                workers[t] = new Thread(() =>
                {
                    try { Worker(corpus, starts[index], starts[index + 1], index); }
                    catch (Exception ex) { Interlocked.CompareExchange(ref failure, ex, null); }
                }) { IsBackground = true, Name = $"word2vec-{t}" };
                workers[t].Start();
            }
            foreach (Thread w in workers) w.Join();
            if (failure != null) throw new InvalidOperationException("A word2vec worker thread failed.", failure);
        }

        private void Worker(List<int[]> corpus, int first, int end, int thread)
        {
            var random = new SeededRandom(unchecked(options.Seed + (thread + 1) * 0x632BE59BD9B4E019L));
            float alpha0 = options.StartingLearningRate;
            float minAlpha = alpha0 * options.MinLearningRateFraction;
            double totalWork = (double)options.Epochs * trainWords + 1;
            float alpha = alpha0;
            int window = options.Window, negative = options.Negative;
            bool cbow = options.Architecture == Word2VecArchitecture.Cbow;
            var sentence = new List<int>();
            var negatives = new int[negative];
            var h = new float[d];
            var e = new float[d];
            long pending = 0;
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                for (int s = first; s < end; s++)
                {
                    if (pending >= AlphaUpdateWords)
                    {
                        long done = Interlocked.Add(ref processed, pending);
                        pending = 0;
                        alpha = Math.Max(minAlpha, (float)(alpha0 * (1 - done / totalWork)));
                    }
                    int[] words = corpus[s];
                    pending += words.Length;
                    sentence.Clear();
                    foreach (int w in words)
                        if (keep[w] >= 1f || random.NextSingle() < keep[w]) sentence.Add(w);
                    for (int p = 0; p < sentence.Count; p++)
                    {
                        int center = sentence[p];
                        int radius = options.DynamicWindow ? window - random.NextInt(window) : window;
                        int lo = Math.Max(0, p - radius), hi = Math.Min(sentence.Count - 1, p + radius);
                        if (cbow)
                        {
                            int cw = hi - lo; // context words (p excluded)
                            if (cw == 0) continue;
                            Array.Clear(h);
                            for (int c = lo; c <= hi; c++)
                                if (c != p) TensorPrimitives.Add(h, Input.AsSpan(sentence[c] * d, d), h);
                            float scale = options.CbowMean ? 1f / cw : 1f;
                            if (options.CbowMean) TensorPrimitives.Multiply(h, scale, h);
                            int k = DrawNegatives(ref random, center, negatives);
                            Word2VecObjective.Step(h, Output, d, center, negatives.AsSpan(0, k), alpha, e);
                            for (int c = lo; c <= hi; c++)
                            {
                                if (c == p) continue;
                                Span<float> row = Input.AsSpan(sentence[c] * d, d);
                                TensorPrimitives.MultiplyAdd(e, scale, row, row);
                            }
                        }
                        else
                        {
                            for (int c = lo; c <= hi; c++)
                            {
                                if (c == p) continue;
                                Span<float> row = Input.AsSpan(sentence[c] * d, d);
                                int k = DrawNegatives(ref random, center, negatives);
                                Word2VecObjective.Step(row, Output, d, center, negatives.AsSpan(0, k), alpha, e);
                                TensorPrimitives.Add(row, e, row);
                            }
                        }
                    }
                }
            }
            Interlocked.Add(ref processed, pending);
        }

        /// <summary>Draws K entries of the noise table; draws equal to the centre word are dropped (as in C).</summary>
        private int DrawNegatives(ref SeededRandom random, int center, int[] negatives)
        {
            int k = 0;
            for (int j = 0; j < negatives.Length; j++)
            {
                int t = noise[random.NextInt(noise.Length)];
                if (t != center) negatives[k++] = t;
            }
            return k;
        }
    }
}
