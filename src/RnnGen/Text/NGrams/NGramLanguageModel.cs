using System;
using System.Collections.Generic;
using System.Text;
using RnnGen.Data;

namespace RnnGen.Text.NGrams;

/// <summary>Smoothing of <see cref="NGramLanguageModel"/>.</summary>
public enum NGramSmoothing
{
    /// <summary>Interpolated Kneser–Ney with one absolute discount D per order (default D = 0.75).</summary>
    KneserNey,

    /// <summary>Add-k (Lidstone; k = 1 is Laplace) at the longest context seen in training, backing off to shorter ones.</summary>
    AddK,
}

/// <summary>What a token is when the model reads plain text lines.</summary>
public enum NGramUnit
{
    /// <summary>Words and punctuation by <see cref="WordTokenizer"/>.</summary>
    Words,

    /// <summary>Unicode code points (runes), spaces included.</summary>
    Characters,
}

/// <summary>Settings of <see cref="NGramLanguageModel"/>.</summary>
public sealed class NGramOptions
{
    /// <summary>n: the model predicts a token from the n − 1 before it.</summary>
    public int Order { get; init; } = 3;

    public NGramSmoothing Smoothing { get; init; } = NGramSmoothing.KneserNey;

    /// <summary>Kneser–Ney discount D, in (0, 1].</summary>
    public double Discount { get; init; } = 0.75;

    /// <summary>Add-k pseudo-count k &gt; 0.</summary>
    public double K { get; init; } = 1.0;

    /// <summary>Training tokens seen fewer times become &lt;unk&gt;.</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>Token unit for the text overloads.</summary>
    public NGramUnit Unit { get; init; } = NGramUnit.Words;

    /// <summary>Lower-case words (invariant culture) in the text overloads; ignored for characters.</summary>
    public bool LowerCase { get; init; } = true;

    internal void Validate()
    {
        if (Order < 1 || Order > 16) throw new ArgumentOutOfRangeException(nameof(Order), Order, $"Expected Order in 1..16, but got {Order}.");
        if (!Enum.IsDefined(Smoothing)) throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "Expected KneserNey or AddK.");
        if (!Enum.IsDefined(Unit)) throw new ArgumentOutOfRangeException(nameof(Unit), Unit, "Expected Words or Characters.");
        if (!(Discount > 0 && Discount <= 1)) throw new ArgumentOutOfRangeException(nameof(Discount), Discount, $"Expected Discount in (0, 1], but got {Discount}.");
        if (!(K > 0 && double.IsFinite(K))) throw new ArgumentOutOfRangeException(nameof(K), K, $"Expected K > 0, but got {K}.");
        if (MinCount < 1) throw new ArgumentOutOfRangeException(nameof(MinCount), MinCount, $"Expected MinCount ≥ 1, but got {MinCount}.");
    }
}

/// <summary>Log-probability and perplexity of held-out text (every token and every &lt;/s&gt; is predicted).</summary>
/// <param name="Perplexity">exp(−LogProbability / Tokens).</param>
/// <param name="LogProbability">Σ ln P over the predicted tokens.</param>
/// <param name="Tokens">Predicted tokens, &lt;/s&gt; included.</param>
/// <param name="UnknownTokens">Predicted tokens that were outside the vocabulary (scored as &lt;unk&gt;).</param>
/// <param name="Sentences">Sentences (lines) read.</param>
public sealed record PerplexityResult(double Perplexity, double LogProbability, long Tokens, long UnknownTokens, long Sentences)
{
    /// <summary>Cross-entropy in bits per token: −LogProbability / (Tokens · ln 2).</summary>
    public double BitsPerToken => -LogProbability / (Tokens * Math.Log(2));
}

/// <summary>
/// An n-gram language model over word or character tokens with interpolated Kneser–Ney or add-k smoothing.
/// Each sentence is padded with n − 1 &lt;s&gt; on the left and one &lt;/s&gt; on the right; &lt;s&gt; is only ever
/// context, so the predicted vocabulary is the training tokens plus &lt;/s&gt; and &lt;unk&gt;, and
/// Σ_{w ∈ Vocabulary} P(w | h) = 1 for every context h. Formulas: docs/text.md.
/// </summary>
public sealed class NGramLanguageModel
{
    public const string StartToken = "<s>", EndToken = "</s>", UnknownToken = "<unk>";
    private const int StartId = 0, EndId = 1, UnknownId = 2;

    private readonly Dictionary<string, int> ids;
    private readonly string[] tokens;     // by id; tokens[0] = <s>
    private readonly int width;           // chars per id in keys
    private readonly Dictionary<string, long>[] raw;          // raw[k]: counts of k-grams ending at predicted positions
    private readonly Dictionary<string, long>[] continuation; // continuation[k] (k < n): N1+(• g)
    private readonly Dictionary<string, ContextStat>[] rawContexts, continuationContexts;

    private readonly record struct ContextStat(long Total, long Types);

    private NGramLanguageModel(NGramOptions options, Dictionary<string, int> ids, string[] tokens, int width)
    {
        Options = options;
        this.ids = ids;
        this.tokens = tokens;
        this.width = width;
        int n = options.Order;
        raw = new Dictionary<string, long>[n + 1];
        continuation = new Dictionary<string, long>[n + 1];
        rawContexts = new Dictionary<string, ContextStat>[n + 1];
        continuationContexts = new Dictionary<string, ContextStat>[n + 1];
        for (int k = 1; k <= n; k++)
        {
            raw[k] = new Dictionary<string, long>(StringComparer.Ordinal);
            continuation[k] = new Dictionary<string, long>(StringComparer.Ordinal);
        }
        Vocabulary = new ArraySegment<string>(tokens, 1, tokens.Length - 1);
    }

    public NGramOptions Options { get; }
    public int Order => Options.Order;

    /// <summary>The tokens the model predicts: &lt;/s&gt;, &lt;unk&gt;, then training tokens by decreasing count (ties ordinal).</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Number of distinct k-grams seen in training (k = 1..Order).</summary>
    public int NGramCount(int k) => raw[CheckOrder(k)].Count;

    /// <summary>Trains on text lines, each a sentence, split into tokens by <see cref="NGramOptions.Unit"/>.</summary>
    public static NGramLanguageModel TrainOnText(IEnumerable<string> lines, NGramOptions options)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(options);
        return Train(TokenizeAll(lines, options), options);
    }

    /// <summary>Trains on tokenized sentences.</summary>
    public static NGramLanguageModel Train(IEnumerable<IReadOnlyList<string>> sentences, NGramOptions options)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var list = new List<IReadOnlyList<string>>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (IReadOnlyList<string> sentence in sentences)
        {
            ArgumentNullException.ThrowIfNull(sentence, nameof(sentences));
            list.Add(sentence);
            foreach (string t in sentence)
            {
                ArgumentNullException.ThrowIfNull(t, nameof(sentences));
                if (t is StartToken or EndToken or UnknownToken) continue;
                counts[t] = counts.GetValueOrDefault(t) + 1;
            }
        }
        var kept = new List<KeyValuePair<string, long>>();
        foreach (var pair in counts)
            if (pair.Value >= options.MinCount) kept.Add(pair);
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var tokens = new string[3 + kept.Count];
        tokens[StartId] = StartToken;
        tokens[EndId] = EndToken;
        tokens[UnknownId] = UnknownToken;
        var ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal) { [EndToken] = EndId, [UnknownToken] = UnknownId };
        for (int i = 0; i < kept.Count; i++)
        {
            tokens[3 + i] = kept[i].Key;
            ids[kept[i].Key] = 3 + i;
        }
        int width = tokens.Length <= char.MaxValue ? 1 : 2;
        var model = new NGramLanguageModel(options, ids, tokens, width);
        model.Count(list);
        return model;
    }

    private void Count(List<IReadOnlyList<string>> sentences)
    {
        int n = Order;
        var padded = new List<int>();
        var key = new StringBuilder();
        foreach (IReadOnlyList<string> sentence in sentences)
        {
            Pad(sentence, padded, out _);
            for (int i = n - 1; i < padded.Count; i++)
            {
                key.Clear();
                // k-grams ending at i, built right to left: k = 1..n.
                for (int k = 1; k <= n; k++)
                {
                    Prepend(key, padded[i - k + 1]);
                    string g = key.ToString();
                    raw[k][g] = raw[k].GetValueOrDefault(g) + 1;
                }
            }
        }
        // Continuation counts: N1+(• g) = distinct left extensions among the observed (k+1)-grams.
        for (int k = 1; k < n; k++)
            foreach (string g in raw[k + 1].Keys)
            {
                string suffix = g.Substring(width);
                continuation[k][suffix] = continuation[k].GetValueOrDefault(suffix) + 1;
            }
        for (int k = 1; k <= n; k++)
        {
            rawContexts[k] = Contexts(raw[k]);
            continuationContexts[k] = Contexts(continuation[k]);
        }
    }

    private Dictionary<string, ContextStat> Contexts(Dictionary<string, long> grams)
    {
        var result = new Dictionary<string, ContextStat>(StringComparer.Ordinal);
        foreach (var (g, c) in grams)
        {
            string h = g.Substring(0, g.Length - width);
            ContextStat s = result.GetValueOrDefault(h);
            result[h] = new ContextStat(s.Total + c, s.Types + 1);
        }
        return result;
    }

    /// <summary>
    /// P(<paramref name="token"/> | <paramref name="context"/>): the context is the sentence's tokens before the
    /// token (most recent last; only the last n − 1 count, missing history is &lt;s&gt;). Unknown tokens are &lt;unk&gt;;
    /// <paramref name="token"/> may be &lt;/s&gt; but not &lt;s&gt;.
    /// </summary>
    public double Probability(string token, IReadOnlyList<string> context)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(context);
        if (token == StartToken) throw new ArgumentException("<s> is never predicted; it is only context.", nameof(token));
        int n = Order;
        var window = new int[n];
        for (int j = 0; j < n - 1; j++)
        {
            int at = context.Count - (n - 1) + j;
            window[j] = at < 0 ? StartId : IdOf(context[at]);
        }
        window[n - 1] = IdOf(token);
        return ProbabilityOfWindow(window);
    }

    /// <summary>ln <see cref="Probability"/>.</summary>
    public double LogProbability(string token, IReadOnlyList<string> context) => Math.Log(Probability(token, context));

    /// <summary>Perplexity of tokenized held-out sentences (&lt;/s&gt; of each predicted too).</summary>
    public PerplexityResult Perplexity(IEnumerable<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        int n = Order;
        var padded = new List<int>();
        var window = new int[n];
        double logp = 0;
        long count = 0, sentenceCount = 0, unknown = 0;
        foreach (IReadOnlyList<string> sentence in sentences)
        {
            ArgumentNullException.ThrowIfNull(sentence, nameof(sentences));
            Pad(sentence, padded, out int unk);
            unknown += unk;
            sentenceCount++;
            for (int i = n - 1; i < padded.Count; i++)
            {
                padded.CopyTo(i - n + 1, window, 0, n);
                logp += Math.Log(ProbabilityOfWindow(window));
                count++;
            }
        }
        if (count == 0) throw new ArgumentException("Expected at least one sentence.", nameof(sentences));
        return new PerplexityResult(Math.Exp(-logp / count), logp, count, unknown, sentenceCount);
    }

    /// <summary>Perplexity of text lines, tokenized like <see cref="TrainOnText"/>.</summary>
    public PerplexityResult PerplexityOfText(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return Perplexity(TokenizeAll(lines, Options));
    }

    /// <summary>The tokens of one line as the text overloads see them.</summary>
    public static List<string> Tokenize(string line, NGramOptions options)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Unit == NGramUnit.Words) return new WordTokenizer(options.LowerCase).Tokenize(line);
        var result = new List<string>(line.Length);
        foreach (Rune r in line.EnumerateRunes()) result.Add(r.ToString());
        return result;
    }

    private static IEnumerable<IReadOnlyList<string>> TokenizeAll(IEnumerable<string> lines, NGramOptions options)
    {
        foreach (string line in lines) yield return Tokenize(line ?? throw new ArgumentException("Expected non-null lines.", nameof(lines)), options);
    }

    /// <summary>P(window[n−1] | window[0..n−2]) with ids.</summary>
    private double ProbabilityOfWindow(int[] window)
    {
        var key = new StringBuilder();
        for (int j = 0; j < window.Length; j++) Append(key, window[j]);
        string full = key.ToString();
        int n = Order;
        if (Options.Smoothing == NGramSmoothing.AddK)
        {
            double vocabulary = tokens.Length - 1;
            for (int k = n; k >= 1; k--)
            {
                string g = full.Substring((n - k) * width);
                string h = g.Substring(0, g.Length - width);
                if (rawContexts[k].TryGetValue(h, out ContextStat s) && s.Total > 0)
                    return (raw[k].GetValueOrDefault(g) + Options.K) / (s.Total + Options.K * vocabulary);
            }
            return 1.0 / vocabulary; // no training data at all
        }
        return KneserNey(full, n);
    }

    private double KneserNey(string full, int k)
    {
        if (k == 0) return 1.0 / (tokens.Length - 1);
        int n = Order;
        string g = full.Substring((n - k) * width);
        string h = g.Substring(0, g.Length - width);
        Dictionary<string, long> counts = k == n ? raw[k] : continuation[k];
        Dictionary<string, ContextStat> contexts = k == n ? rawContexts[k] : continuationContexts[k];
        double lower = KneserNey(full, k - 1);
        if (!contexts.TryGetValue(h, out ContextStat s) || s.Total == 0) return lower;
        double d = Options.Discount;
        double c = counts.GetValueOrDefault(g);
        return (Math.Max(c - d, 0) + d * s.Types * lower) / s.Total;
    }

    private int IdOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return ids.TryGetValue(token, out int id) ? id : UnknownId;
    }

    private void Pad(IReadOnlyList<string> sentence, List<int> padded, out int unknown)
    {
        padded.Clear();
        unknown = 0;
        for (int j = 0; j < Order - 1; j++) padded.Add(StartId);
        foreach (string t in sentence)
        {
            int id = IdOf(t);
            if (id == UnknownId && t != UnknownToken) unknown++;
            padded.Add(id);
        }
        padded.Add(EndId);
    }

    private void Append(StringBuilder key, int id)
    {
        if (width == 2) key.Append((char)(id >> 16));
        key.Append((char)(id & 0xFFFF));
    }

    private void Prepend(StringBuilder key, int id)
    {
        if (width == 2) key.Insert(0, new[] { (char)(id >> 16), (char)(id & 0xFFFF) });
        else key.Insert(0, (char)id);
    }

    private int CheckOrder(int k)
    {
        if (k < 1 || k > Order) throw new ArgumentOutOfRangeException(nameof(k), k, $"Expected k in 1..{Order}, but got {k}.");
        return k;
    }
}
