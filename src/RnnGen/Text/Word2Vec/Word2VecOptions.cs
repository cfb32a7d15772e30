using System;

namespace RnnGen.Text.Word2Vec;

/// <summary>The two word2vec architectures.</summary>
public enum Word2VecArchitecture
{
    /// <summary>Skip-gram: each context word's input vector predicts the centre word.</summary>
    SkipGram,

    /// <summary>Continuous bag of words: the mean (or sum) of the context input vectors predicts the centre word.</summary>
    Cbow,
}

/// <summary>Settings of <see cref="Word2VecTrainer"/>. Defaults follow the original word2vec C tool.</summary>
public sealed class Word2VecOptions
{
    public Word2VecArchitecture Architecture { get; init; } = Word2VecArchitecture.SkipGram;

    /// <summary>Vector size (C tool: <c>-size</c>).</summary>
    public int Dimension { get; init; } = 100;

    /// <summary>Maximum window radius (<c>-window</c>); with <see cref="DynamicWindow"/> each centre word draws a radius in 1..Window.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Draw the window radius uniformly from 1..<see cref="Window"/> for every centre word, as the C code does.</summary>
    public bool DynamicWindow { get; init; } = true;

    /// <summary>Negative samples per positive example (<c>-negative</c>).</summary>
    public int Negative { get; init; } = 5;

    /// <summary>Words seen fewer times are dropped from the vocabulary and the corpus (<c>-min-count</c>).</summary>
    public int MinCount { get; init; } = 5;

    /// <summary>Keep at most this many words (most frequent first); 0 = no limit.</summary>
    public int MaxVocabularySize { get; init; }

    /// <summary>Subsampling threshold t (<c>-sample</c>, e.g. 1e-3 or 1e-5); 0 = keep every word.</summary>
    public double Sample { get; init; } = 1e-3;

    /// <summary>Passes over the corpus (<c>-iter</c>).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Starting learning rate α₀; null = 0.025 for skip-gram, 0.05 for CBOW (the C defaults).</summary>
    public float? LearningRate { get; init; }

    /// <summary>The rate never falls below α₀ · this (C: 1e-4).</summary>
    public float MinLearningRateFraction { get; init; } = 1e-4f;

    /// <summary>CBOW: average the context vectors (true, <c>-cbow 1</c> default) or sum them.</summary>
    public bool CbowMean { get; init; } = true;

    /// <summary>Worker threads; 0 = <see cref="Environment.ProcessorCount"/>. 1 is deterministic (same seed → same vectors).</summary>
    public int Threads { get; init; }

    /// <summary>Seed of the initial vectors and of every thread's generator.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Size of the unigram^0.75 noise table; 0 = clamp(100·V, 10⁶, 10⁸) entries.</summary>
    public int NoiseTableSize { get; init; }

    /// <summary>The learning rate α₀ actually used.</summary>
    public float StartingLearningRate => LearningRate ?? (Architecture == Word2VecArchitecture.Cbow ? 0.05f : 0.025f);

    internal int EffectiveThreads => Threads == 0 ? Math.Max(1, Environment.ProcessorCount) : Threads;

    internal void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"Expected {name} {expected}, but got {value}.");
        }
        Check(Enum.IsDefined(Architecture), nameof(Architecture), Architecture, "to be SkipGram or Cbow");
        Check(Dimension >= 1, nameof(Dimension), Dimension, "≥ 1");
        Check(Window >= 1, nameof(Window), Window, "≥ 1");
        Check(Negative >= 1, nameof(Negative), Negative, "≥ 1");
        Check(MinCount >= 1, nameof(MinCount), MinCount, "≥ 1");
        Check(MaxVocabularySize >= 0, nameof(MaxVocabularySize), MaxVocabularySize, "≥ 0");
        Check(Sample >= 0 && double.IsFinite(Sample), nameof(Sample), Sample, "≥ 0");
        Check(Epochs >= 1, nameof(Epochs), Epochs, "≥ 1");
        Check(StartingLearningRate > 0 && float.IsFinite(StartingLearningRate), nameof(LearningRate), StartingLearningRate, "> 0");
        Check(MinLearningRateFraction >= 0 && MinLearningRateFraction <= 1, nameof(MinLearningRateFraction), MinLearningRateFraction, "in [0, 1]");
        Check(Threads >= 0, nameof(Threads), Threads, "≥ 0");
        Check(NoiseTableSize >= 0, nameof(NoiseTableSize), NoiseTableSize, "≥ 0");
    }
}
