using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using RnnGen.Initialization;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 8, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
public partial class TrainerRegressor;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 6, Head = Head.Softmax, OutputSize = 4, Sequence = Sequence.ManyToMany)]
public partial class TrainerTagger;

/// <summary>Deterministic synthetic data sets and helpers shared by the trainer tests.</summary>
internal static class TrainerTestData
{
    /// <summary>Many-to-one regression: the target is the mean of feature 0 over the valid steps.</summary>
    public static ArrayTrainerData Regression(int count, int steps, int seed, bool ragged = false)
    {
        var random = new SeededRandom(seed);
        var input = new float[count * steps * 3];
        var targets = new float[count];
        var lengths = new int[count];
        for (int n = 0; n < count; n++)
        {
            lengths[n] = ragged ? 1 + random.NextInt(steps) : steps;
            double sum = 0;
            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < 3; i++) input[(n * steps + t) * 3 + i] = random.NextSingle() * 2 - 1;
                if (t < lengths[n]) sum += input[(n * steps + t) * 3];
            }
            targets[n] = (float)(sum / lengths[n]);
        }
        return new ArrayTrainerData(count, steps, 3, input, targets, null, lengths);
    }

    /// <summary>Many-to-many tagging with 4 classes: the class of a step is which of two features is positive.</summary>
    public static ArrayTrainerData Tagging(int count, int steps, int seed, bool ragged = true)
    {
        var random = new SeededRandom(seed);
        var input = new float[count * steps * 3];
        var classes = new int[count * steps];
        var lengths = new int[count];
        for (int n = 0; n < count; n++)
        {
            lengths[n] = ragged ? 1 + random.NextInt(steps) : steps;
            for (int t = 0; t < steps; t++)
            {
                int at = (n * steps + t) * 3;
                for (int i = 0; i < 3; i++) input[at + i] = random.NextSingle() * 2 - 1;
                classes[n * steps + t] = (input[at] > 0 ? 1 : 0) + (input[at + 1] > 0 ? 2 : 0);
            }
        }
        return new ArrayTrainerData(count, steps, 3, input, null, classes, lengths);
    }

    public static bool BitEqual(float[] a, float[] b) =>
        a.Length == b.Length && MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));

    public static string TempPath(string name)
    {
        string directory = Path.Combine(Path.GetTempPath(), "rnngen-trainer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    public static void DeleteDirectoryOf(string path)
    {
        try { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Calls back synchronously (unlike <see cref="Progress{T}"/>, which posts to a synchronization context).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>lr = 0.02 · 0.8^(step / 3): a pure function of the step, as schedules must be.</summary>
internal sealed class TestStepSchedule : ILearningRateSchedule
{
    public float GetLearningRate(long step) => 0.02f * MathF.Pow(0.8f, step / 3);
}

/// <summary>Records a copy of every gradient it is given and never changes the parameters.</summary>
internal sealed class RecordingOptimizer(int parameterCount) : IOptimizer
{
    public List<float[]> Gradients { get; } = new();
    public long StepCount { get; private set; }
    public float LearningRate { get; set; }
    public int ParameterCount { get; } = parameterCount;
    public IReadOnlyDictionary<string, float[]> State { get; } = new Dictionary<string, float[]>();

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Gradients.Add(gradients.ToArray());
        StepCount++;
    }

    public void LoadState(long stepCount, IReadOnlyDictionary<string, float[]> state) => StepCount = stepCount;
}
