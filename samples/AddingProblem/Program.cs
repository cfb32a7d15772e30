// RnnGen sample: the adding problem — why gated cells exist.
//
//   dotnet run --project samples/AddingProblem -c Release [-- --steps 100 --iterations 2000 --batch 32 --lr 0.01]
//
// Trains a vanilla RNN, an LSTM and a GRU of the same hidden size on the adding problem (see
// AddingData.cs), each with Adam and gradient clipping on freshly generated batches for the same
// number of updates, then prints their test MSE beside the 0.167 of always predicting 1 and writes
// the three loss curves to out/adding-problem-loss.svg.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using AddingProblem;
using RnnGen;
using RnnGen.Training;

var options = Options.Parse(args);
int steps = options.Steps, batch = options.Batch, iterations = options.Iterations;
const int TestCount = 1024;
const int CurvePoints = 40;
int reportEvery = Math.Max(1, iterations / CurvePoints);

Console.WriteLine($"Adding problem: T = {steps} steps, 2 features per step (value, marker), target = sum of the two marked values");
Console.WriteLine($"training: {iterations} Adam updates (lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, clip norm 1) " +
                  $"× batch {batch} fresh sequences per model; test: {TestCount} held-out sequences");
Console.WriteLine($"baseline: predicting 1 gives MSE {AddingData.BaselineMse:F3}");
Console.WriteLine();

IRnnNetwork[] models = [new AddingRnn(seed: 1), new AddingLstm(seed: 1), new AddingGru(seed: 1)];
string[] names = ["RNN (tanh)", "LSTM", "GRU"];

// Held-out test set, the same for every model.
var testInputs = new float[TestCount * steps * AddingData.Features];
var testTargets = new float[TestCount];
new AddingData(seed: 99).Fill(testInputs, testTargets, TestCount, steps);

var inputs = new float[batch * steps * AddingData.Features];
var targets = new float[batch];
var curves = new LossCurve[models.Length];
var testMse = new double[models.Length];
var seconds = new double[models.Length];
var cpuSeconds = new double[models.Length];
var total = Stopwatch.StartNew();

for (int m = 0; m < models.Length; m++)
{
    IRnnNetwork model = models[m];
    IRnnSession session = model.CreateSession(maxBatch: batch, maxSteps: steps);
    var optimizer = new Adam(model.ParameterCount, learningRate: options.LearningRate);
    var data = new AddingData(seed: 2026); // every model sees the same training sequences
    var curve = new LossCurve(names[m]);
    var clock = Stopwatch.StartNew();
    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    double windowLoss = 0;
    int windowCount = 0;
    Console.Write($"{names[m],-11} {model.ParameterCount,6} parameters  training MSE:");
    for (int i = 1; i <= iterations; i++)
    {
        data.Fill(inputs, targets, batch, steps);
        session.Forward(inputs, batch, steps, default);
        windowLoss += session.Loss(targets);
        session.Backward();
        model.ApplyGradients(optimizer, maxGradientNorm: 1f); // clip, Adam step, zero the gradients
        windowCount++;
        if (i % reportEvery == 0 || i == iterations)
        {
            curve.Add(i, windowLoss / windowCount);
            windowLoss = 0;
            windowCount = 0;
        }
        if (i % Math.Max(1, iterations / 5) == 0) Console.Write($" {curve.Last:F3}");
    }
    seconds[m] = clock.Elapsed.TotalSeconds;
    cpuSeconds[m] = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
    curves[m] = curve;
    testMse[m] = Evaluate(session, testInputs, testTargets, batch, steps);
    Console.WriteLine($"  ({seconds[m]:F1} s)");
}
total.Stop();

Console.WriteLine();
Console.WriteLine($"{"model",-11} {"test MSE",9} {"vs baseline",12} {"wall time",10} {"CPU time",9}");
Console.WriteLine(new string('-', 55));
Console.WriteLine($"{"predict 1",-11} {AddingData.BaselineMse,9:F4} {"1×",12} {"-",10} {"-",9}");
for (int m = 0; m < models.Length; m++)
{
    string ratio = (testMse[m] / AddingData.BaselineMse).ToString("G2", CultureInfo.InvariantCulture) + "×";
    Console.WriteLine($"{names[m],-11} {testMse[m],9:F4} {ratio,12} {seconds[m],8:F1} s {cpuSeconds[m],7:F1} s");
}
Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s wall, {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s CPU (the runtime is single-threaded; wall time grows when other processes share the cores)");

string path = Path.Combine(AppContext.BaseDirectory, "out", "adding-problem-loss.svg");
Directory.CreateDirectory(Path.GetDirectoryName(path)!);
File.WriteAllText(path, LossCurve.ToSvg(curves, AddingData.BaselineMse,
    $"Adding problem, T = {steps}: training MSE (fresh batches of {batch})"));
Console.WriteLine($"loss curves: {path}");
return 0;

static double Evaluate(IRnnSession session, float[] inputs, float[] targets, int batch, int steps)
{
    double squares = 0;
    int count = targets.Length, width = steps * AddingData.Features;
    for (int first = 0; first < count; first += batch)
    {
        int n = Math.Min(batch, count - first);
        session.Forward(inputs.AsSpan(first * width, n * width), n, steps, default);
        ReadOnlySpan<float> predictions = session.HeadOutput;
        for (int b = 0; b < n; b++)
        {
            double error = predictions[b] - targets[first + b];
            squares += error * error;
        }
    }
    return squares / count;
}

internal sealed record Options(int Steps, int Iterations, int Batch, float LearningRate)
{
    public static Options Parse(string[] args)
    {
        var options = new Options(Steps: 100, Iterations: 2000, Batch: 32, LearningRate: 1e-2f);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--steps" => options with { Steps = Math.Max(4, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--iterations" => options with { Iterations = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--batch" => options with { Batch = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--lr" => options with { LearningRate = float.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --steps, --iterations, --batch or --lr."),
            };
        }
        return options;
    }
}
