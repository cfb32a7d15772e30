using System;
using System.Collections.Generic;
using System.IO;

namespace RnnGen.Tests.Serialization;

/// <summary>A hand-made model with two tensors: weight [3, 2] at offset 0 and bias [3] at offset 6.</summary>
internal sealed class FakeModel : IRnnModel
{
    public const string DefaultArchitecture = "fake(I=2,H=3)";

    private readonly ParameterTensor[] tensors =
    {
        new("rnn.weight_ih_l0", 0, 3, 2),
        new("rnn.bias_ih_l0", 6, 3),
    };

    public FakeModel(string architecture = DefaultArchitecture, float start = 0f)
    {
        Architecture = architecture;
        for (int i = 0; i < Parameters.Length; i++) Parameters[i] = start + 0.25f * i - 1f;
    }

    public string Architecture { get; }

    public int ParameterCount => Parameters.Length;

    public float[] Parameters { get; } = new float[9];

    public float[] Gradients { get; } = new float[9];

    public IReadOnlyList<ParameterTensor> ParameterTensors => tensors;
}

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnngen-io-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            if (!OperatingSystem.IsWindows())
                System.IO.File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A model made of any list of named shapes, laid out contiguously in the given order.</summary>
internal sealed class ListModel : IRnnModel
{
    public ListModel(string architecture, IEnumerable<(string Name, int[] Shape)> tensors)
    {
        Architecture = architecture;
        var list = new List<ParameterTensor>();
        int offset = 0;
        foreach ((string name, int[] shape) in tensors)
        {
            var t = new ParameterTensor(name, offset, shape);
            list.Add(t);
            offset += t.Length;
        }
        ParameterTensors = list;
        Parameters = new float[offset];
        Gradients = new float[offset];
    }

    public string Architecture { get; }

    public int ParameterCount => Parameters.Length;

    public float[] Parameters { get; }

    public float[] Gradients { get; }

    public IReadOnlyList<ParameterTensor> ParameterTensors { get; }
}
