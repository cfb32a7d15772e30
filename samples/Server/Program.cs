// RnnGen sample: serving three generated models over HTTP (ASP.NET Core minimal APIs) with a web page.
//
//   dotnet run --project samples/Server -c Release [-- --urls http://127.0.0.1:5080 --out DIR --pool N]
//   dotnet run --project samples/Server -c Release -- --load 2000 --concurrency 16 [--timeout 120]
//
// At start it loads out/charlm.* (character language model), out/oddoneout.* (attention classifier) and
// out/date-translator.safetensors (the DateNormalizer sample's encoder-decoder) beside the executable (or from
// --out DIR), training them first when absent (a few seconds each; 15-30 s for the translator). A checkpoint that
// exists but cannot be loaded stops the server with a message. Binds to 127.0.0.1:5080 unless --urls says otherwise.
//   GET  /health                                      → {status, models}
//   POST /api/generate {prompt, length, temperature}  → {text}
//   POST /api/classify {text}                         → {classes, probabilities, attention: [{char, weight}]}
//   POST /api/normalize {text}                        → {input, output, sourceTokens, targetTokens, attention: [[...]]}
// Bad input is answered 400 {error} saying what to fix. --load N runs N requests against the server on loopback
// from --concurrency parallel HttpClient tasks and prints requests/s and p50/p99 latency (see docs/server.md).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using DateNormalizer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Server;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
bool loadMode = builder.Configuration["load"] is not null;
if (builder.Configuration["urls"] is null)
    builder.WebHost.UseUrls(loadMode ? "http://127.0.0.1:0" : "http://127.0.0.1:5080");
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * 1024);

string outDirectory = builder.Configuration["out"] ?? Path.Combine(AppContext.BaseDirectory, "out");
int poolSize = int.TryParse(builder.Configuration["pool"], out int p) && p > 0 ? p : Environment.ProcessorCount;
TextGenerator generator;
Classifier classifier;
DateService dates;
try
{
    var (charModel, charVocabulary) = ModelStore.LoadOrTrainCharLm(outDirectory, Console.WriteLine);
    var (classModel, classVocabulary) = ModelStore.LoadOrTrainClassifier(outDirectory, Console.WriteLine);
    DateTranslator dateModel = ModelStore.LoadOrTrainDateTranslator(outDirectory, Console.WriteLine);
    generator = new TextGenerator(charModel, charVocabulary, poolSize);
    classifier = new Classifier(classModel, classVocabulary, poolSize);
    dates = new DateService(dateModel, poolSize);
    Console.WriteLine($"models loaded from {outDirectory}; {poolSize} sessions per model");
}
catch (CheckpointException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

var app = builder.Build();

// Anything a handler throws becomes a JSON answer; the process never goes down on input.
app.UseExceptionHandler(errors => errors.Run(async context =>
{
    Exception? error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
    (int status, string message) = error switch
    {
        BadHttpRequestException bad => (bad.StatusCode, $"bad request: {bad.Message}"),
        RequestError request => (StatusCodes.Status400BadRequest, request.Message),
        _ => (StatusCodes.Status500InternalServerError, "internal error; the request was not processed"),
    };
    context.Response.StatusCode = status;
    await context.Response.WriteAsJsonAsync(new { error = message });
}));
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapGet("/health", () => Results.Json(new
{
    status = "ok",
    models = new object[]
    {
        new { name = "charlm", version = generator.Pool.Version, available = generator.Pool.Available, size = generator.Pool.Size },
        new { name = "oddoneout", version = classifier.Pool.Version, available = classifier.Pool.Available, size = classifier.Pool.Size, classes = OddOneOut.Classes },
        new { name = "date-translator", version = dates.Pool.Version, available = dates.Pool.Available, size = dates.Pool.Size },
    },
}));

// Client errors are answered here, without an exception log entry per bad request; the handler above is the safety net.
RouteGroupBuilder api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
{
    try
    {
        return await next(context);
    }
    catch (RequestError e)
    {
        return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
    }
});

api.MapPost("/generate", async (HttpRequest request) =>
{
    using JsonDocument body = await Requests.ReadJsonAsync(request);
    string prompt = Requests.String(body, "prompt", 1, TextGenerator.MaxPromptLength);
    int length = Requests.Int(body, "length", 1, Generator.MaxLength);
    float temperature = Requests.Float(body, "temperature", 0f, 2f);
    long seed = Requests.OptionalLong(body, "seed") ?? Random.Shared.NextInt64();
    string text = generator.Generate(prompt, length, temperature, seed);
    return Results.Json(new { prompt, text, seed });
});

api.MapPost("/classify", async (HttpRequest request) =>
{
    using JsonDocument body = await Requests.ReadJsonAsync(request);
    string text = Requests.String(body, "text", 1, OddOneOut.MaxLength);
    (List<string> characters, float[] probabilities, float[] attention) = classifier.Classify(text);
    var cells = new object[characters.Count];
    for (int i = 0; i < cells.Length; i++) cells[i] = new { @char = characters[i], weight = attention[i] };
    int best = 0;
    for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
    return Results.Json(new { text, label = OddOneOut.Classes[best], classes = OddOneOut.Classes, probabilities, attention = cells });
});

api.MapPost("/normalize", async (HttpRequest request) =>
{
    using JsonDocument body = await Requests.ReadJsonAsync(request);
    // The length limit applies after trimming (DateService); the body limit (16 KiB) bounds what is read here.
    string text = Requests.String(body, "text", 1, int.MaxValue);
    var (input, output, sourceTokens, targetTokens, attention) = dates.Normalize(text);
    return Results.Json(new { input, output, sourceTokens, targetTokens, attention });
});

if (loadMode)
{
    await app.StartAsync();
    int code = await LoadCheck.RunAsync(app.Urls, builder.Configuration);
    await app.StopAsync();
    return code;
}
await app.RunAsync();
return 0;
