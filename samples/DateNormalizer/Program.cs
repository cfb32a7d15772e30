// Date normalization with an encoder–decoder and attention: "Thursday 25 June 2009" → "2009-06-25".
// Trains on generated dates (many human formats), reports the exact match on held-out dates with greedy and beam
// search decoding, prints examples, and writes the attention heat map of one example.
//
//   dotnet run --project samples/DateNormalizer -c Release [-- --epochs N --train N --threads N --out DIR]

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using DateNormalizer;
using RnnGen.Decoding;
using RnnGen.Seq2Seq;

var options = new DateTrainingOptions();
string outDir = "out";
for (int i = 0; i + 1 < args.Length; i += 2)
{
    int value = int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : -1;
    switch (args[i])
    {
        case "--epochs" when value > 0: options = options with { MaxEpochs = value }; break;
        case "--train" when value > 0: options = options with { TrainPairs = value }; break;
        case "--threads" when value > 0: options = options with { Threads = value }; break;
        case "--out": outDir = args[i + 1]; break;
        default:
            Console.Error.WriteLine($"Unknown or invalid option {args[i]} {args[i + 1]}. Options: --epochs N, --train N, --threads N, --out DIR.");
            return 2;
    }
}
Directory.CreateDirectory(outDir);
string checkpoint = Path.Combine(outDir, "date-translator.safetensors");

Console.WriteLine($"Date normalization: {DateCorpus.FormatNames.Count} human formats, e.g.");
var preview = new DateCorpus(seed: 42);
for (int i = 0; i < 5; i++)
{
    (string human, string iso) = preview.Next();
    Console.WriteLine($"  {human,-38} → {iso}");
}
Console.WriteLine($"Model: {DateTranslator.ModelShape}");

DateTrainingResult result = DateTraining.Train(options, checkpoint, Console.WriteLine);
DateTranslator model = result.Model;
Console.WriteLine($"Trained in {result.Elapsed.TotalSeconds:F0} s ({result.Epochs} epochs); best validation exact match {result.ValidationExactMatch:P2}.");

// Held-out test set: greedy, and beam search (width 4, GNMT length penalty) through the runtime's decoder.
var normalizer = new DateNormalizerModel(model);
var clock = Stopwatch.StartNew();
double greedy = DateTraining.ExactMatch(normalizer, result.Data.Test);
double greedyMs = clock.Elapsed.TotalMilliseconds / result.Data.Test.Count;
Seq2SeqStepSource steps = model.CreateStepSource(DateNormalizerModel.MaxInputLength, maxRows: 4);
var beam = new BeamSearchDecoder(steps, beamWidth: 4, maxLength: DateNormalizerModel.MaxOutputLength) { Penalty = LengthPenalty.Gnmt(0.6) };
int beamHits = 0;
foreach (DatePair pair in result.Data.Test)
{
    steps.Encode(DateVocabularies.Source.Encode(pair.Human));
    beam.Search(new[] { steps.StartId }, endId: steps.EndId);
    beamHits += DateVocabularies.Target.Decode(beam.TokensOf(0)) == pair.Iso ? 1 : 0;
}
double beamScore = (double)beamHits / result.Data.Test.Count;
Console.WriteLine($"Held-out test ({result.Data.Test.Count:N0} dates never seen in training): exact match greedy {greedy:P2} ({greedyMs:F2} ms per date), beam(4) {beamScore:P2}.");

Console.WriteLine("Examples:");
foreach (DatePair pair in result.Data.Test.Take(10))
{
    string output = normalizer.Normalize(pair.Human);
    Console.WriteLine($"  {pair.Human,-38} → {output}{(output == pair.Iso ? "" : "   ✗ expected " + pair.Iso)}");
}
var mistakes = result.Data.Test.Where(p => normalizer.Normalize(p.Human) != p.Iso).Take(5).ToList();
if (mistakes.Count > 0)
{
    Console.WriteLine("Some mistakes:");
    foreach (DatePair pair in mistakes) Console.WriteLine($"  {pair.Human,-38} → {normalizer.Normalize(pair.Human)}   expected {pair.Iso}");
}

Normalization example = normalizer.NormalizeWithAttention("Saturday 9 May 2018");
string heatMap = Path.Combine(outDir, "attention.svg");
AttentionHeatMap.WriteSvg(heatMap, example.SourceTokens, example.TargetTokens, example.Attention,
    $"\"{example.Input}\" → {example.Output}");
Console.WriteLine($"\"{example.Input}\" → {example.Output}; attention heat map written to {heatMap}");
Console.WriteLine($"Model checkpoint: {checkpoint}");
return greedy >= 0.95 ? 0 : 1;
