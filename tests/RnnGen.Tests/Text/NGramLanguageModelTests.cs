using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Initialization;
using RnnGen.Text.NGrams;

namespace RnnGen.Tests.Text;

public sealed class NGramLanguageModelTests
{
    private static readonly string[] Lines =
    [
        "the cat sat on the mat",
        "the dog sat on the log",
        "a cat and a dog",
        "the cat saw the dog",
        "on the mat the cat sat",
        "a dog sat on a log",
    ];

    private static List<string>[] Tokenized => Lines.Select(l => l.Split(' ').ToList()).ToArray();

    private static void AssertSumsToOne(NGramLanguageModel model, IReadOnlyList<string> context)
    {
        double sum = model.Vocabulary.Sum(w => model.Probability(w, context));
        Assert.True(Math.Abs(sum - 1) < 1e-9, $"Σ P(w | {string.Join(" ", context)}) = {sum}");
        Assert.All(model.Vocabulary, w => Assert.True(model.Probability(w, context) > 0));
    }

    private static readonly string[][] Contexts =
    [
        [], ["the"], ["cat"], ["the", "cat"], ["sat", "on", "the"], ["on", "a"], ["zebra"], ["the", "zebra"], ["log"], ["mat", "the"],
        ["a", "cat", "and"],
    ];

    [Theory]
    [InlineData(1, NGramSmoothing.KneserNey)]
    [InlineData(2, NGramSmoothing.KneserNey)]
    [InlineData(3, NGramSmoothing.KneserNey)]
    [InlineData(4, NGramSmoothing.KneserNey)]
    [InlineData(2, NGramSmoothing.AddK)]
    [InlineData(3, NGramSmoothing.AddK)]
    public void Probabilities_SumToOneOverTheVocabulary(int order, NGramSmoothing smoothing)
    {
        var model = NGramLanguageModel.Train(Tokenized, new NGramOptions { Order = order, Smoothing = smoothing, K = 0.1 });
        Assert.Equal(["</s>", "<unk>", "the"], model.Vocabulary.Take(3));
        foreach (string[] context in Contexts) AssertSumsToOne(model, context);
    }

    [Fact]
    public void KneserNey_MatchesAHandComputedBigram()
    {
        // <s> a b </s>, <s> a c </s>; D = 0.75, V = {</s>, <unk>, a, b, c}.
        // Continuation: N1+(•a) = 1, N1+(•b) = 1, N1+(•c) = 1, N1+(•</s>) = 2: total 5, 4 types.
        // P1(b) = (1 − 0.75 + 0.75·4·(1/5)) / 5 = 0.17; P(b | a) = (1 − 0.75 + 0.75·2·0.17) / 2 = 0.2525.
        var model = NGramLanguageModel.Train([["a", "b"], ["a", "c"]], new NGramOptions { Order = 2 });
        Assert.Equal(0.2525, model.Probability("b", ["a"]), 12);
        Assert.Equal(0.17, model.Probability("b", ["zzz"]), 12); // unseen context <unk> → lower order
        // P(a | <s>) = (2 − 0.75 + 0.75·1·P1(a)) / 2, P1(a) = 0.17.
        Assert.Equal((1.25 + 0.75 * 0.17) / 2, model.Probability("a", []), 12);
        var addK = NGramLanguageModel.Train([["a", "b"], ["a", "c"]], new NGramOptions { Order = 2, Smoothing = NGramSmoothing.AddK, K = 1 });
        Assert.Equal(2.0 / 7, addK.Probability("b", ["a"]), 12);
        Assert.Equal(2.0 / 11, addK.Probability("b", ["zzz"]), 12); // unseen context → unigram (1 + 1) / (6 + 5)
    }

    private static List<string>[] Shuffled(List<string>[] sentences, long seed)
    {
        var all = sentences.SelectMany(s => s).ToArray();
        var random = new SeededRandom(seed);
        for (int i = all.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var result = new List<string>[sentences.Length];
        int at = 0;
        for (int s = 0; s < sentences.Length; s++)
        {
            result[s] = all.Skip(at).Take(sentences[s].Count).ToList();
            at += sentences[s].Count;
        }
        return result;
    }

    [Theory]
    [InlineData(NGramSmoothing.KneserNey)]
    [InlineData(NGramSmoothing.AddK)]
    public void Perplexity_OfTrainingText_IsLowerThanOfShuffledText(NGramSmoothing smoothing)
    {
        var model = NGramLanguageModel.Train(Tokenized, new NGramOptions { Order = 3, Smoothing = smoothing, K = 0.1 });
        PerplexityResult own = model.Perplexity(Tokenized);
        PerplexityResult shuffled = model.Perplexity(Shuffled(Tokenized, 1));
        Assert.Equal(Tokenized.Sum(s => s.Count) + Lines.Length, own.Tokens);
        Assert.Equal(0, own.UnknownTokens);
        Assert.True(own.Perplexity < shuffled.Perplexity * 0.7, $"{own.Perplexity} vs {shuffled.Perplexity}");
        Assert.Equal(Math.Exp(-own.LogProbability / own.Tokens), own.Perplexity, 12);
    }

    [Fact]
    public void CharacterModel_SumsToOne_AndPrefersRealText()
    {
        var options = new NGramOptions { Order = 4, Unit = NGramUnit.Characters };
        var model = NGramLanguageModel.TrainOnText(Lines, options);
        Assert.Contains(" ", model.Vocabulary);
        foreach (string context in new[] { "", "t", "th", "the c", "qqq" })
            AssertSumsToOne(model, NGramLanguageModel.Tokenize(context, options));
        double own = model.PerplexityOfText(Lines).Perplexity;
        double scrambled = model.PerplexityOfText(Lines.Select(l => new string(l.Reverse().ToArray()))).Perplexity;
        Assert.True(own < scrambled, $"{own} vs {scrambled}");
        Assert.True(own < model.Vocabulary.Count);
    }

    [Fact]
    public void UnknownTokens_AreScoredAsUnk()
    {
        var model = NGramLanguageModel.Train(Tokenized, new NGramOptions { Order = 2, MinCount = 2 });
        Assert.DoesNotContain("saw", model.Vocabulary);   // seen once → <unk>
        Assert.Equal(model.Probability("<unk>", ["the"]), model.Probability("zebra", ["the"]));
        Assert.Equal(model.Probability("saw", ["cat"]), model.Probability("zebra", ["cat"]));
        Assert.True(model.Probability("<unk>", ["cat"]) > model.Probability("<unk>", ["on"]));
        PerplexityResult r = model.Perplexity([["the", "zebra", "sat"]]);
        Assert.Equal(1, r.UnknownTokens);
        Assert.Equal(4, r.Tokens);
        Assert.True(double.IsFinite(r.Perplexity));
        Assert.Throws<ArgumentException>(() => model.Probability("<s>", []));
    }
}
