// RnnGen sample: a character language model — train it, measure it, let it write.
//
//   dotnet run --project samples/CharLm -c Release [-- --text FILE --epochs 10 --batch 16 --steps 64 --lr 0.004 --seed 1 --prompt TEXT]
//
// Reads a text (by default corpus/river-towns.txt, an original text generated for this sample: see README.md),
// builds a character Vocabulary from it, and trains CharModel (embedding → LSTM → softmax) to predict the next
// character. Training is stateful truncated BPTT: the text is cut into `batch` parallel streams, each read in
// consecutive chunks of `steps` characters; every chunk starts from the state the previous chunk ended in (carried,
// not back-propagated through). The last 10% of the text is held out; its perplexity is printed after every epoch.
// Then the model writes: samples at temperatures 0.5, 0.8 and 1.0, a nucleus sample, and greedy and beam-search
// completions of a prompt (RnnGen.Decoding, one streaming step per character). The model and the vocabulary are
// saved to out/ beside the executable and loaded back.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CharLm;
using RnnGen;
using RnnGen.Data;
using RnnGen.Decoding;
using RnnGen.Text.NGrams;
using RnnGen.Training;

Options options;
string textPath, text;
try
{
    options = Options.Parse(args);
    textPath = options.TextPath ?? Path.Combine(AppContext.BaseDirectory, "corpus", "river-towns.txt");
    if (!File.Exists(textPath)) throw new FileNotFoundException($"--text: no file '{Path.GetFullPath(textPath)}'.");
    text = File.ReadAllText(textPath).Replace("\r\n", "\n", StringComparison.Ordinal);
    if (text.Length < 2000) throw new ArgumentException($"--text: '{textPath}' has {text.Length} characters; give the model at least 2,000.");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or IOException or UnauthorizedAccessException)
{
    // Bad command line or unreadable text: say what to fix, no stack trace.
    Console.Error.WriteLine($"CharLm: {e.Message}");
    return 2;
}
var total = Stopwatch.StartNew();

var vocabulary = Vocabulary.BuildCharacters([text], maxSize: CharModel.Vocabulary);
int[] ids = vocabulary.Encode(text);
int split = (int)(ids.Length * 0.9);
int unknown = 0;
foreach (int id in ids) if (id == Vocabulary.UnknownId) unknown++;
Console.WriteLine($"text: {Path.GetFileName(textPath)}, {ids.Length:N0} characters ({split:N0} training, {ids.Length - split:N0} validation)");
Console.WriteLine($"vocabulary: {vocabulary.Count} ids ({vocabulary.Count - Vocabulary.SpecialCount} characters + 4 specials; capacity {CharModel.Vocabulary})" +
                  (unknown > 0 ? $", {unknown} rare characters read as <unk>" : ""));
Console.WriteLine($"unigram baseline (character frequencies): validation perplexity {UnigramPerplexity(ids, split, vocabulary.Count):F2}");

// The classic baseline on the same split: a 5-gram character model with interpolated Kneser–Ney
// (RnnGen.Text.NGrams). Lines are its sentences, so each line end is predicted as </s> — the RNN
// predicts the '\n' character there — which makes the two per-character perplexities comparable.
string trainText = ids.Length == text.Length ? text[..split] : vocabulary.Decode(ids.AsSpan(0, split), skipSpecials: false);
string validationText = ids.Length == text.Length ? text[split..] : vocabulary.Decode(ids.AsSpan(split), skipSpecials: false);
var ngram = NGramLanguageModel.TrainOnText(trainText.Split('\n'), new NGramOptions { Order = 5, Unit = NGramUnit.Characters });
PerplexityResult ngramResult = ngram.PerplexityOfText(validationText.Split('\n'));
Console.WriteLine($"5-gram Kneser–Ney baseline: validation perplexity {ngramResult.Perplexity:F2} ({ngramResult.Tokens:N0} predicted characters)");

var model = new CharModel(seed: (int)options.Seed);
int batch = options.Batch, steps = options.Steps;
IRnnSession session = model.CreateSession(batch, steps);
var optimizer = new Adam(CharModel.ParameterCount, learningRate: options.LearningRate);
var train = new StreamBatches(ids.AsMemory(0, split), batch, steps);
var validation = new StreamBatches(ids.AsMemory(split), Math.Min(8, Math.Max(1, (ids.Length - split) / (steps + 1))), steps);
Console.WriteLine($"model: LSTM {CharModel.HiddenSize} units, embedding {CharModel.EmbeddingSize}, {CharModel.ParameterCount:N0} parameters; " +
                  $"{options.Epochs} epochs × {train.Chunks} chunks of {batch} streams × {steps} steps, Adam lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} decaying linearly to a tenth, clip 1");
Console.WriteLine();

var trainClock = Stopwatch.StartNew();
double validationPerplexity = double.NaN;
for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    var epochClock = Stopwatch.StartNew();
    // linear decay from lr to lr/10 over the epochs
    optimizer.LearningRate = options.LearningRate * (1f - 0.9f * (epoch - 1) / Math.Max(1, options.Epochs - 1));
    double lossSum = 0;
    train.ResetState();
    for (int c = 0; c < train.Chunks; c++)
    {
        train.Forward(session, c);
        lossSum += session.Loss(train.Targets);
        session.Backward();
        model.ApplyGradients(optimizer, maxGradientNorm: 1f);
        train.CarryState(session);
    }
    double trainLoss = lossSum / train.Chunks;
    validationPerplexity = Math.Exp(validation.MeanLoss(session));
    Console.WriteLine($"epoch {epoch}: training loss {trainLoss:F3} (perplexity {Math.Exp(trainLoss):F2}), " +
                      $"validation perplexity {validationPerplexity:F2}  [{epochClock.Elapsed.TotalSeconds:F1} s]");
}
double trainSeconds = trainClock.Elapsed.TotalSeconds;
Console.WriteLine($"final validation perplexity {validationPerplexity:F2} after {trainSeconds:F1} s of training " +
                  $"({(double)options.Epochs * train.Chunks * batch * steps / trainSeconds:N0} characters/s)");

// Save and load back: the decoding below runs on the loaded copy.
string outDirectory = Path.Combine(AppContext.BaseDirectory, "out");
Directory.CreateDirectory(outDirectory);
string modelPath = Path.Combine(outDirectory, "charlm.safetensors"), vocabularyPath = Path.Combine(outDirectory, "charlm.vocab");
model.Save(modelPath);
vocabulary.Save(vocabularyPath);
var loaded = CharModel.Load(modelPath);
var loadedVocabulary = Vocabulary.Load(vocabularyPath);
Console.WriteLine($"saved {modelPath} and {vocabularyPath}; loaded back ({loadedVocabulary.Count} ids)");
Console.WriteLine();

// Decoding: one streaming session with a row per beam; only the vocabulary's ids can be produced.
const int BeamWidth = 5;
var decodeClock = Stopwatch.StartNew();
var source = SessionStepSource.Create(loaded, maxBatch: BeamWidth, activeVocabulary: loadedVocabulary.Count);
var sampler = new SamplingDecoder(source, maxLength: 400, seed: options.Seed);
// A model trained on carried states has rarely seen the zero state, so prime it with held-out text up to a line end.
int primeEnd = split + Math.Min(400, ids.Length - split - 1);
int newline = loadedVocabulary.IdOf("\n");
for (int i = split + 100; i < primeEnd; i++)
{
    if (ids[i] == newline)
    {
        primeEnd = i + 1;
        break;
    }
}
int[] start = ids[split..primeEnd];
Console.WriteLine($"samples continue {start.Length} characters of validation text ending \"…{Visible(loadedVocabulary.Decode(start[^Math.Min(40, start.Length)..]))}\"");
Console.WriteLine();
foreach (float temperature in new[] { 0.5f, 0.8f, 1.0f })
{
    sampler.Temperature = temperature;
    sampler.Sampler.Reseed(options.Seed);
    Print($"sample, temperature {temperature.ToString("0.0", CultureInfo.InvariantCulture)}", loadedVocabulary.Decode(sampler.Generate(start, 300)));
}
sampler.Temperature = 1f;
sampler.TopP = 0.9f;
sampler.Sampler.Reseed(options.Seed);
Print("sample, temperature 1.0, top-p 0.9", loadedVocabulary.Decode(sampler.Generate(start, 300)));

string prompt = options.Prompt;
int[] promptIds = [.. start, .. loadedVocabulary.Encode(prompt)];
int period = loadedVocabulary.IdOf(".");
int endId = period == Vocabulary.UnknownId ? -1 : period;   // complete up to the end of the sentence
var greedy = new GreedyDecoder(source, 120);
greedy.Generate(promptIds, endId: endId);
Console.WriteLine($"prompt: the same validation text, then \"{prompt}\" (completions end at '.')");
Console.WriteLine($"  greedy        log P {greedy.LogProbability,8:F2}  {prompt}{loadedVocabulary.Decode(greedy.Tokens)}{(greedy.EndedWithEos ? "." : "…")}");
var beam = new BeamSearchDecoder(source, BeamWidth, 120) { Penalty = LengthPenalty.Gnmt(0.7) };
int found = beam.Search(promptIds, endId: endId, best: 3);
for (int r = 0; r < found; r++)
{
    BeamHypothesis h = beam[r];
    Console.WriteLine($"  beam {BeamWidth} #{r + 1}     log P {h.LogProbability,8:F2}  score {h.Score,6:F3}  {prompt}{loadedVocabulary.Decode(beam.TokensOf(r))}{(h.EndedWithEos ? "." : "…")}");
}
Console.WriteLine($"decoding: {source.StepCount:N0} streaming steps in {decodeClock.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s wall, {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s CPU");
return 0;

static string Visible(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);

static void Print(string title, string sample)
{
    Console.WriteLine($"--- {title} ---");
    Console.WriteLine(sample.Trim());
    Console.WriteLine();
}

static double UnigramPerplexity(int[] ids, int split, int vocabularySize)
{
    var counts = new double[vocabularySize];
    for (int i = 0; i < split; i++) counts[ids[i]]++;
    double nll = 0;
    for (int i = split; i < ids.Length; i++) nll -= Math.Log((counts[ids[i]] + 1) / (split + vocabularySize)); // add-one smoothing
    return Math.Exp(nll / (ids.Length - split));
}

internal sealed record Options(string? TextPath, int Epochs, int Batch, int Steps, float LearningRate, long Seed, string Prompt)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(null, Epochs: 10, Batch: 16, Steps: 64, LearningRate: 4e-3f, Seed: 1, Prompt: "In Greywater there lived ");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--text" => options with { TextPath = value },
                "--epochs" => options with { Epochs = Math.Max(1, Integer(args[i], value)) },
                "--batch" => options with { Batch = Math.Max(1, Integer(args[i], value)) },
                "--steps" => options with { Steps = Math.Max(2, Integer(args[i], value)) },
                "--lr" => options with { LearningRate = float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float lr) && lr > 0 && float.IsFinite(lr) ? lr : throw new ArgumentException($"--lr expects a positive number such as 0.004, got '{value}'.") },
                "--seed" => options with { Seed = Integer(args[i], value) },
                "--prompt" => options with { Prompt = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --text, --epochs, --batch, --steps, --lr, --seed or --prompt."),
            };
        }
        if (args.Length % 2 != 0) throw new ArgumentException($"Option {args[^1]} needs a value.");
        return options;
    }

    private static int Integer(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{option} expects a whole number, got '{value}'.");
}
