using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RnnGen.Serialization;
using RnnGen.Tests.Serialization;
using Xunit.Abstractions;

namespace RnnGen.Tests.Parity;

/// <summary>
/// Loads each committed PyTorch fixture (weights, inputs, lengths, initial states, and the
/// float64 reference outputs and gradients) into the matching generated model and compares
/// every output, final state and gradient tensor, printing the worst difference of each as
/// llm.c's test does. Loss in the fixtures: Σ output⊙grad_output + Σ h_n⊙grad_h_n (+ Σ c_n⊙grad_c_n).
/// </summary>
public class PyTorchParityTests(ITestOutputHelper log)
{
    public static IEnumerable<object[]> Cases() =>
        Directory.GetFiles(FixtureFilesTests.FixtureDirectory, "*.safetensors")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_states_and_every_gradient_match_pytorch(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(FixtureFilesTests.FixtureDirectory, name + ".safetensors"));
        string configuration = name.Replace("_unequal_h0", "").Replace("_unequal", "").Replace("_equal", "");
        IRnnNetwork model = ParityModels.Create(configuration);
        model.Load(file, allowUnexpectedTensors: true);

        int batch = int.Parse(file.Metadata["batch"]), steps = int.Parse(file.Metadata["steps"]);
        bool lstm = file.Metadata["cell"] == "lstm";
        float[] input = file.ReadFloats("input");
        int[] lengths = file.ReadInt64s("lengths").Select(v => (int)v).ToArray();
        bool hasInitial = file.Contains("h_0");

        IRnnSession session = model.CreateSession(batch, steps);
        session.Forward(input, batch, steps, lengths,
            hasInitial ? file.ReadFloats("h_0") : default,
            hasInitial && lstm ? file.ReadFloats("c_0") : default);

        var failures = new List<string>();
        Compare("output", session.Output, file.ReadFloats("output"), failures);
        Compare("h_n", session.FinalHidden, file.ReadFloats("h_n"), failures);
        if (lstm)
        {
            Compare("c_n", session.FinalCell, file.ReadFloats("c_n"), failures);
        }

        Array.Clear(model.Gradients);
        session.Backward(file.ReadFloats("grad_output"), file.ReadFloats("grad_h_n"),
            lstm ? file.ReadFloats("grad_c_n") : default, computeInputGradient: true);
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            Compare("grad." + tensor.Name, model.Gradients.AsSpan(tensor.Offset, tensor.Length), file.ReadFloats("grad." + tensor.Name), failures);
        }
        Compare("grad_input", session.InputGradient, file.ReadFloats("grad_input"), failures);
        if (hasInitial)
        {
            Compare("grad_h_0", session.InitialHiddenGradient, file.ReadFloats("grad_h_0"), failures);
            if (lstm)
            {
                Compare("grad_c_0", session.InitialCellGradient, file.ReadFloats("grad_c_0"), failures);
            }
        }

        Assert.True(failures.Count == 0, name + ": " + string.Join("; ", failures));
    }

    private void Compare(string what, ReadOnlySpan<float> ours, float[] torch, List<string> failures)
    {
        if (ours.Length != torch.Length)
        {
            failures.Add($"{what}: {ours.Length} values, PyTorch has {torch.Length}");
            return;
        }
        var (maxRelative, worst) = Support.Reference.Compare(log, what, ours, torch);
        if (maxRelative > Support.Reference.Tolerance)
        {
            failures.Add($"{what}[{worst}] = {ours[worst]:G9}, PyTorch {torch[worst]:G9} (relative {maxRelative:E2})");
        }
    }
}
