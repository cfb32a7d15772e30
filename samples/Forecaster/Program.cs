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
using RnnGen.Training.Schedules;
using Spectre.Console;

const int Window = 48;          // steps the model reads
const int SeriesCount = 8;
const int SeriesLength = 2000;
const int BatchSize = 64;
const int Epochs = 8;
const float TrainFraction = 0.8f;

int epochs = args.Length > 1 && args[0] == "--epochs" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : Epochs;

// ---- data: series → first differences (removes level and trend, so the model extrapolates),
// standardized per series with statistics of the training part only ----
float[][] raw = SyntheticSignals.Generate(SeriesCount, SeriesLength, seed: 2026);
int trainEnd = (int)(SeriesLength * TrainFraction);
var mean = new float[SeriesCount];
var scale = new float[SeriesCount];
var normalized = new float[SeriesCount][];
for (int s = 0; s < SeriesCount; s++)
{
    double sum = 0, sumSquares = 0;
    for (int t = 1; t < trainEnd; t++) { double d = raw[s][t] - raw[s][t - 1]; sum += d; sumSquares += d * d; }
    mean[s] = (float)(sum / (trainEnd - 1));
    scale[s] = (float)Math.Sqrt(sumSquares / (trainEnd - 1) - mean[s] * (double)mean[s]);
    normalized[s] = new float[SeriesLength]; // normalized[s][t] = standardized x[t] − x[t−1]; [0] = 0
    for (int t = 1; t < SeriesLength; t++) normalized[s][t] = (raw[s][t] - raw[s][t - 1] - mean[s]) / scale[s];
}

// A window is (series, first step); its target is the value right after it. Training windows end
// before 70 % of each series, validation windows in 70–80 %, test windows after 80 %.
int validationStart = (int)(SeriesLength * 0.7f);
var train = new System.Collections.Generic.List<(int Series, int Start)>();
var validation = new System.Collections.Generic.List<(int Series, int Start)>();
var test = new System.Collections.Generic.List<(int Series, int Start)>();
for (int s = 0; s < SeriesCount; s++)
{
    for (int start = 1; start + Window < validationStart; start++) train.Add((s, start));
    for (int start = validationStart - Window; start + Window < trainEnd; start++) validation.Add((s, start));
    for (int start = trainEnd - Window; start + Window < SeriesLength; start++) test.Add((s, start));
}
Console.WriteLine($"RnnGen forecaster: {SeriesCount} series × {SeriesLength} steps, window {Window}, {train.Count} training, {validation.Count} validation and {test.Count} test windows");
Console.WriteLine($"model: {SignalForecaster.ArchitectureDescription}, {SignalForecaster.ParameterCount} parameters");

// ---- model, optimizer, trainer (the trainer owns one session: every buffer allocated once) ----
var model = new SignalForecaster(seed: 1);
var optimizer = new Adam(SignalForecaster.ParameterCount, learningRate: 3e-3f);
int batchesPerEpoch = (train.Count + BatchSize - 1) / BatchSize;
var options = new TrainingOptions
{
    Epochs = epochs,
    BatchSize = BatchSize,
    Seed = 7,
    MaxGradientNorm = 1f,
    // 3e-3 for the first half, then a third of it: lr = 3e-3 · (1/3)^⌊step / (4 epochs)⌋
    Schedule = new StepDecaySchedule(3e-3f, stepSize: 4 * batchesPerEpoch, gamma: 1f / 3f),
};
using var trainer = new Trainer(model, optimizer, options);
var trainData = new WindowData(normalized, train, Window);
var validationData = new WindowData(normalized, validation, Window);

var history = new System.Collections.Generic.List<string>();
AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(context =>
    {
        ProgressTask bar = context.AddTask("training", maxValue: epochs * batchesPerEpoch);
        trainer.Fit(trainData, validationData, new SynchronousProgress(p =>
        {
            if (p.Kind == TrainingProgressKind.Batch)
            {
                bar.Value = p.GlobalStep;
                bar.Description = $"epoch {p.Epoch + 1}/{epochs}  loss {p.EpochLoss:F4}";
            }
            else if (p.Validation is { } metrics)
            {
                // validation RMSE in normalized units (the signal's own units need each series' scale)
                history.Add($"epoch {p.Epoch + 1,2}  train MSE {p.EpochLoss:F4}  validation RMSE {metrics.RootMeanSquaredError:F4} (normalized)  {p.Elapsed.TotalSeconds,5:F1} s");
            }
        }));
    });
foreach (string line in history) Console.WriteLine(line);
var session = model.CreateSession(maxBatch: BatchSize, maxSteps: Window);
var inputs = new float[BatchSize * Window];

// ---- test: RMSE in the signal's own units, beside naive baselines ----
double modelSquares = 0, lastValueSquares = 0, seasonalSquares = 0;
for (int first = 0; first < test.Count; first += BatchSize)
{
    int batch = Math.Min(BatchSize, test.Count - first);
    for (int b = 0; b < batch; b++)
    {
        var (series, start) = test[first + b];
        normalized[series].AsSpan(start, Window).CopyTo(inputs.AsSpan(b * Window, Window));
    }
    session.Forward(inputs.AsSpan(0, batch * Window), batch, Window);
    for (int b = 0; b < batch; b++)
    {
        var (series, start) = test[first + b];
        float actual = raw[series][start + Window];
        // the model predicts the next difference: x̂[t+1] = x[t] + d̂
        float predicted = raw[series][start + Window - 1] + session.HeadOutput[b] * scale[series] + mean[series];
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
float level = raw[0][origin - 1];
for (int h = 0; h < 24; h++)
{
    level += forecast[h] * scale[0] + mean[0]; // accumulate the predicted differences
    float predicted = level;
    float actual = raw[0][origin + h];
    forecastSquares += Square(predicted - actual);
    if (h % 4 == 0 || h == 23) Console.WriteLine($"  {h + 1,4} {predicted,10:F2} {actual,8:F2}");
}
Console.WriteLine($"  24-step RMSE {Math.Sqrt(forecastSquares / 24):F3}");
return 0;

static double Square(double x) => x * x;

/// <summary>Reports progress on the training thread as it happens (Progress&lt;T&gt; would post it elsewhere).</summary>
internal sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
