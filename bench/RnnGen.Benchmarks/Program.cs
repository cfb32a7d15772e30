using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Running;

namespace RnnGen.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
        {
            return Compare.Run(args.Skip(1).ToArray());
        }
        if (args.Length > 0 && args[0] == "throughput")
        {
            return TrainingThroughput.Run(args.Skip(1).ToArray());
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

/// <summary>
/// <c>compare [--json FILE] [--seconds S] [--no-pytorch] [--threads N] [config ...]</c>: times each configuration
/// with Stopwatch (warm-up, then the median of many runs), runs bench/pytorch_compare.py for the same
/// configurations when /usr/bin/python3 has torch, measures the single-core FMA peak, prints one table.
/// </summary>
internal static class Compare
{
    public static int Run(string[] args)
    {
        string? jsonPath = null;
        double seconds = 2.0;
        bool pytorch = true;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json": jsonPath = args[++i]; break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-pytorch": pytorch = false; break;
                case "--threads": RnnGen.Kernels.KernelOptions.MaxThreads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: names.Add(args[i]); break;
            }
        }

        BenchConfig[] configs = BenchConfig.All();
        if (names.Count > 0) configs = configs.Where(c => names.Contains(c.Name)).ToArray();

        Console.WriteLine($"RnnGen compare — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical CPUs, {CpuName()}");
        Console.WriteLine($".NET {Environment.Version}, RnnGen kernel threads: {RnnGen.Kernels.KernelOptions.MaxThreads}; medians of ≥ {seconds:0.#} s of runs after warm-up (shared, noisy machine)");

        double peak = PeakFlops.MeasureGflops();
        Console.WriteLine($"measured single-core FP32 FMA peak (Vector512, 12 independent chains): {peak:0.0} GFLOP/s");

        var rnngen = new Dictionary<string, (double Ms, int Runs)>();
        foreach (BenchConfig c in configs)
        {
            (double ms, int n) = Time(c.Run, seconds);
            rnngen[c.Name] = (ms, n);
            Console.Error.WriteLine($"  {c.Name}: {ms:0.000} ms (median of {n})");
        }

        Dictionary<string, double> torch = pytorch ? RunPyTorch(configs.Select(c => c.Name), seconds) : new();

        Console.WriteLine();
        Console.WriteLine("| config | RnnGen ms | PyTorch ms | PyTorch / RnnGen | RnnGen GFLOP/s | % of 1-core peak |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var json = new Dictionary<string, Dictionary<string, double?>>();
        foreach (BenchConfig c in configs)
        {
            double ms = rnngen[c.Name].Ms;
            double gflops = c.Flops / (ms * 1e6);
            double? pt = torch.TryGetValue(c.Name, out double v) ? v : null;
            string ratio = pt is double p ? $"{p / ms:0.00}×" : "—";
            Console.WriteLine($"| {c.Name} | {ms:0.000} | {(pt is double q ? q.ToString("0.000", CultureInfo.InvariantCulture) : "—")} | {ratio} | {gflops:0.0} | {100 * gflops / peak:0}% |");
            json[c.Name] = new Dictionary<string, double?>
            {
                ["rnngen_ms"] = ms,
                ["pytorch_ms"] = pt,
                ["gflops"] = gflops,
                ["peak_fraction"] = gflops / peak,
            };
        }
        foreach (BenchConfig c in configs.Where(c => c.Note.Length > 0)) Console.WriteLine($"note: {c.Name}: {c.Note}");
        Console.WriteLine("FLOPs per the issue: forward 2·G·H·(I+H)·B per layer, direction and step (+ head); training = 3 × forward. " +
                          "% of peak is against ONE core's measured peak (RnnGen may use both cores).");

        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    /// <summary>Warm-up (≥ 5 runs and ≥ 0.5 s, so tiered JIT has installed optimized code), then the median of runs over ≥ <paramref name="seconds"/>.</summary>
    public static (double Ms, int Runs) Time(Action run, double seconds)
    {
        var sw = Stopwatch.StartNew();
        for (int n = 0; n < 5 || sw.Elapsed.TotalSeconds < Math.Max(0.5, seconds / 3); n++) run();
        var times = new List<double>();
        sw.Restart();
        while (times.Count < 11 || (sw.Elapsed.TotalSeconds < seconds && times.Count < 5000))
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        times.Sort();
        return (times[times.Count / 2], times.Count);
    }

    private static Dictionary<string, double> RunPyTorch(IEnumerable<string> names, double seconds)
    {
        var result = new Dictionary<string, double>();
        const string python = "/usr/bin/python3";
        string? script = FindScript();
        if (!File.Exists(python) || script is null)
        {
            Console.WriteLine("PyTorch: skipped (no /usr/bin/python3 or bench/pytorch_compare.py)");
            return result;
        }
        var probe = Process.Start(new ProcessStartInfo(python, "-c \"import torch\"") { RedirectStandardError = true, UseShellExecute = false })!;
        probe.WaitForExit();
        if (probe.ExitCode != 0)
        {
            Console.WriteLine("PyTorch: skipped (/usr/bin/python3 has no torch)");
            return result;
        }
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--seconds");
        psi.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        foreach (string n in names) psi.ArgumentList.Add(n);
        psi.Environment["OPENBLAS_NUM_THREADS"] = "2";
        psi.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            Console.WriteLine($"PyTorch: script failed with exit code {p.ExitCode}");
            return result;
        }
        using JsonDocument doc = JsonDocument.Parse(stdout);
        foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "_meta")
            {
                Console.WriteLine($"PyTorch {prop.Value.GetProperty("torch").GetString()}, torch.set_num_threads(1), OPENBLAS_NUM_THREADS=2, OPENBLAS_CORETYPE=SkylakeX");
                continue;
            }
            result[prop.Name] = prop.Value.GetProperty("ms").GetDouble();
        }
        return result;
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "pytorch_compare.py");
            if (File.Exists(candidate)) return candidate;
        }
        string cwd = Path.Combine(Environment.CurrentDirectory, "bench", "pytorch_compare.py");
        return File.Exists(cwd) ? cwd : null;
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
