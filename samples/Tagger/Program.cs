// RnnGen sample: sequence tagging (many-to-many) on CoNLL-format data.
//
//   dotnet run --project samples/Tagger -c Release                      # bundled data/people-cities-dates.conll
//   dotnet run --project samples/Tagger -c Release -- --conll eng.train # your file: token first, tag last
//   dotnet run --project samples/Tagger -c Release -- --regenerate      # rewrite the bundled file, then train
//
// Reads sentences with ConllReader, splits them 80/10/10 (seeded), trains a bidirectional LSTM
// tagger (EntityTagger) with Adam, keeps the epoch with the best validation token accuracy, and
// reports per-tag precision, recall and F1 on the test split (token level), plus entity-level
// (exact span, conlleval-style) scores when the tags are BIO.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen.Data;
using RnnGen.Initialization;
using RnnGen.Text.Readers;
using RnnGen.Training;
using Tagging;

const int BatchSize = 32;
var clock = Stopwatch.StartNew();
string? conll = null;
bool regenerate = false;
int epochs = 8;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--conll" when i + 1 < args.Length: conll = args[++i]; break;
        case "--epochs" when i + 1 < args.Length: epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--regenerate": regenerate = true; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}; see the header of samples/Tagger/Program.cs"); return 2;
    }
}

// ---- data ----
string bundled = Path.Combine(AppContext.BaseDirectory, "data", "people-cities-dates.conll");
if (regenerate)
{
    // Written next to the project when run from the repository root, else beside the binary.
    string target = File.Exists(Path.Combine("samples", "Tagger", "Tagger.csproj"))
        ? Path.Combine("samples", "Tagger", "data", "people-cities-dates.conll") : bundled;
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
    EntityCorpus.WriteConll(target, EntityCorpus.Generate(3000, seed: 2026));
    Console.WriteLine($"wrote {target}");
    bundled = target;
}
string path = conll ?? bundled;
List<TaggedSentence> sentences = ConllReader.Read(path);
string[] tagNames = sentences.SelectMany(s => s.Tags).Distinct().OrderBy(t => t == "O" ? "" : t[(t.IndexOf('-') + 1)..] + t, StringComparer.Ordinal).ToArray();
if (tagNames.Length > EntityTagger.OutputSize)
{
    Console.Error.WriteLine($"{tagNames.Length} tags, but the model has {EntityTagger.OutputSize} outputs: raise OutputSize in TaggerModel.cs");
    return 1;
}
var tagId = tagNames.Select((t, k) => (t, k)).ToDictionary(p => p.t, p => p.k);
var split = DataSplit.Random(sentences.Count, trainFraction: 0.8, validationFraction: 0.1, seed: 7);
// Words seen once in training become <unk>, so the model learns to tag unseen names from context.
var vocab = Vocabulary.BuildWords(split.Train.Select(i => string.Join(' ', sentences[i].Tokens)), minCount: 2,
                                  maxSize: EntityTagger.Vocabulary, lowerCase: false);
int[][] ids = sentences.Select(s => s.Tokens.Select(vocab.IdOf).ToArray()).ToArray();
int[][] gold = sentences.Select(s => s.Tags.Select(t => tagId[t]).ToArray()).ToArray();
Console.WriteLine($"data: {sentences.Count} sentences, {sentences.Sum(s => s.Tokens.Count)} tokens from {path}");
Console.WriteLine($"split: {split.Train.Length} train / {split.Validation.Length} validation / {split.Test.Length} test sentences; " +
                  $"vocabulary {vocab.Count} (words seen ≥ 2 times in train); tags {string.Join(" ", tagNames)}");
double unknownShare = split.Test.Sum(i => ids[i].Count(id => id == Vocabulary.UnknownId)) / (double)split.Test.Sum(i => ids[i].Length);
Console.WriteLine($"test tokens that are <unk>: {unknownShare:P1}");

// ---- model and training ----
var model = new EntityTagger(seed: 1);
Console.WriteLine($"model: {EntityTagger.ArchitectureDescription}, {EntityTagger.ParameterCount} parameters");
int maxSteps = ids.Max(s => s.Length);
var session = model.CreateSession(BatchSize, maxSteps);
var optimizer = new Adam(EntityTagger.ParameterCount, learningRate: 5e-3f);
var tokens = new int[BatchSize * maxSteps];
var targets = new int[BatchSize * maxSteps];
var lengths = new int[BatchSize];
int[] order = (int[])split.Train.Clone();
var shuffle = new SeededRandom(11);
float[] best = (float[])model.Parameters.Clone();
double bestAccuracy = -1;
var trainClock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    SeededShuffle.Shuffle(order.AsSpan(), ref shuffle);
    double lossSum = 0;
    int batches = 0;
    for (int first = 0; first < order.Length; first += BatchSize)
    {
        int batch = Math.Min(BatchSize, order.Length - first);
        int steps = Fill(order.AsSpan(first, batch));
        session.Forward(tokens.AsSpan(0, batch * steps), batch, steps, lengths.AsSpan(0, batch));
        lossSum += session.Loss(targets.AsSpan(0, batch * steps));
        session.Backward();
        model.ApplyGradients(optimizer, maxGradientNorm: 1f);
        batches++;
    }
    int[,] validation = Confusion(split.Validation);
    double accuracy = Accuracy(validation);
    bool improved = accuracy > bestAccuracy;
    if (improved) { bestAccuracy = accuracy; model.Parameters.CopyTo(best, 0); }
    Console.WriteLine($"epoch {epoch}  train loss {lossSum / batches:F4}  validation token accuracy {accuracy:P2}{(improved ? " *" : "")}  {trainClock.Elapsed.TotalSeconds,5:F1} s");
}
best.CopyTo(model.Parameters, 0);
double trainSeconds = trainClock.Elapsed.TotalSeconds;

// ---- test: per-tag precision / recall / F1 (token level) ----
var predictions = new Dictionary<int, int[]>();
int[,] confusion = Confusion(split.Test, predictions);
Console.WriteLine();
Console.WriteLine($"test: {split.Test.Length} sentences, {split.Test.Sum(i => ids[i].Length)} tokens, token accuracy {Accuracy(confusion):P2}; training {trainSeconds:F1} s");
Console.WriteLine("tag        precision  recall      F1  support   (token level)");
double macroF1 = 0;
int entityTags = 0;
for (int k = 0; k < tagNames.Length; k++)
{
    int tp = confusion[k, k], predicted = 0, actual = 0;
    for (int j = 0; j < tagNames.Length; j++) { predicted += confusion[j, k]; actual += confusion[k, j]; }
    var (p, r, f) = Prf(tp, predicted, actual);
    if (tagNames[k] != "O") { macroF1 += f; entityTags++; }
    Console.WriteLine($"{tagNames[k],-10} {p,9:F3} {r,7:F3} {f,7:F3} {actual,8}");
}
Console.WriteLine($"macro F1 over the {entityTags} non-O tags: {macroF1 / Math.Max(1, entityTags):F3}");

// ---- entity level (BIO spans must match exactly), as conlleval ----
if (tagNames.All(t => t == "O" || t.StartsWith("B-", StringComparison.Ordinal) || t.StartsWith("I-", StringComparison.Ordinal)))
{
    var counts = new SortedDictionary<string, (int Tp, int Predicted, int Actual)>(StringComparer.Ordinal);
    foreach (int s in split.Test)
    {
        var goldSpans = Spans(gold[s]);
        var predictedSpans = Spans(predictions[s]);
        foreach (var span in goldSpans) { var c = counts.GetValueOrDefault(span.Type); counts[span.Type] = (c.Tp + (predictedSpans.Contains(span) ? 1 : 0), c.Predicted, c.Actual + 1); }
        foreach (var span in predictedSpans) { var c = counts.GetValueOrDefault(span.Type); counts[span.Type] = (c.Tp, c.Predicted + 1, c.Actual); }
    }
    Console.WriteLine("entity     precision  recall      F1  support   (exact spans)");
    int allTp = 0, allPredicted = 0, allActual = 0;
    foreach (var (type, (tp, predicted, actual)) in counts)
    {
        var (p, r, f) = Prf(tp, predicted, actual);
        Console.WriteLine($"{type,-10} {p,9:F3} {r,7:F3} {f,7:F3} {actual,8}");
        allTp += tp; allPredicted += predicted; allActual += actual;
    }
    var (mp, mr, mf) = Prf(allTp, allPredicted, allActual);
    Console.WriteLine($"{"all",-10} {mp,9:F3} {mr,7:F3} {mf,7:F3} {allActual,8}");
}

// ---- a few test sentences, tagged ----
Console.WriteLine();
foreach (int s in split.Test.Take(3))
    Console.WriteLine(string.Join(' ', sentences[s].Tokens.Select((t, i) => predictions[s][i] == 0 && tagNames[0] == "O" ? t : $"{t}/{tagNames[predictions[s][i]]}")));
Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s");
return 0;

int Fill(ReadOnlySpan<int> examples)
{
    int steps = 1;
    foreach (int e in examples) steps = Math.Max(steps, ids[e].Length);
    Array.Clear(tokens, 0, examples.Length * steps);
    Array.Clear(targets, 0, examples.Length * steps);
    for (int b = 0; b < examples.Length; b++)
    {
        ids[examples[b]].CopyTo(tokens, b * steps);
        gold[examples[b]].CopyTo(targets, b * steps);
        lengths[b] = ids[examples[b]].Length;
    }
    return steps;
}

// confusion[gold, predicted] over every token of the examples; optionally keeps the predictions.
int[,] Confusion(int[] examples, Dictionary<int, int[]>? keep = null)
{
    var matrix = new int[tagNames.Length, tagNames.Length];
    for (int first = 0; first < examples.Length; first += BatchSize)
    {
        int batch = Math.Min(BatchSize, examples.Length - first);
        int steps = Fill(examples.AsSpan(first, batch));
        session.Forward(tokens.AsSpan(0, batch * steps), batch, steps, lengths.AsSpan(0, batch));
        for (int b = 0; b < batch; b++)
        {
            var predicted = new int[lengths[b]];
            for (int t = 0; t < lengths[b]; t++)
            {
                ReadOnlySpan<float> p = session.HeadOutput.Slice((b * steps + t) * EntityTagger.OutputSize, tagNames.Length);
                int k = 0;
                for (int j = 1; j < p.Length; j++) if (p[j] > p[k]) k = j;
                predicted[t] = k;
                matrix[targets[b * steps + t], k]++;
            }
            if (keep is not null) keep[examples[first + b]] = predicted;
        }
    }
    return matrix;
}

static double Accuracy(int[,] matrix)
{
    long correct = 0, all = 0;
    for (int i = 0; i < matrix.GetLength(0); i++) for (int j = 0; j < matrix.GetLength(1); j++) { all += matrix[i, j]; if (i == j) correct += matrix[i, j]; }
    return all == 0 ? 0 : (double)correct / all;
}

static (double P, double R, double F) Prf(int tp, int predicted, int actual)
{
    double p = predicted == 0 ? 0 : (double)tp / predicted, r = actual == 0 ? 0 : (double)tp / actual;
    return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
}

// BIO spans (start, end exclusive, type); an I- without a matching B- starts a span (conlleval).
HashSet<(int Start, int End, string Type)> Spans(int[] tags)
{
    var spans = new HashSet<(int, int, string)>();
    int start = -1;
    string type = "";
    for (int t = 0; t <= tags.Length; t++)
    {
        string tag = t < tags.Length ? tagNames[tags[t]] : "O";
        string tagType = tag == "O" ? "" : tag[2..];
        bool begins = tag.StartsWith("B-", StringComparison.Ordinal) || (tag.StartsWith("I-", StringComparison.Ordinal) && tagType != type);
        if (start >= 0 && (tag == "O" || begins)) { spans.Add((start, t, type)); start = -1; type = ""; }
        if (begins) { start = t; type = tagType; }
    }
    return spans;
}
