// RnnGen sample: word embeddings with word2vec (skip-gram, negative sampling).
//
//   dotnet run --project samples/Embeddings -c Release                    # bundled generated corpus
//   dotnet run --project samples/Embeddings -c Release -- --text my.txt   # one sentence per line
//       [--words king,queen,cat,...] [--analogy king,man,woman] [--dim 50] [--epochs 10]
//
// Trains word2vec on the corpus (RnnGen.Text.Word2Vec, one thread: bit-reproducible), prints the
// nearest neighbours of a few words and analogies (a − b + c by cosine), saves the vectors in the
// word2vec text format, and draws the selected words' vectors projected on their first two
// principal components (power iteration) as an SVG in out/.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using EmbeddingsSample;
using RnnGen.Text.Word2Vec;

var clock = Stopwatch.StartNew();
string? textPath = null;
string[]? words = null;
var analogies = new List<string[]>();
int dimension = 50, epochs = 10;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--text": textPath = Next(); break;
        case "--words": words = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
        case "--analogy": analogies.Add(Next().Split(',', StringSplitOptions.TrimEntries)); break;
        case "--dim": dimension = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}; see the header of samples/Embeddings/Program.cs"); return 2;
    }
}

// ---- corpus ----
IEnumerable<string> corpus;
var groups = new Dictionary<string, int>(StringComparer.Ordinal); // word → colour group in the picture
if (textPath is null)
{
    List<string> lines = TinyWorldCorpus.Generate(40_000, seed: 2026);
    corpus = lines;
    Console.WriteLine($"corpus: {lines.Count} generated sentences ({lines.Sum(l => l.Count(c => c == ' ') + 1)} words), TinyWorldCorpus seed 2026");
    string[][] sets =
    [
        TinyWorldCorpus.People.Where(p => p.Gender == 0).Select(p => p.Word).ToArray(),
        TinyWorldCorpus.People.Where(p => p.Gender == 1).Select(p => p.Word).ToArray(),
        TinyWorldCorpus.Animals, TinyWorldCorpus.Fruits, TinyWorldCorpus.Colors, TinyWorldCorpus.Tools,
    ];
    for (int g = 0; g < sets.Length; g++) foreach (string w in sets[g]) groups[w] = g;
    words ??= TinyWorldCorpus.People.Select(p => p.Word).Concat(TinyWorldCorpus.Animals).Concat(TinyWorldCorpus.Fruits)
                 .Concat(TinyWorldCorpus.Colors).Concat(TinyWorldCorpus.Tools).ToArray();
    if (analogies.Count == 0) analogies.AddRange([["king", "man", "woman"], ["prince", "boy", "girl"], ["father", "man", "woman"]]);
}
else
{
    corpus = File.ReadLines(textPath);
    Console.WriteLine($"corpus: {textPath}");
}

// ---- train ----
var options = new Word2VecOptions
{
    Architecture = Word2VecArchitecture.SkipGram, Dimension = dimension, Window = 4, Negative = 5,
    MinCount = 2, Sample = 1e-3, Epochs = epochs, Threads = 1, Seed = 1,
};
var trainClock = Stopwatch.StartNew();
WordVectors vectors = Word2VecTrainer.Train(corpus, options);
trainClock.Stop();
long corpusWords = vectors.Counts.Sum();
Console.WriteLine($"word2vec skip-gram: D {options.Dimension}, window {options.Window}, {options.Negative} negatives, min count {options.MinCount}, " +
                  $"subsampling {options.Sample}, {options.Epochs} epochs, 1 thread, seed {options.Seed}");
Console.WriteLine($"trained {vectors.Count} words ({corpusWords} corpus words) in {trainClock.Elapsed.TotalSeconds:F1} s " +
                  $"({corpusWords * (double)options.Epochs / trainClock.Elapsed.TotalSeconds / 1e6:F2} M words/s)");
words ??= vectors.Words.Take(30).ToArray();
words = words.Where(vectors.Contains).ToArray();

// ---- queries ----
Console.WriteLine();
Console.WriteLine("nearest neighbours (cosine):");
string[] probes = textPath is null ? ["king", "woman", "cat", "apple", "red", "monday", "hammer"] : words.Take(6).ToArray();
foreach (string w in probes.Where(vectors.Contains))
    Console.WriteLine($"  {w,-8} " + string.Join("  ", vectors.Nearest(w, 5).Select(n => $"{n.Word} {n.Similarity:F2}")));
Console.WriteLine();
foreach (string[] a in analogies)
{
    if (a.Length != 3 || !a.All(vectors.Contains)) { Console.WriteLine($"analogy {string.Join(',', a)}: needs three words of the vocabulary"); continue; }
    var answers = vectors.Analogy(a[0], a[1], a[2], 3);
    Console.WriteLine($"analogy {a[0]} − {a[1]} + {a[2]} → " + string.Join("  ", answers.Select(n => $"{n.Word} {n.Similarity:F2}")));
}

// ---- save, PCA picture ----
string outDir = Path.Combine(AppContext.BaseDirectory, "out");
Directory.CreateDirectory(outDir);
string vectorsPath = Path.Combine(outDir, "vectors.txt");
vectors.SaveText(vectorsPath);
var (points, explained) = Pca2(words.Select(w => vectors.Vector(w).ToArray()).ToArray());
string svgPath = Path.Combine(outDir, "word-vectors-pca.svg");
File.WriteAllText(svgPath, Svg(words, points, explained, w => groups.TryGetValue(w, out int g) ? g : -1));
Console.WriteLine();
Console.WriteLine($"PCA of {words.Length} word vectors: components explain {explained[0]:P1} and {explained[1]:P1} of their variance");
Console.WriteLine($"vectors: {vectorsPath}");
Console.WriteLine($"picture: {svgPath}");
Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s");
return 0;

// Projects the centred rows on the top two eigenvectors of their covariance, found by power
// iteration (300 iterations from a fixed start), the second after deflating the first.
static (double[][] Points, double[] Explained) Pca2(float[][] rows)
{
    int n = rows.Length, d = rows[0].Length;
    var mean = new double[d];
    foreach (float[] r in rows) for (int j = 0; j < d; j++) mean[j] += r[j] / (double)n;
    var centred = rows.Select(r => r.Select((v, j) => v - mean[j]).ToArray()).ToArray();
    var cov = new double[d, d];
    foreach (double[] r in centred) for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a, b] += r[a] * r[b] / n;
    double total = 0;
    for (int a = 0; a < d; a++) total += cov[a, a];
    var components = new double[2][];
    var eigenvalues = new double[2];
    for (int c = 0; c < 2; c++)
    {
        var v = Enumerable.Range(0, d).Select(j => 1.0 + 0.01 * j).ToArray();
        double lambda = 0;
        for (int it = 0; it < 300; it++)
        {
            var w = new double[d];
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) w[a] += cov[a, b] * v[b];
            lambda = Math.Sqrt(w.Sum(x => x * x));
            if (lambda == 0) break;
            for (int a = 0; a < d; a++) v[a] = w[a] / lambda;
        }
        components[c] = v;
        eigenvalues[c] = lambda;
        for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a, b] -= lambda * v[a] * v[b]; // deflate
    }
    var points = centred.Select(r => new[] { Dot(r, components[0]), Dot(r, components[1]) }).ToArray();
    return (points, [eigenvalues[0] / total, eigenvalues[1] / total]);
}

static double Dot(double[] a, double[] b)
{
    double s = 0;
    for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
    return s;
}

static string Svg(string[] labels, double[][] points, double[] explained, Func<string, int> group)
{
    const int Width = 800, Height = 600, Margin = 60;
    string[] palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
    string[] names = ["male people", "female people", "animals", "fruits", "colours", "tools"];
    double minX = points.Min(p => p[0]), maxX = points.Max(p => p[0]), minY = points.Min(p => p[1]), maxY = points.Max(p => p[1]);
    double X(double x) => Margin + (x - minX) / Math.Max(1e-12, maxX - minX) * (Width - 2 * Margin);
    double Y(double y) => Height - Margin - (y - minY) / Math.Max(1e-12, maxY - minY) * (Height - 2 * Margin);
    static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
    var svg = new StringBuilder();
    svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"13\">\n");
    svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
    svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"28\" font-size=\"16\">word2vec skip-gram vectors, first two principal components ({explained[0]:P0} and {explained[1]:P0} of the variance)</text>\n");
    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Height - Margin + 10}\" x2=\"{Width - Margin}\" y2=\"{Height - Margin + 10}\" stroke=\"#999\"/><text x=\"{Width / 2}\" y=\"{Height - 20}\" fill=\"#555\">PC 1</text>\n");
    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Margin - 10}\" y1=\"{Margin}\" x2=\"{Margin - 10}\" y2=\"{Height - Margin}\" stroke=\"#999\"/><text x=\"14\" y=\"{Height / 2}\" fill=\"#555\">PC 2</text>\n");
    for (int i = 0; i < labels.Length; i++)
    {
        int g = group(labels[i]);
        string colour = g >= 0 ? palette[g % palette.Length] : "#333";
        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(points[i][0]))}\" cy=\"{F(Y(points[i][1]))}\" r=\"4\" fill=\"{colour}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(points[i][0]) + 6)}\" y=\"{F(Y(points[i][1]) + 4)}\" fill=\"{colour}\">{System.Security.SecurityElement.Escape(labels[i])}</text>\n");
    }
    var used = labels.Select(group).Where(g => g >= 0).Distinct().OrderBy(g => g).ToArray();
    for (int k = 0; k < used.Length; k++)
        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Width - 150}\" cy=\"{50 + 18 * k}\" r=\"5\" fill=\"{palette[used[k] % palette.Length]}\"/><text x=\"{Width - 140}\" y=\"{55 + 18 * k}\">{names[used[k] % names.Length]}</text>\n");
    svg.Append("</svg>\n");
    return svg.ToString();
}
