using System;
using System.Diagnostics;
using System.IO;
using DateNormalizer;
using RnnGen;
using RnnGen.Data;
using RnnGen.Initialization;
using RnnGen.Serialization;
using RnnGen.Training;

namespace Server;

/// <summary>Loads the served checkpoints from the out folder, training them first when they are absent.</summary>
internal static class ModelStore
{
    public const string CharLmFile = "charlm.safetensors", CharLmVocabularyFile = "charlm.vocab";
    public const string ClassifierFile = "oddoneout.safetensors", ClassifierVocabularyFile = "oddoneout.vocab";
    public const string DateTranslatorFile = "date-translator.safetensors";

    public static (ServedCharModel Model, Vocabulary Vocabulary) LoadOrTrainCharLm(string outDirectory, Action<string> log)
    {
        string modelPath = Path.Combine(outDirectory, CharLmFile), vocabularyPath = Path.Combine(outDirectory, CharLmVocabularyFile);
        if (!File.Exists(modelPath) || !File.Exists(vocabularyPath))
        {
            var clock = Stopwatch.StartNew();
            string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "corpus", "river-towns.txt")).Replace("\r\n", "\n", StringComparison.Ordinal);
            (ServedCharModel trained, Vocabulary vocabulary, double loss) = TrainCharLm(text);
            Directory.CreateDirectory(outDirectory);
            trained.Save(modelPath);
            vocabulary.Save(vocabularyPath);
            log($"trained the char LM in {clock.Elapsed.TotalSeconds:F1} s (last epoch training loss {loss:F3}, perplexity {Math.Exp(loss):F2}); saved {modelPath}");
        }
        return (Load(modelPath, ServedCharModel.Load), LoadVocabulary(vocabularyPath, ServedCharModel.Vocabulary));
    }

    public static (OddOneOutModel Model, Vocabulary Vocabulary) LoadOrTrainClassifier(string outDirectory, Action<string> log)
    {
        string modelPath = Path.Combine(outDirectory, ClassifierFile), vocabularyPath = Path.Combine(outDirectory, ClassifierVocabularyFile);
        if (!File.Exists(modelPath) || !File.Exists(vocabularyPath))
        {
            var clock = Stopwatch.StartNew();
            (OddOneOutModel trained, Vocabulary vocabulary, double accuracy) = OddOneOut.Train(seed: 1);
            Directory.CreateDirectory(outDirectory);
            trained.Save(modelPath);
            vocabulary.Save(vocabularyPath);
            log($"trained the odd-one-out classifier in {clock.Elapsed.TotalSeconds:F1} s (held-out accuracy {accuracy:P1}); saved {modelPath}");
        }
        return (Load(modelPath, OddOneOutModel.Load), LoadVocabulary(vocabularyPath, OddOneOutModel.Vocabulary));
    }

    /// <summary>
    /// The DateNormalizer sample's translator (its vocabularies are fixed by the corpus alphabets, so the file holds
    /// only weights). Absent: trained with <see cref="DateTraining.Train"/> (its per-epoch lines go to
    /// <paramref name="log"/>) into a side file, whose best epoch is saved as the model file only once training has
    /// finished, so an interrupted start never leaves a half-trained model behind. A checkpoint of the sample itself
    /// (<c>samples/DateNormalizer/out/date-translator.safetensors</c>, weights + Adam state) can be copied in as is.
    /// </summary>
    public static DateTranslator LoadOrTrainDateTranslator(string outDirectory, Action<string> log)
    {
        string modelPath = Path.Combine(outDirectory, DateTranslatorFile);
        if (!File.Exists(modelPath))
        {
            Directory.CreateDirectory(outDirectory);
            string trainingPath = Path.Combine(outDirectory, "date-translator.training.safetensors");
            log($"training the date translator ({DateTranslator.ModelShape}); it takes 15-30 s on 2 cores");
            DateTrainingResult result = DateTraining.Train(new DateTrainingOptions(), trainingPath, line => log($"  date translator: {line}"));
            result.Model.Save(modelPath);
            File.Delete(trainingPath);
            log($"trained the date translator in {result.Elapsed.TotalSeconds:F1} s ({result.Epochs} epochs, validation exact match {result.ValidationExactMatch:P2}); saved {modelPath}");
        }
        return Load(modelPath, DateTraining.Load);
    }

    private static T Load<T>(string path, Func<string, T> load)
    {
        T loaded;
        try
        {
            loaded = load(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"checkpoint '{path}' cannot be loaded ({e.GetType().Name}: {e.Message}). Delete it to have the server retrain it, or replace it with a good copy.", e);
        }
        if (loaded is IRnnModel model) RequireFinite(model, path);
        return loaded;
    }

    /// <summary>
    /// A file can be well formed and still hold weights no model should serve: a NaN or an infinity (a diverged
    /// training run, a damaged copy) would make every answer NaN. The server refuses such a checkpoint at start-up,
    /// naming the first bad tensor, instead of serving garbage.
    /// </summary>
    private static void RequireFinite(IRnnModel model, string path)
    {
        float[] parameters = model.Parameters;
        int bad = -1, count = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (float.IsFinite(parameters[i])) continue;
            if (bad < 0) bad = i;
            count++;
        }
        if (bad < 0) return;
        string tensor = "?";
        foreach (ParameterTensor t in model.ParameterTensors)
            if (bad >= t.Offset && bad < t.Offset + t.Length) { tensor = $"{t.Name} {t.ShapeText}, element {bad - t.Offset}"; break; }
        throw new CheckpointException(
            $"checkpoint '{path}' holds {count} non-finite weight(s) (first: {parameters[bad]} in {tensor}); a model with NaN or infinite weights answers garbage. Delete it to have the server retrain it, or replace it with a good copy.");
    }

    private static Vocabulary LoadVocabulary(string path, int capacity)
    {
        Vocabulary vocabulary = Load(path, Vocabulary.Load);
        if (vocabulary.Count > capacity)
            throw new CheckpointException($"vocabulary '{path}' has {vocabulary.Count} ids, more than the model's {capacity}. Delete it to have the server retrain the model.");
        return vocabulary;
    }

    /// <summary>Stateful truncated BPTT over 16 parallel streams of the text, a few epochs (seconds on 2 cores).</summary>
    private static (ServedCharModel, Vocabulary, double) TrainCharLm(string text, int epochs = 5, int batch = 16, int steps = 48)
    {
        var vocabulary = Vocabulary.BuildCharacters([text], maxSize: ServedCharModel.Vocabulary);
        int[] ids = vocabulary.Encode(text);
        var model = new ServedCharModel(seed: 1);
        IRnnSession session = model.CreateSession(batch, steps);
        var optimizer = new Adam(ServedCharModel.ParameterCount, learningRate: 6e-3f);
        int streamLength = (ids.Length - 1) / batch, chunks = streamLength / steps;
        var inputs = new int[batch * steps];
        var targets = new int[batch * steps];
        var hidden = new float[batch * ServedCharModel.HiddenSize];
        var cell = new float[hidden.Length];
        double loss = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            optimizer.LearningRate = 6e-3f * (1f - 0.6f * epoch / Math.Max(1, epochs - 1));
            double sum = 0;
            for (int c = 0; c < chunks; c++)
            {
                for (int b = 0; b < batch; b++)
                {
                    int from = b * streamLength + c * steps;
                    ids.AsSpan(from, steps).CopyTo(inputs.AsSpan(b * steps));
                    ids.AsSpan(from + 1, steps).CopyTo(targets.AsSpan(b * steps));
                }
                if (c == 0) session.Forward(inputs, batch, steps, default);
                else session.Forward(inputs, batch, steps, default, hidden, cell);
                sum += session.Loss(targets);
                session.Backward();
                model.ApplyGradients(optimizer, maxGradientNorm: 1f);
                session.FinalHidden.CopyTo(hidden);
                session.FinalCell.CopyTo(cell);
            }
            loss = sum / chunks;
        }
        return (model, vocabulary, loss);
    }
}

/// <summary>A checkpoint that exists but cannot be served; the server stops with this message.</summary>
internal sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The toy task behind the attention demo: a run of lowercase letters and spaces holds exactly one odd character,
/// a digit, an uppercase letter or a punctuation mark; the class is its kind. The answer sits at one position, so a
/// trained attention pooling puts most of its weight there, which the page shows as a heat map.
/// </summary>
internal static class OddOneOut
{
    public static readonly string[] Classes = ["digit", "uppercase", "punctuation"];
    public const string Lower = "abcdefghijklmnopqrstuvwxyz ", Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", Digits = "0123456789", Punctuation = ".,;:!?-'\"()";
    public const int MaxLength = 64;

    public static Vocabulary BuildVocabulary() => Vocabulary.BuildCharacters([Lower + Upper + Digits + Punctuation], maxSize: OddOneOutModel.Vocabulary);

    public static string Example(ref SeededRandom random, out int label)
    {
        int length = 6 + random.NextInt(27);
        var chars = new char[length];
        for (int i = 0; i < length; i++) chars[i] = Lower[random.NextInt(Lower.Length)];
        label = random.NextInt(3);
        string pool = label switch { 0 => Digits, 1 => Upper, _ => Punctuation };
        chars[random.NextInt(length)] = pool[random.NextInt(pool.Length)];
        return new string(chars);
    }

    public static (OddOneOutModel, Vocabulary, double) Train(long seed, int batches = 500, int batch = 32)
    {
        Vocabulary vocabulary = BuildVocabulary();
        var random = new SeededRandom(seed);
        var model = new OddOneOutModel(seed: (int)seed);
        const int steps = 32;
        var session = model.CreateSession(batch, steps);
        var optimizer = new Adam(OddOneOutModel.ParameterCount, learningRate: 1e-2f);
        var tokens = new int[batch * steps];
        var lengths = new int[batch];
        var labels = new int[batch];
        for (int n = 0; n < batches; n++)
        {
            Fill(vocabulary, ref random, tokens, lengths, labels, batch, steps);
            session.Forward(tokens, batch, steps, lengths);
            session.Loss(labels);
            session.Backward();
            model.ApplyGradients(optimizer, maxGradientNorm: 1f);
        }
        int correct = 0, total = 0;
        for (int n = 0; n < 10; n++)
        {
            Fill(vocabulary, ref random, tokens, lengths, labels, batch, steps);
            session.Forward(tokens, batch, steps, lengths);
            ReadOnlySpan<float> p = session.HeadOutput;
            for (int b = 0; b < batch; b++, total++)
            {
                int best = 0;
                for (int k = 1; k < 3; k++) if (p[b * 3 + k] > p[b * 3 + best]) best = k;
                if (best == labels[b]) correct++;
            }
        }
        return (model, vocabulary, (double)correct / total);
    }

    private static void Fill(Vocabulary vocabulary, ref SeededRandom random, int[] tokens, int[] lengths, int[] labels, int batch, int steps)
    {
        Array.Clear(tokens);
        for (int b = 0; b < batch; b++)
        {
            string text = Example(ref random, out labels[b]);
            int[] ids = vocabulary.Encode(text);
            ids.CopyTo(tokens, b * steps);
            lengths[b] = ids.Length;
        }
    }
}
