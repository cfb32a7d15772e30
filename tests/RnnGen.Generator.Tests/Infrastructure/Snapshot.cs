using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace RnnGen.Generator.Tests.Infrastructure;

/// <summary>
/// A small snapshot helper in the spirit of Verify: the expected text lives in
/// <c>{TestClass}.{TestName}.verified.cs</c> beside the test source. On mismatch (or when missing)
/// the actual text is written to <c>*.received.cs</c> (git-ignored) and the test fails; set
/// <c>RNNGEN_ACCEPT_SNAPSHOTS=1</c> to overwrite the verified files instead. File names follow
/// Verify's convention so Verify.SourceGenerators can take over without moving files.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "RNNGEN_ACCEPT_SNAPSHOTS";

    public static void Match(string actual, string name, [CallerFilePath] string testFile = "")
    {
        string directory = Path.GetDirectoryName(testFile)!;
        string stem = Path.GetFileNameWithoutExtension(testFile) + "." + name;
        string verifiedPath = Path.Combine(directory, stem + ".verified.cs");
        string receivedPath = Path.Combine(directory, stem + ".received.cs");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        string? expected = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        string reason = expected is null
            ? $"No verified snapshot at {verifiedPath}."
            : $"Snapshot differs from {verifiedPath} at line {FirstDifferentLine(expected, actual)}.";
        throw new Xunit.Sdk.XunitException(
            $"{reason} The generated text was written to {receivedPath}. Review it, then rename it to .verified.cs or rerun with {AcceptVariable}=1.");
    }

    private static int FirstDifferentLine(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return i + 1;
            }
        }
        return Math.Min(a.Length, b.Length) + 1;
    }
}
