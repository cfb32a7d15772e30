// Browser test for samples/Server: starts the server on a free loopback port, drives the page with headless Chromium
// (Debian's chromium + chromium-driver through Selenium), submits a text and a prompt and checks what appears,
// including the attention heat map; also checks that bad requests get 400 with a message.
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
    while (!healthy && clock.Elapsed < TimeSpan.FromSeconds(90) && !server.HasExited)
    {
        try { healthy = (await http.GetAsync("/health")).IsSuccessStatusCode; }
        catch (HttpRequestException) { Thread.Sleep(250); }
    }
    if (!healthy) return Fail($"server did not become healthy on {baseUrl}:\n{serverLog}");
    Console.WriteLine($"server healthy on {baseUrl} after {clock.Elapsed.TotalSeconds:F1} s");

    Console.WriteLine("API checks:");
    (HttpStatusCode status, string body) = await Post(http, "/api/classify", "{\"text\":");
    Check(status == HttpStatusCode.BadRequest && body.Contains("not valid JSON", StringComparison.Ordinal), $"bad JSON → 400 ({body})");
    (status, body) = await Post(http, "/api/generate", "{\"prompt\":\"a\",\"length\":10,\"temperature\":9}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("temperature", StringComparison.Ordinal), $"temperature 9 → 400 ({body})");
    (status, body) = await Post(http, "/api/classify", "{}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("missing", StringComparison.Ordinal), $"missing text → 400 ({body})");
    (status, body) = await Post(http, "/api/classify", "{\"text\":\"" + new string('a', 65) + "\"}");
    Check(status == HttpStatusCode.BadRequest && body.Contains("too long", StringComparison.Ordinal), $"65 characters → 400 ({body})");
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
        (status, _) = await Post(http, random.Next(2) == 0 ? "/api/generate" : "/api/classify", json);
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

    const string text = "the old mill had 7 wheels";
    IWebElement input = driver.FindElement(By.Id("classify-text"));
    input.Clear();
    input.SendKeys(text);
    driver.FindElement(By.Id("classify-button")).Click();
    wait.Until(d => d.FindElement(By.Id("heatmap")).FindElements(By.TagName("span")).Count > 0);
    IReadOnlyList<IWebElement> cells = driver.FindElement(By.Id("heatmap")).FindElements(By.TagName("span"));
    Check(cells.Count == text.Length, $"heat map has one cell per character ({cells.Count} for {text.Length})");
    double[] weights = cells.Select(c => double.Parse(c.GetAttribute("data-weight") ?? "nan", CultureInfo.InvariantCulture)).ToArray();
    Check(Math.Abs(weights.Sum() - 1) < 1e-3, $"attention weights sum to 1 ({weights.Sum():F4})");
    int strongest = Array.IndexOf(weights, weights.Max());
    Check(text[strongest] == '7', $"strongest attention on the digit (on '{text[strongest]}' at {strongest}, weight {weights[strongest]:F3})");
    Check(cells[strongest].GetCssValue("background-color").StartsWith("rgba(220, 40, 30, 1", StringComparison.Ordinal) ||
          cells[strongest].GetCssValue("background-color") == "rgb(220, 40, 30)", $"strongest cell is fully colored ({cells[strongest].GetCssValue("background-color")})");
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

Console.WriteLine(failures.Count == 0 ? "browser test: all checks passed" : $"browser test: {failures.Count} check(s) failed");
return failures.Count == 0 ? 0 : 1;

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
