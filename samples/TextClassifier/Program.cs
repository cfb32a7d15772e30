// RnnGen sample: text classification (many-to-one over word tokens).
//
//   dotnet run --project samples/TextClassifier -c Release
//   dotnet run --project samples/TextClassifier -c Release -- --cell gru --init random
//   dotnet run --project samples/TextClassifier -c Release -- --csv reviews.csv --glove glove.6B.50d.txt
//   dotnet run --project samples/TextClassifier -c Release -- --classify "the screen is not great" --classify "i love it"
//
// Trains word embedding + bidirectional LSTM (or GRU) + softmax on the bundled generated reviews
// (ReviewCorpus.cs; 3 sentiment classes with negation and mixed opinions) or on your CSV (columns
// named text and label), with the embedding initialized from word2vec vectors trained on the
// training texts (default), from a GloVe file (--glove FILE with 32-dimensional vectors),
// or randomly (--init random). Reports accuracy and the confusion matrix on a held-out test split
// and classifies the sentences given with --classify.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using RnnGen;
using RnnGen.Data;
using RnnGen.Embeddings;
using RnnGen.Text.Readers;
using RnnGen.Text.Word2Vec;
using RnnGen.Training;
using TextClassification;

const int BatchSize = 32;
const int E = ReviewLstm.EmbeddingSize;
var clock = Stopwatch.StartNew();

string? csv = null, glove = null;
string init = "word2vec", cell = "lstm";
int epochs = 10, reviewCount = 6000;
var toClassify = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--csv": csv = Next(); break;
        case "--glove": glove = Next(); init = "glove"; break;
        case "--init": init = Next(); break;
        case "--cell": cell = Next(); break;
        case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--reviews": reviewCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--classify": toClassify.Add(Next()); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}; see the header of samples/TextClassifier/Program.cs"); return 2;
    }
}
if (init is not ("word2vec" or "random" or "glove") || cell is not ("lstm" or "gru"))
{
    Console.Error.WriteLine("--init is word2vec, random or glove (--glove FILE); --cell is lstm or gru");
    return 2;
}

// ---- data ----
string outDir = Path.Combine(AppContext.BaseDirectory, "out");
Directory.CreateDirectory(outDir);
List<(string Text, string Label)> rows;
if (csv is null)
{
    rows = ReviewCorpus.Generate(reviewCount, seed: 2026).Select(r => (r.Text, ReviewCorpus.Labels[r.Label])).ToList();
    string corpusPath = Path.Combine(outDir, "reviews.csv");
    WriteCsv(corpusPath, rows);
    Console.WriteLine($"data: {rows.Count} generated reviews (ReviewCorpus, seed 2026), also written to {corpusPath}");
}
else
{
    rows = DelimitedTextReader.ReadLabeled(csv, new DelimitedTextOptions { HasHeader = true, TextColumnName = "text", LabelColumnName = "label" })
        .Select(r => (r.Text, r.Label)).ToList();
    Console.WriteLine($"data: {rows.Count} rows of {csv}");
}
string[] labels = rows.Select(r => r.Label).Distinct().OrderBy(l => l, StringComparer.Ordinal).ToArray();
if (labels.Length > ReviewLstm.OutputSize)
{
    Console.Error.WriteLine($"{labels.Length} labels, but the model has {ReviewLstm.OutputSize} outputs: raise OutputSize in Models.cs");
    return 1;
}
var labelId = labels.Select((l, k) => (l, k)).ToDictionary(p => p.l, p => p.k);
var split = DataSplit.Random(rows.Count, trainFraction: 0.8, validationFraction: 0.1, seed: 7);
var vocab = Vocabulary.BuildWords(split.Train.Select(i => rows[i].Text), minCount: 1, maxSize: ReviewLstm.Vocabulary);
int[][] ids = rows.Select(r => vocab.Encode(r.Text)).ToArray();
int[] classes = rows.Select(r => labelId[r.Label]).ToArray();
Console.WriteLine($"split: {split.Train.Length} train / {split.Validation.Length} validation / {split.Test.Length} test; " +
                  $"vocabulary {vocab.Count} words (train split); labels {string.Join(", ", labels.Select(l => $"{l} {classes.Count(c => labels[c] == l)}"))}");

// ---- model and embedding initialization ----
IRnnNetwork model = cell == "gru" ? new ReviewGru(seed: 1) : new ReviewLstm(seed: 1);
int embeddingOffset = cell == "gru" ? ReviewGru.EmbeddingWeightOffset : ReviewLstm.EmbeddingWeightOffset;
Span<float> embedding = model.Parameters.AsSpan(embeddingOffset, ReviewLstm.Vocabulary * E);
var rowsOfWords = new Dictionary<string, int>(StringComparer.Ordinal);
for (int id = Vocabulary.SpecialCount; id < vocab.Count; id++) rowsOfWords[vocab.TokenOf(id)] = id;
if (init == "word2vec")
{
    var w2vClock = Stopwatch.StartNew();
    var tokenizer = new WordTokenizer(lowerCase: true);
    WordVectors vectors = Word2VecTrainer.Train(split.Train.Select(i => rows[i].Text), new Word2VecOptions
    {
        Architecture = Word2VecArchitecture.SkipGram, Dimension = E, Window = 4, Negative = 5, MinCount = 1,
        Sample = 1e-3, Epochs = 5, Threads = 1, Seed = 1,
    }, tokenizer);
    string vectorsPath = Path.Combine(outDir, "review-vectors.txt");
    vectors.SaveText(vectorsPath);
    float[] before = embedding.ToArray();
    EmbeddingLoadResult loaded = PretrainedEmbeddings.LoadWord2VecText(vectorsPath, rowsOfWords, embedding, E);
    float scale = Standardize(embedding, ChangedRows(before, embedding));
    Console.WriteLine($"embedding: word2vec skip-gram (D {E}, window 4, 5 epochs, 1 thread) trained on the training texts in {w2vClock.Elapsed.TotalSeconds:F1} s, " +
                      $"{loaded.RowsFound}/{loaded.VocabularySize} rows ({loaded.Coverage:P1}), rescaled ×{scale:F1} to unit std; {vectorsPath}");
}
else if (init == "glove")
{
    float[] before = embedding.ToArray();
    EmbeddingLoadResult loaded = PretrainedEmbeddings.LoadGloVe(glove!, rowsOfWords, embedding, E, lowercaseFallback: true);
    float scale = Standardize(embedding, ChangedRows(before, embedding));
    Console.WriteLine($"embedding: GloVe {glove}: {loaded.RowsFound}/{loaded.VocabularySize} rows ({loaded.Coverage:P1}), rescaled ×{scale:F1} to unit std; other rows random N(0, 1)");
}
else
{
    Console.WriteLine("embedding: random N(0, 1) (PyTorch nn.Embedding)");
}
Console.WriteLine($"model: {model.Architecture}, embedding {ReviewLstm.Vocabulary}×{E}, {model.ParameterCount} parameters");

// ---- training: Adam, clipping, best validation accuracy kept ----
int maxSteps = ids.Max(s => s.Length);
IRnnSession session = model.CreateSession(BatchSize, maxSteps);
var optimizer = new Adam(model.ParameterCount, learningRate: 5e-3f);
var tokens = new int[BatchSize * maxSteps];
var lengths = new int[BatchSize];
var targets = new int[BatchSize];
int[] order = (int[])split.Train.Clone();
float[] best = (float[])model.Parameters.Clone();
double bestAccuracy = -1;
var shuffleRandom = new RnnGen.Initialization.SeededRandom(11);
var trainClock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    SeededShuffle.Shuffle(order.AsSpan(), ref shuffleRandom);
    double lossSum = 0;
    int batches = 0;
    for (int first = 0; first < order.Length; first += BatchSize)
    {
        int batch = Math.Min(BatchSize, order.Length - first);
        int steps = Fill(order.AsSpan(first, batch));
        session.Forward(tokens.AsSpan(0, batch * steps), batch, steps, lengths.AsSpan(0, batch));
        lossSum += session.Loss(targets.AsSpan(0, batch));
        session.Backward();
        model.ApplyGradients(optimizer, maxGradientNorm: 1f);
        batches++;
    }
    var (validationAccuracy, _) = Evaluate(split.Validation);
    bool improved = validationAccuracy > bestAccuracy;
    if (improved) { bestAccuracy = validationAccuracy; model.Parameters.CopyTo(best, 0); }
    Console.WriteLine($"epoch {epoch}  train loss {lossSum / batches:F4}  validation accuracy {validationAccuracy:P1}{(improved ? " *" : "")}  {trainClock.Elapsed.TotalSeconds,5:F1} s");
}
best.CopyTo(model.Parameters, 0);

// ---- test ----
var (testAccuracy, confusion) = Evaluate(split.Test);
Console.WriteLine();
Console.WriteLine($"test accuracy {testAccuracy:P1} on {split.Test.Length} reviews (majority class {MajorityShare(split.Test):P1}); training {trainClock.Elapsed.TotalSeconds:F1} s");
Console.WriteLine("confusion matrix (rows = true label, columns = predicted):");
int width = Math.Max(8, labels.Max(l => l.Length) + 1);
Console.WriteLine(new string(' ', width) + string.Concat(labels.Select(l => l.PadLeft(width))));
for (int t = 0; t < labels.Length; t++)
    Console.WriteLine(labels[t].PadRight(width) + string.Concat(Enumerable.Range(0, labels.Length).Select(p => confusion[t, p].ToString(CultureInfo.InvariantCulture).PadLeft(width))));

// ---- classify sentences from the command line (or a few examples) ----
if (toClassify.Count == 0 && csv is null)
    toClassify.AddRange(["the battery is not great", "i don't hate the lid", "the screen is superb but the sound is awful", "i would recommend it"]);
if (toClassify.Count > 0)
{
    Console.WriteLine();
    IRnnSession one = model.CreateSession(1, Math.Max(maxSteps, toClassify.Max(t => vocab.Encode(t).Length)));
    foreach (string sentence in toClassify)
    {
        int[] sentenceIds = vocab.Encode(sentence);
        if (sentenceIds.Length == 0) { Console.WriteLine($"\"{sentence}\": no words"); continue; }
        one.Forward(sentenceIds, 1, sentenceIds.Length, [sentenceIds.Length]);
        float[] p = one.HeadOutput[..labels.Length].ToArray();
        int k = ArgMax(p);
        int unknown = sentenceIds.Count(id => id == Vocabulary.UnknownId);
        Console.WriteLine($"\"{sentence}\" → {labels[k]} ({string.Join(", ", labels.Select((l, j) => $"{l} {p[j]:F2}"))}){(unknown > 0 ? $"  [{unknown} unknown word(s)]" : "")}");
    }
}
Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s");
return 0;

// Fills tokens/lengths/targets for the given examples as [B, T] (T = longest), pads with <pad> = 0.
int Fill(ReadOnlySpan<int> examples)
{
    int steps = 1;
    foreach (int e in examples) steps = Math.Max(steps, ids[e].Length);
    Array.Clear(tokens, 0, examples.Length * steps);
    for (int b = 0; b < examples.Length; b++)
    {
        int[] s = ids[examples[b]];
        s.CopyTo(tokens, b * steps);
        lengths[b] = Math.Max(1, s.Length);
        if (s.Length == 0) tokens[b * steps] = Vocabulary.UnknownId;
        targets[b] = classes[examples[b]];
    }
    return steps;
}

(double Accuracy, int[,] Confusion) Evaluate(int[] examples)
{
    var matrix = new int[labels.Length, labels.Length];
    int correct = 0;
    for (int first = 0; first < examples.Length; first += BatchSize)
    {
        int batch = Math.Min(BatchSize, examples.Length - first);
        int steps = Fill(examples.AsSpan(first, batch));
        session.Forward(tokens.AsSpan(0, batch * steps), batch, steps, lengths.AsSpan(0, batch));
        for (int b = 0; b < batch; b++)
        {
            int predicted = ArgMax(session.HeadOutput.Slice(b * ReviewLstm.OutputSize, labels.Length));
            matrix[targets[b], predicted]++;
            if (predicted == targets[b]) correct++;
        }
    }
    return ((double)correct / examples.Length, matrix);
}

double MajorityShare(int[] examples) =>
    (double)examples.GroupBy(e => classes[e]).Max(g => g.Count()) / examples.Length;

static int ArgMax(ReadOnlySpan<float> values)
{
    int k = 0;
    for (int j = 1; j < values.Length; j++) if (values[j] > values[k]) k = j;
    return k;
}

// The rows a loader overwrote (the words it found in the file).
static List<int> ChangedRows(float[] before, Span<float> after)
{
    var rows = new List<int>();
    for (int r = 0; r < before.Length / E; r++)
        if (!after.Slice(r * E, E).SequenceEqual(before.AsSpan(r * E, E))) rows.Add(r);
    return rows;
}

// Word2vec/GloVe vectors are much smaller than nn.Embedding's N(0, 1) rows: scale the loaded rows
// to unit standard deviation so they sit on the same scale as the random rows around them.
static float Standardize(Span<float> weight, IEnumerable<int> rows)
{
    double sumSquares = 0;
    long n = 0;
    var list = rows.ToList();
    foreach (int r in list) foreach (float v in weight.Slice(r * E, E)) { sumSquares += v * (double)v; n++; }
    if (n == 0 || sumSquares == 0) return 1;
    float scale = (float)(1 / Math.Sqrt(sumSquares / n));
    foreach (int r in list) foreach (ref float v in weight.Slice(r * E, E)) v *= scale;
    return scale;
}

static void WriteCsv(string path, List<(string Text, string Label)> rows)
{
    var text = new StringBuilder("text,label\n");
    foreach (var (t, l) in rows) text.Append('"').Append(t.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\",").Append(l).Append('\n');
    File.WriteAllText(path, text.ToString());
}
