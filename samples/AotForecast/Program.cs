// RnnGen NativeAOT sample: declares a model, trains it briefly on generated data, saves and loads it,
// and forecasts with one-step streaming and through the inference pool — all in a native binary.
//
//   dotnet publish samples/AotForecast -c Release -r linux-x64 -p:PublishAot=true
//   samples/AotForecast/bin/Release/net10.0/linux-x64/publish/AotForecast
using System;
using System.Diagnostics;
using System.IO;
using AotForecast;
using RnnGen.Serving;
using RnnGen.Training;

const int Window = 24, Batch = 32, Epochs = 20, BatchesPerEpoch = 25;
var clock = Stopwatch.StartNew();
Console.WriteLine($"RnnGen AOT forecast ({(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")})");
Console.WriteLine($"model: {WaveForecaster.ArchitectureDescription}, {WaveForecaster.ParameterCount} parameters");
if (args.Length > 0 && args[0] == "--info") return 0; // start-up check: describe the model and stop

// A noisy two-period wave: the model reads 24 steps and predicts the next value.
static float Signal(int t, Random noise) =>
    (float)(Math.Sin(2 * Math.PI * t / 12) + 0.5 * Math.Sin(2 * Math.PI * t / 30) + 0.05 * (noise.NextDouble() - 0.5));
var random = new Random(42);
var series = new float[4000];
for (int t = 0; t < series.Length; t++) series[t] = Signal(t, random);

var model = new WaveForecaster(seed: 1);
var session = model.CreateSession(Batch, Window);
var optimizer = new Adam(WaveForecaster.ParameterCount, learningRate: 1e-2f);
var inputs = new float[Batch * Window];
var targets = new float[Batch];
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    double loss = 0;
    for (int n = 0; n < BatchesPerEpoch; n++)
    {
        for (int b = 0; b < Batch; b++)
        {
            int start = random.Next(series.Length - Window - 1);
            series.AsSpan(start, Window).CopyTo(inputs.AsSpan(b * Window, Window));
            targets[b] = series[start + Window];
        }
        session.Forward(inputs, Batch, Window);
        loss += session.Loss(targets);
        session.Backward();
        model.ApplyGradients(optimizer, maxGradientNorm: 1f);
    }
    if (epoch % 4 == 0 || epoch == 1) Console.WriteLine($"epoch {epoch,2}  train MSE {loss / BatchesPerEpoch:F5}");
}

string path = Path.Combine(Path.GetTempPath(), $"aot-forecast-{Environment.ProcessId}.safetensors");
model.Save(path);
WaveForecaster loaded = WaveForecaster.Load(path);
File.Delete(path);
Console.WriteLine($"saved and loaded back: parameters equal = {model.Parameters.AsSpan().SequenceEqual(loaded.Parameters)}");

// Forecast 12 steps after t = 3000 by streaming the window, then feeding predictions back.
var stream = loaded.CreateSession(1, 1);
stream.ResetState();
var value = new float[1];
int origin = 3000;
for (int t = origin - Window; t < origin; t++) { value[0] = series[t]; stream.Step(value, 1); }
double squares = 0;
Console.WriteLine("step  forecast  actual");
for (int h = 0; h < 12; h++)
{
    float predicted = stream.HeadOutput[0];
    Console.WriteLine($"{h + 1,4} {predicted,9:F3} {series[origin + h],7:F3}");
    squares += (predicted - series[origin + h]) * (double)(predicted - series[origin + h]);
    value[0] = predicted;
    stream.Step(value, 1);
}
Console.WriteLine($"12-step RMSE {Math.Sqrt(squares / 12):F3}");

// The same one-step prediction through the thread-safe pool.
var pool = new InferencePool<WaveForecaster, WaveForecaster.Session>(loaded, static m => m.CreateSession(1, Window), size: 2);
float pooled = pool.Run(series.AsMemory(origin - Window, Window), static (s, w) => { s.Forward(w.Span, 1, Window); return s.HeadOutput[0]; });
Console.WriteLine($"pool forecast for step 1: {pooled:F3}");
Console.WriteLine($"done in {clock.Elapsed.TotalMilliseconds:F0} ms");
return 0;

namespace AotForecast
{
    /// <summary>Reads 24 steps of a signal and predicts the next value.</summary>
    [RnnGen.RnnModel(RnnGen.Cell.Lstm, InputSize = 1, HiddenSize = 24, Head = RnnGen.Head.Linear, OutputSize = 1, Sequence = RnnGen.Sequence.ManyToOne)]
    public partial class WaveForecaster;
}
