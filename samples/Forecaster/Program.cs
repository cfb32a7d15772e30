// RnnGen sample: time-series forecasting with a generated LSTM.
//
//   dotnet run --project samples/Forecaster -c Release
//
// Generates several synthetic series (trend + seasonality + noise), trains SignalForecaster to
// predict the next value from the previous 48, and reports test RMSE beside two naive baselines.
// Then it saves the model, loads it back, and forecasts the next day with one-step streaming.
using System;
using System.Diagnostics;
using System.IO;
using Forecasting;
using RnnGen.Initialization;
using RnnGen.Training;

const int Window = 48;          // steps the model reads
const int SeriesCount = 8;
const int SeriesLength = 2000;
const int BatchSize = 64;
const int Epochs = 8;
const float TrainFraction = 0.8f;

int epochs = args.Length > 1 && args[0] == "--epochs" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : Epochs;

// ---- data: series, per-series normalization from the training part, windows ----
float[][] raw = SyntheticSignals.Generate(SeriesCount, SeriesLength, seed: 2026);
int trainEnd = (int)(SeriesLength * TrainFraction);
var mean = new float[SeriesCount];
var scale = new float[SeriesCount];
var normalized = new float[SeriesCount][];
for (int s = 0; s < SeriesCount; s++)
{
    double sum = 0, sumSquares = 0;
    for (int t = 0; t < trainEnd; t++) { sum += raw[s][t]; sumSquares += raw[s][t] * (double)raw[s][t]; }
    mean[s] = (float)(sum / trainEnd);
    scale[s] = (float)Math.Sqrt(sumSquares / trainEnd - mean[s] * (double)mean[s]);
    normalized[s] = Array.ConvertAll(raw[s], v => v);
    for (int t = 0; t < SeriesLength; t++) normalized[s][t] = (raw[s][t] - mean[s]) / scale[s];
}

// A window is (series, first step); its target is the value right after it.
var train = new System.Collections.Generic.List<(int Series, int Start)>();
var test = new System.Collections.Generic.List<(int Series, int Start)>();
for (int s = 0; s < SeriesCount; s++)
{
    for (int start = 0; start + Window < trainEnd; start++) train.Add((s, start));
    for (int start = trainEnd - Window; start + Window < SeriesLength; start++) test.Add((s, start));
}
Console.WriteLine($"RnnGen forecaster: {SeriesCount} series × {SeriesLength} steps, window {Window}, {train.Count} training and {test.Count} test windows");
Console.WriteLine($"model: {SignalForecaster.ArchitectureDescription}, {SignalForecaster.ParameterCount} parameters");

// ---- model, session (all buffers allocated here, once), optimizer ----
var model = new SignalForecaster(seed: 1);
var session = model.CreateSession(maxBatch: BatchSize, maxSteps: Window);
var optimizer = new Adam(SignalForecaster.ParameterCount, learningRate: 3e-3f);
var inputs = new float[BatchSize * Window];
var targets = new float[BatchSize];
var order = new int[train.Count];
for (int i = 0; i < order.Length; i++) order[i] = i;
var shuffle = new SeededRandom(7);

int FillBatch(System.Collections.Generic.List<(int Series, int Start)> windows, ReadOnlySpan<int> indices)
{
    for (int b = 0; b < indices.Length; b++)
    {
        var (series, start) = windows[indices[b]];
        normalized[series].AsSpan(start, Window).CopyTo(inputs.AsSpan(b * Window, Window));
        targets[b] = normalized[series][start + Window];
    }
    return indices.Length;
}

var clock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    for (int i = order.Length - 1; i > 0; i--) { int j = shuffle.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
    double lossSum = 0;
    int batches = 0;
    for (int first = 0; first < order.Length; first += BatchSize)
    {
        int batch = FillBatch(train, order.AsSpan(first, Math.Min(BatchSize, order.Length - first)));
        session.Forward(inputs.AsSpan(0, batch * Window), batch, Window);
        lossSum += session.Loss(targets.AsSpan(0, batch));
        session.Backward();
        model.ApplyGradients(optimizer, maxGradientNorm: 1f); // clip, step, zero the gradients
        batches++;
    }
    if (epoch == 5) optimizer.LearningRate = 1e-3f;
    Console.WriteLine($"epoch {epoch,2}  train MSE {lossSum / batches:F4} (normalized units)  {clock.Elapsed.TotalSeconds,5:F1} s");
}

// ---- test: RMSE in the signal's own units, beside naive baselines ----
double modelSquares = 0, lastValueSquares = 0, seasonalSquares = 0;
var testIndices = new int[BatchSize];
for (int first = 0; first < test.Count; first += BatchSize)
{
    int batch = Math.Min(BatchSize, test.Count - first);
    for (int b = 0; b < batch; b++) testIndices[b] = first + b;
    FillBatch(test, testIndices.AsSpan(0, batch));
    session.Forward(inputs.AsSpan(0, batch * Window), batch, Window);
    for (int b = 0; b < batch; b++)
    {
        var (series, start) = test[first + b];
        float actual = raw[series][start + Window];
        float predicted = session.HeadOutput[b] * scale[series] + mean[series];
        modelSquares += Square(predicted - actual);
        lastValueSquares += Square(raw[series][start + Window - 1] - actual);
        seasonalSquares += Square(raw[series][start + Window - 24] - actual);
    }
}
Console.WriteLine();
Console.WriteLine($"test RMSE  LSTM {Math.Sqrt(modelSquares / test.Count):F3}   naive last value {Math.Sqrt(lastValueSquares / test.Count):F3}   seasonal naive (t−24) {Math.Sqrt(seasonalSquares / test.Count):F3}");

// ---- save, load, and forecast a day ahead with one-step streaming ----
string path = Path.Combine(AppContext.BaseDirectory, "out", "signal-forecaster.safetensors");
Directory.CreateDirectory(Path.GetDirectoryName(path)!);
model.Save(path);
SignalForecaster loaded = SignalForecaster.Load(path);
Console.WriteLine($"saved {new FileInfo(path).Length} bytes to {path} and loaded them back");

var forecastClock = Stopwatch.StartNew();
var stream = loaded.CreateSession(maxBatch: 1, maxSteps: 1);
stream.ResetState();
int origin = SeriesLength - 24; // forecast the last 24 steps of series 0 from what precedes them
var value = new float[1];
for (int t = origin - Window; t < origin; t++)
{
    value[0] = normalized[0][t];
    stream.Step(value, 1);
}
var forecast = new float[24];
for (int h = 0; h < 24; h++)
{
    forecast[h] = stream.HeadOutput[0];
    value[0] = forecast[h];
    stream.Step(value, 1); // feed the prediction back: recursive multi-step forecast
}
forecastClock.Stop();
Console.WriteLine($"24-step forecast of series 0 in {forecastClock.Elapsed.TotalMilliseconds:F2} ms:");
Console.WriteLine("  step   forecast   actual");
double forecastSquares = 0;
for (int h = 0; h < 24; h++)
{
    float predicted = forecast[h] * scale[0] + mean[0];
    float actual = raw[0][origin + h];
    forecastSquares += Square(predicted - actual);
    if (h % 4 == 0 || h == 23) Console.WriteLine($"  {h + 1,4} {predicted,10:F2} {actual,8:F2}");
}
Console.WriteLine($"  24-step RMSE {Math.Sqrt(forecastSquares / 24):F3}");
return 0;

static double Square(double x) => x * x;
