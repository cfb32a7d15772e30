using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;

namespace Server;

/// <summary>
/// The bounded load check (<c>--load N</c>): N requests on loopback from <c>--concurrency</c> parallel HttpClient
/// tasks, cycling through /api/classify, /api/generate (length 40) and /api/normalize (a third each), stopped after
/// <c>--timeout</c> seconds at most.
/// Prints requests/s and p50/p99 latency per endpoint; exit code 1 when any request failed or the time ran out.
/// </summary>
internal static class LoadCheck
{
    public static async Task<int> RunAsync(ICollection<string> urls, IConfiguration configuration)
    {
        int total = int.Parse(configuration["load"]!, CultureInfo.InvariantCulture);
        int concurrency = int.TryParse(configuration["concurrency"], out int c) && c > 0 ? c : 16;
        int timeoutSeconds = int.TryParse(configuration["timeout"], out int t) && t > 0 ? t : 120;
        string baseUrl = urls.First(u => u.StartsWith("http://127.0.0.1", StringComparison.Ordinal) || u.StartsWith("http://localhost", StringComparison.Ordinal));
        var uri = new Uri(baseUrl);
        if (!uri.IsLoopback) throw new InvalidOperationException($"the load check only runs against loopback, not {baseUrl}");

        using var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        string[] texts = ["hello world 7 times", "the quick Brown fox", "what is this?", "abc def ghi jkl 0 mno", "river towns; old mills"];
        string[] dates = ["25th of June, 2009", "Thursday 25 June 2009", "6/25/09", "Thu, 25 Jun 2009", "the 9th of May 2018", "20090625", "Jun. 25, 2009"];
        // warm-up: JIT and connection pool
        for (int i = 0; i < 30; i++) await SendAsync(client, i, texts, dates, CancellationToken.None);

        var latencies = new double[total];
        var failed = 0;
        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total && !deadline.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                bool ok;
                try { ok = await SendAsync(client, i, texts, dates, deadline.Token); }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { ok = false; }
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!ok) Interlocked.Increment(ref failed);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        double seconds = clock.Elapsed.TotalSeconds;
        int done = Math.Min(total, next);
        bool timedOut = done < total;

        Console.WriteLine($"load check: {done} requests ({total} planned), {concurrency} concurrent, loopback {baseUrl}, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  all       {done / seconds,8:F1} requests/s  p50 {Percentile(latencies, 0, 1, done, 0.50),7:F2} ms  p99 {Percentile(latencies, 0, 1, done, 0.99),7:F2} ms  over {seconds:F2} s");
        Console.WriteLine($"  classify  p50 {Percentile(latencies, 0, 3, done, 0.50),7:F2} ms  p99 {Percentile(latencies, 0, 3, done, 0.99),7:F2} ms");
        Console.WriteLine($"  generate  p50 {Percentile(latencies, 1, 3, done, 0.50),7:F2} ms  p99 {Percentile(latencies, 1, 3, done, 0.99),7:F2} ms  (40 characters each)");
        Console.WriteLine($"  normalize p50 {Percentile(latencies, 2, 3, done, 0.50),7:F2} ms  p99 {Percentile(latencies, 2, 3, done, 0.99),7:F2} ms  (with the attention map)");
        Console.WriteLine($"  failed {failed}{(timedOut ? $", stopped by the {timeoutSeconds} s time limit" : "")}");
        return failed == 0 && !timedOut ? 0 : 1;
    }

    private static async Task<bool> SendAsync(HttpClient client, int i, string[] texts, string[] dates, CancellationToken cancellationToken)
    {
        (string path, string json) = (i % 3) switch
        {
            0 => ("/api/classify", $"{{\"text\":\"{texts[i / 3 % texts.Length]}\"}}"),
            1 => ("/api/generate", $"{{\"prompt\":\"In Greywater \",\"length\":40,\"temperature\":0.8,\"seed\":{i}}}"),
            _ => ("/api/normalize", $"{{\"text\":\"{dates[i / 3 % dates.Length]}\"}}"),
        };
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await client.PostAsync(path, content, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.IsSuccessStatusCode;
    }

    private static double Percentile(double[] values, int offset, int stride, int count, double q)
    {
        var selected = new List<double>();
        for (int i = offset; i < count; i += stride) selected.Add(values[i]);
        if (selected.Count == 0) return double.NaN;
        selected.Sort();
        return selected[Math.Min(selected.Count - 1, (int)Math.Ceiling(q * selected.Count) - 1)];
    }
}
