using System;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Server;

/// <summary>Input that is the client's fault; answered 400 with the message, which says what to fix.</summary>
internal sealed class RequestError(string message) : Exception(message);

/// <summary>Reads and validates JSON request bodies field by field, so each error names the field and the rule.</summary>
internal static class Requests
{
    public static async Task<JsonDocument> ReadJsonAsync(HttpRequest request)
    {
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new RequestError("send the body as JSON with Content-Type: application/json");
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new RequestError($"the body is not valid JSON ({e.Message}); send an object such as {{\"text\": \"abc\"}}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new RequestError("the body must be a JSON object, such as {\"text\": \"abc\"}");
        }
        return document;
    }

    public static string String(JsonDocument body, string name, int minLength, int maxLength)
    {
        JsonElement value = Required(body, name, "a string");
        if (value.ValueKind != JsonValueKind.String) throw new RequestError($"'{name}' must be a string");
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new RequestError($"'{name}' is not valid Unicode text (a lone surrogate such as \\ud83d?); send whole characters");
        }
        if (text.Length < minLength) throw new RequestError($"'{name}' is empty; give at least {minLength} character(s)");
        if (text.Length > maxLength) throw new RequestError($"'{name}' is too long ({text.Length} characters); give at most {maxLength}");
        return text;
    }

    public static int Int(JsonDocument body, string name, int min, int max)
    {
        JsonElement value = Required(body, name, $"an integer from {min} to {max}");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number) || number < min || number > max)
            throw new RequestError($"'{name}' must be an integer from {min} to {max}, not {value.GetRawText()}");
        return number;
    }

    public static float Float(JsonDocument body, string name, float min, float max)
    {
        JsonElement value = Required(body, name, $"a number from {min} to {max}");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !(number >= min && number <= max))
            throw new RequestError($"'{name}' must be a number from {min} to {max} (0 = greedy), not {value.GetRawText()}");
        return (float)number;
    }

    public static long? OptionalLong(JsonDocument body, string name)
    {
        if (!body.RootElement.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
            throw new RequestError($"'{name}' must be an integer (or left out), not {value.GetRawText()}");
        return number;
    }

    private static JsonElement Required(JsonDocument body, string name, string what)
    {
        if (!body.RootElement.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            throw new RequestError($"the field '{name}' is missing; give {what}");
        return value;
    }
}
