using BenchmarkDotNet.Attributes;

namespace RnnGen.Benchmarks;

/// <summary>BenchmarkDotNet view of the nine configurations (Description = the configuration name).</summary>
[MemoryDiagnoser]
public class RecurrentBenchmarks
{
    private BenchConfig[] _c = [];

    [GlobalSetup]
    public void Setup() => _c = BenchConfig.All();

    [Benchmark(Description = "serve-lstm-h128-b1-t50")] public void ServeLstmH128B1T50() => _c[0].Run();
    [Benchmark(Description = "serve-lstm-h256x2-b1-t100")] public void ServeLstmH256x2B1T100() => _c[1].Run();
    [Benchmark(Description = "serve-gru-h256x2-b1-t100")] public void ServeGruH256x2B1T100() => _c[2].Run();
    [Benchmark(Description = "serve-lstm-h256x2-b32-t100")] public void ServeLstmH256x2B32T100() => _c[3].Run();
    [Benchmark(Description = "train-lstm-h256x2-b32-t64")] public void TrainLstmH256x2B32T64() => _c[4].Run();
    [Benchmark(Description = "train-gru-h256x2-b32-t64")] public void TrainGruH256x2B32T64() => _c[5].Run();
    [Benchmark(Description = "train-rnn-h256x2-b32-t64")] public void TrainRnnH256x2B32T64() => _c[6].Run();
    [Benchmark(Description = "train-bilstm-h128-b16-t40")] public void TrainBiLstmH128B16T40() => _c[7].Run();
    [Benchmark(Description = "train-charlm-h512-b32-t128")] public void TrainCharLmH512B32T128() => _c[8].Run();
}
