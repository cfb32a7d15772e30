// Browser test for samples/Server: starts the server on a free loopback port, drives the page with headless Chromium
// (Debian's chromium + chromium-driver through Selenium), submits a date, a text and a prompt and checks what appears,
// including both attention heat maps; also checks that bad requests get 400 with a message, and that malformed
// checkpoints (truncated, another model's, a NaN weight, a broken vocabulary) stop the server with exit code 2 and a
// message naming the file.
//
//   dotnet run --project tests/BrowserTest -c Release -- [--server PATH/Server.dll] [--chromium /usr/bin/chromium] [--driver /usr/bin/chromedriver]
//
// Exit code 0 when every check passes, 1 otherwise. .ci/browser-check.sh installs what it needs and runs it.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

string root = FindRepositoryRoot();
string serverDll = Option("--server") ?? Path.Combine(root, "samples", "Server", "bin", "Release", "net10.0", "Server.dll");
string chromium = Option("--chromium") ?? "/usr/bin/chromium";
string driverPath = Option("--driver") ?? "/usr/bin/chromedriver";
if (!File.Exists(serverDll)) return Fail($"server not built: {serverDll} (run: dotnet build samples/Server -c Release)");
foreach (string path in new[] { chromium, driverPath })
    if (!File.Exists(path)) return Fail($"{path} is missing (apt-get install chromium chromium-driver)");

int port = FreePort();
string baseUrl = $"http://127.0.0.1:{port}";
var failures = new List<string>();
void Check(bool ok, string what)
{
    Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {what}");
    if (!ok) failures.Add(what);
}

using var server = Process.Start(new ProcessStartInfo("dotnet", [serverDll, "--urls", baseUrl])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    UseShellExecute = false,
})!;
var serverLog = new StringBuilder();
server.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (serverLog) serverLog.AppendLine(e.Data); };
server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (serverLog) serverLog.AppendLine(e.Data); };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
    var clock = Stopwatch.StartNew();
    bool healthy = false;
    // On a clean build the server trains its three models first (≈ 20-40 s on 2 cores, most of it the translator).
    while (!healthy && clock.Elapsed < TimeSpan.FromSeconds(180) && !server.HasExited)
    {
        try { healthy = (await http.GetAsync("/health")).IsSuccessStatusCode; }
        catch (HttpRequestException) { Thread.Sleep(250); }
    }
    if (!healthy) return Fail($"server did not become healthy on {baseUrl}:\n{serverLog}");
    Console.WriteLine($"server healthy on {baseUrl} after {clock.Elapsed.TotalSeconds:F1} s");
    lock (serverLog)
        foreach (string line in serverLog.ToString().Split('\n'))
            if (line.StartsWith("trained ", StringComparison.Ordinal)) Console.WriteLine($"  server: {line.TrimEnd()}");

    Console.WriteLine("API checks:");
    string health = await http.GetStringAsync("/health");
    Check(health.Contains("\"date-translator\"", StringComparison.Ordinal), "/health lists the date translator");
    (HttpStatusCode status, string body) = await Post(http, "/api/classify", "{\"text\":");
    Check(status == HttpStatusCode.BadRequest && body.Contains("not valid JSON", StringComparison.Ordinal), $"bad JSON → 400 ({body})");
    (status, body) = await Post(http, "/api/generate", "{\"prompt\":\"a\",\"length\":10,\"temperature\":9}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("temperature", StringComparison.Ordinal), $"temperature 9 → 400 ({body})");
    (status, body) = await Post(http, "/api/classify", "{}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("missing", StringComparison.Ordinal), $"missing text → 400 ({body})");
    (status, body) = await Post(http, "/api/classify", "{\"text\":\"" + new string('a', 65) + "\"}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("too long", StringComparison.Ordinal), $"65 characters → 400 ({body})");
    (status, body) = await Post(http, "/api/normalize", "{\"text\":\"25th of June, 2009\"}");
    Check(status == HttpStatusCode.OK && body.Contains("\"output\":\"2009-06-25\"", StringComparison.Ordinal), $"normalize '25th of June, 2009' → 2009-06-25 ({Shorten(body)})");
    (status, body) = await Post(http, "/api/normalize", "{}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("missing", StringComparison.Ordinal), $"normalize without text → 400 ({body})");
    (status, body) = await Post(http, "/api/normalize", "{\"text\":\"   \"}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("blank", StringComparison.Ordinal), $"normalize blank text → 400 ({body})");
    (status, body) = await Post(http, "/api/normalize", "{\"text\":\"" + new string('1', 49) + "\"}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("at most 48", StringComparison.Ordinal), $"normalize 49 characters → 400 ({body})");
    (status, body) = await Post(http, "/api/normalize", "{\"text\":20090625}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("must be a string", StringComparison.Ordinal), $"normalize a number → 400 ({body})");
    // 500 random bodies (garbage bytes, wrong types, out-of-range values, lone surrogates): only 200 or 400 allowed.
    string[] values = ["null", "\"\"", "\"a\"", "\"" + new string('x', 300) + "\"", "5", "-1", "0", "2.5", "1e999", "[1]", "{\"a\":1}", "true",
        "40", "0.5", "500", "501", "\"In Greywater \"", "\"\\ud83d\"", "\"\\udc00x\"", "1099511627776", "\"caf\u00e9 \ud83d\ude00 9\""];
    string[] fields = ["prompt", "length", "temperature", "seed", "text"];
    var random = new Random(7);
    var statuses = new SortedDictionary<int, int>();
    for (int i = 0; i < 500; i++)
    {
        string json;
        if (random.Next(10) == 0)
        {
            var garbage = new char[random.Next(40)];
            for (int k = 0; k < garbage.Length; k++) garbage[k] = (char)random.Next(1, 128);
            json = new string(garbage);
        }
        else json = "{" + string.Join(",", fields.Where(_ => random.Next(10) < 7).Select(f => $"\"{f}\":{values[random.Next(values.Length)]}")) + "}";
        (status, _) = await Post(http, random.Next(3) switch { 0 => "/api/generate", 1 => "/api/classify", _ => "/api/normalize" }, json);
        statuses[(int)status] = statuses.GetValueOrDefault((int)status) + 1;
    }
    Check(statuses.Keys.All(k => k is 200 or 400), $"500 random bodies answered 200 or 400 only ({string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}"))})");
    Check((await http.GetAsync("/health")).IsSuccessStatusCode, "server still healthy after bad input");

    Console.WriteLine("browser checks:");
    var options = new ChromeOptions { BinaryLocation = chromium };
    options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-extensions", "--disable-sync", "--no-first-run", "--disable-default-apps", "--window-size=1200,900");
    using ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
    service.HideCommandPromptWindow = true;
    using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(20));
    driver.Navigate().GoToUrl(baseUrl + "/");
    Check(driver.Title.Contains("RnnGen", StringComparison.Ordinal), $"page loads (title '{driver.Title}')");

    // Date normalization: "Thursday 25 June 2009" (21 characters) → "2009-06-25" (10), a 10 × 21 heat map.
    const string date = "Thursday 25 June 2009", iso = "2009-06-25";
    IWebElement dateInput = driver.FindElement(By.Id("date-text"));
    dateInput.Clear();
    dateInput.SendKeys(date);
    driver.FindElement(By.Id("date-button")).Click();
    wait.Until(d => d.FindElement(By.Id("date-output")).Text.Length > 0);
    string normalized = driver.FindElement(By.Id("date-output")).Text;
    Check(normalized == iso, $"ISO date shown is {iso} ('{normalized}')");
    IWebElement grid = driver.FindElement(By.Id("date-heatmap"));
    IReadOnlyList<IWebElement> gridCells = grid.FindElements(By.CssSelector("td.cell"));
    int gridRows = grid.FindElements(By.CssSelector("tr[data-row]")).Count;
    Check(gridRows == iso.Length && gridCells.Count == iso.Length * date.Length,
        $"translator heat map has {iso.Length} rows × {date.Length} columns ({gridRows} rows, {gridCells.Count} cells)");
    string columnLabels = string.Concat(grid.FindElements(By.CssSelector("tr:first-child th[scope=col]")).Select(h => h.Text)).Replace('\u2423', ' ');
    Check(columnLabels == date, $"columns are the input characters ('{columnLabels}')");
    if (gridCells.Count == iso.Length * date.Length)
    {
        var map = new double[iso.Length, date.Length];
        foreach (IWebElement cell in gridCells)
            map[int.Parse(cell.GetAttribute("data-row")!, CultureInfo.InvariantCulture), int.Parse(cell.GetAttribute("data-column")!, CultureInfo.InvariantCulture)] =
                double.Parse(cell.GetAttribute("data-weight") ?? "nan", CultureInfo.InvariantCulture);
        double worst = Enumerable.Range(0, iso.Length).Max(r => Math.Abs(Enumerable.Range(0, date.Length).Sum(c => map[r, c]) - 1));
        Check(worst < 1e-3, $"every row's attention sums to 1 (largest deviation {worst:E1})");
        // The year digits are read from "2009" (columns 17-20), the day digits from "25" (columns 9-10).
        int Strongest(int r) => Enumerable.Range(0, date.Length).MaxBy(c => map[r, c]);
        int[] yearFocus = [.. Enumerable.Range(0, 4).Select(Strongest)], dayFocus = [Strongest(8), Strongest(9)];
        Check(yearFocus.All(c => c is >= 17 and <= 20) && dayFocus.All(c => c is 9 or 10),
            $"year digits attend to '2009' and day digits to '25' (strongest columns {string.Join(",", yearFocus)} and {string.Join(",", dayFocus)})");
    }

    const string text = "the old mill had 7 wheels";
    IWebElement input = driver.FindElement(By.Id("classify-text"));
    input.Clear();
    input.SendKeys(text);
    driver.FindElement(By.Id("classify-button")).Click();
    wait.Until(d => d.FindElement(By.Id("heatmap")).FindElements(By.TagName("span")).Count > 0);
    IReadOnlyList<IWebElement> cells = driver.FindElement(By.Id("heatmap")).FindElements(By.TagName("span"));
    Check(cells.Count == text.Length, $"classifier heat map has one cell per character ({cells.Count} for {text.Length})");
    double[] weights = cells.Select(c => double.Parse(c.GetAttribute("data-weight") ?? "nan", CultureInfo.InvariantCulture)).ToArray();
    Check(Math.Abs(weights.Sum() - 1) < 1e-3, $"attention weights sum to 1 ({weights.Sum():F4})");
    int strongest = Array.IndexOf(weights, weights.Max());
    Check(text[strongest] == '7', $"strongest attention on the digit (on '{text[strongest]}' at {strongest}, weight {weights[strongest]:F3})");
    // The page colours both maps with heatColor(level) from the vendored d3-scale-chromatic (wwwroot/vendor), falling
    // back to its own shading if those scripts did not load; the vendored scheme must be the one in use.
    var top = driver.ExecuteScript("return heatColor(1);") as IDictionary<string, object>;
    string scheme = top?["scheme"] as string ?? "none", full = top?["background"] as string ?? "none";
    Check(scheme != "fallback" && scheme != "none", $"vendored colour scheme loaded from /vendor ({scheme})");
    string strongestColor = cells[strongest].GetCssValue("background-color");
    Check(Rgba(strongestColor) == Rgba(full), $"strongest cell is fully colored ({strongestColor}, top of the scale {full})");
    string label = driver.FindElement(By.Id("label")).Text;
    Check(label == "digit", $"class shown is 'digit' ('{label}')");
    Check(driver.FindElement(By.Id("probabilities")).FindElements(By.TagName("tr")).Count == 3, "three class probabilities shown");

    IWebElement prompt = driver.FindElement(By.Id("prompt"));
    prompt.Clear();
    prompt.SendKeys("In Greywater ");
    IWebElement length = driver.FindElement(By.Id("length"));
    length.Clear();
    length.SendKeys("80");
    driver.FindElement(By.Id("generate-button")).Click();
    wait.Until(d => d.FindElement(By.Id("generated")).Text.Length > "In Greywater".Length);
    string generated = driver.FindElement(By.Id("generated")).Text;
    Check(generated.StartsWith("In Greywater", StringComparison.Ordinal) && generated.Length > 40, $"generated text shown ({generated.Length} characters: \"{generated.Replace("\n", "\\n", StringComparison.Ordinal)}\")");

    IWebElement temperature = driver.FindElement(By.Id("temperature"));
    temperature.Clear();
    temperature.SendKeys("7");
    driver.FindElement(By.Id("generate-button")).Click();
    wait.Until(d => d.FindElement(By.Id("error")).Text.Length > 0);
    Check(driver.FindElement(By.Id("error")).Text.Contains("temperature", StringComparison.Ordinal), $"a bad temperature shows the server's message ('{driver.FindElement(By.Id("error")).Text}')");
    driver.Quit();
}
finally
{
    if (!server.HasExited) server.Kill(entireProcessTree: true);
    server.WaitForExit(10_000);
}

// Malformed checkpoints beside good ones: each must stop the server with exit code 2 and a message naming the file,
// before it listens (no "Now listening" line), rather than serve garbage.
Console.WriteLine("start-up checks:");
string goodOut = Path.Combine(Path.GetDirectoryName(serverDll)!, "out");
await StartupRefused("truncated date-translator.safetensors (500 bytes)", "date-translator.safetensors' cannot be loaded",
    dir => { string f = Path.Combine(dir, "date-translator.safetensors"); File.WriteAllBytes(f, File.ReadAllBytes(f)[..500]); });
await StartupRefused("charlm.safetensors holding the classifier's weights", "architecture",
    dir => File.Copy(Path.Combine(dir, "oddoneout.safetensors"), Path.Combine(dir, "charlm.safetensors"), overwrite: true));
await StartupRefused("oddoneout.safetensors with one weight set to NaN", "oddoneout.safetensors' holds 1 non-finite weight",
    dir => PoisonFirstWeight(Path.Combine(dir, "oddoneout.safetensors")));
await StartupRefused("charlm.vocab that is not a vocabulary file", "charlm.vocab' cannot be loaded",
    dir => File.WriteAllText(Path.Combine(dir, "charlm.vocab"), "this is not a vocabulary\n"));

Console.WriteLine(failures.Count == 0 ? "browser test: all checks passed" : $"browser test: {failures.Count} check(s) failed");
return failures.Count == 0 ? 0 : 1;

// Copies the server's out/ folder, damages the copy, starts the server on it and checks that it refuses to start.
async System.Threading.Tasks.Task StartupRefused(string what, string expected, Action<string> damage)
{
    string dir = Path.Combine(Path.GetTempPath(), $"rnngen-badout-{Environment.ProcessId}");
    try
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(goodOut)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        damage(dir);
        using var bad = Process.Start(new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{FreePort()}", "--out", dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        System.Threading.Tasks.Task<string> output = bad.StandardOutput.ReadToEndAsync(), errors = bad.StandardError.ReadToEndAsync();
        bool exited = bad.WaitForExit(60_000);
        if (!exited) bad.Kill(entireProcessTree: true);
        string error = (await errors).Trim(), log = await output;
        Check(exited && bad.ExitCode == 2 && error.StartsWith("error: ", StringComparison.Ordinal) && error.Contains(expected, StringComparison.Ordinal)
                && !log.Contains("Now listening", StringComparison.Ordinal),
            $"{what} → exit code {(exited ? bad.ExitCode.ToString(CultureInfo.InvariantCulture) : "none (still running)")}: {error}");
    }
    finally
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}

// Overwrites the first element of the first F32 tensor of a safetensors file with NaN, keeping the file well formed.
static void PoisonFirstWeight(string path)
{
    byte[] bytes = File.ReadAllBytes(path);
    int headerLength = checked((int)BitConverter.ToUInt64(bytes, 0));
    using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, headerLength));
    foreach (System.Text.Json.JsonProperty tensor in header.RootElement.EnumerateObject())
    {
        if (tensor.Name == "__metadata__" || tensor.Value.GetProperty("dtype").GetString() != "F32") continue;
        int begin = tensor.Value.GetProperty("data_offsets")[0].GetInt32();
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, 8 + headerLength + begin);
        File.WriteAllBytes(path, bytes);
        return;
    }
    throw new InvalidOperationException($"{path} has no F32 tensor");
}

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int Fail(string message)
{
    Console.Error.WriteLine($"browser test: {message}");
    return 1;
}

// "rgb(8, 48, 107)" and Selenium's "rgba(8, 48, 107, 1)" alike → "8,48,107,1" (the alpha defaults to 1).
static string Rgba(string css)
{
    string[] parts = [.. System.Text.RegularExpressions.Regex.Matches(css, @"[0-9.]+").Select(m => m.Value)];
    return parts.Length == 3 ? string.Join(",", parts) + ",1" : string.Join(",", parts);
}

static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async System.Threading.Tasks.Task<(HttpStatusCode, string)> Post(HttpClient http, string path, string json)
{
    using var content = new StringContent(json, Encoding.UTF8, "application/json");
    using HttpResponseMessage response = await http.PostAsync(path, content);
    return (response.StatusCode, await response.Content.ReadAsStringAsync());
}

static string FindRepositoryRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "RnnGen.sln"))) return d.FullName;
    return Directory.GetCurrentDirectory();
}
