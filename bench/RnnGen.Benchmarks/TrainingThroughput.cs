using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using RnnGen.Kernels;
using RnnGen.Training;

namespace RnnGen.Benchmarks;

/// <summary>The training issue's throughput model: LSTM I = 32, H = 128, many-to-one linear head.</summary>
[RnnModel(Cell.Lstm, InputSize = 32, HiddenSize = 128, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
public partial class ThroughputLstm;

/// <summary>
/// <c>throughput [--seconds S]</c>: training throughput in sequences per second (B = 64, T = 50, Adam,
/// clipping) through <see cref="Trainer.TrainStep"/>, for one thread, two threads inside the kernels
/// (batch split per layer), and two data-parallel replicas. Medians of per-step times after warm-up.
/// </summary>
internal static class TrainingThroughput
{
    private const int Batch = 64, Steps = 50, Count = 64 * 8;

    public static int Run(string[] args)
    {
        double seconds = args.Length > 1 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3.0;
        var random = new Random(3);
        var input = new float[Count * Steps * ThroughputLstm.InputSize];
        var targets = new float[Count];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < targets.Length; i++) targets[i] = (float)random.NextDouble();
        var data = new ArrayTrainerData(Count, Steps, ThroughputLstm.InputSize, input, targets, null);

        Console.WriteLine($"training throughput — LSTM I=32 H=128, B={Batch}, T={Steps}, Adam + clipping, {Environment.ProcessorCount} logical CPUs, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("mode                                   ms/step   sequences/s");
        int saved = KernelOptions.MaxThreads;
        try
        {
            Measure("1 thread", data, kernelThreads: 1, replicas: 1, seconds);
            Measure("2 threads in the kernels (batch split)", data, kernelThreads: 2, replicas: 1, seconds);
            Measure("2 data-parallel replicas", data, kernelThreads: 1, replicas: 2, seconds);
        }
        finally
        {
            KernelOptions.MaxThreads = saved;
        }
        return 0;
    }

    private static void Measure(string name, ArrayTrainerData data, int kernelThreads, int replicas, double seconds)
    {
        KernelOptions.MaxThreads = kernelThreads;
        var model = new ThroughputLstm(seed: 1);
        var optimizer = new Adam(ThroughputLstm.ParameterCount, learningRate: 1e-3f);
        var options = new TrainingOptions { BatchSize = Batch, MaxGradientNorm = 1f, Threads = replicas, ReplicaFactory = () => new ThroughputLstm() };
        using var trainer = new Trainer(model, optimizer, options);
        var indices = new int[Batch];
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        int step = 0;
        while (total.Elapsed.TotalSeconds < seconds + 0.5 || times.Count < 7)
        {
            int first = (step++ * Batch) % Count;
            for (int i = 0; i < Batch; i++) indices[i] = first + i;
            long start = Stopwatch.GetTimestamp();
            trainer.TrainStep(data, indices);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (total.Elapsed.TotalSeconds > 0.5) times.Add(ms); // first half second: warm-up
        }
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"{name,-38} {median,7:F1}   {Batch * 1000.0 / median,10:F0}");
    }
}
