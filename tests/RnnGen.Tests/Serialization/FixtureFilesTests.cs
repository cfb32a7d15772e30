using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using RnnGen.Serialization;

namespace RnnGen.Tests.Serialization;

/// <summary>The committed PyTorch fixtures (tests/fixtures/rnn, see docs/file-formats.md) parse and hold what they should.</summary>
public class FixtureFilesTests
{
    public static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "fixtures", "rnn");

    private static readonly string[] ExpectedCases = BuildExpectedCases();

    private static string[] BuildExpectedCases()
    {
        var cases = new List<string>();
        foreach (string cell in new[] { "rnn_tanh", "rnn_relu", "lstm", "gru" })
            foreach (int layers in new[] { 1, 2 })
                foreach (string dir in new[] { "uni", "bi" })
                    foreach (string lengths in new[] { "equal", "unequal" })
                        cases.Add($"{cell}_l{layers}_{dir}_{lengths}");
        foreach (string cell in new[] { "lstm", "gru" })
        {
            cases.Add($"{cell}_l1_uni_long");
            cases.Add($"{cell}_l2_bi_long");
            cases.Add($"{cell}_l2_bi_unequal_h0");
        }
        cases.Sort(StringComparer.Ordinal);
        return cases.ToArray();
    }

    public static IEnumerable<object[]> Cases() => ExpectedCases.Select(c => new object[] { c });

    [Fact]
    public void Exactly_The_Expected_Fixture_Files_Are_Present()
    {
        string[] present = System.IO.Directory.GetFiles(FixtureDirectory, "*.safetensors")
            .Select(p => Path.GetFileNameWithoutExtension(p)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(ExpectedCases, present);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_Parses_With_Expected_Tensors_And_Shapes(string name)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(FixtureDirectory, name + ".safetensors"));
        IReadOnlyDictionary<string, string> meta = file.Metadata;
        Assert.Equal(name, meta["case"]);

        string cell = meta["cell"];
        Assert.Contains(cell, new[] { "rnn", "lstm", "gru" });
        Assert.Contains(meta["nonlinearity"], new[] { "tanh", "relu" });
        Assert.StartsWith(cell == "rnn" ? "rnn_" + meta["nonlinearity"] : cell, name, StringComparison.Ordinal);
        int inputSize = Int(meta, "input_size"), hidden = Int(meta, "hidden_size"), layers = Int(meta, "num_layers");
        int batch = Int(meta, "batch"), steps = Int(meta, "steps");
        bool bidirectional = Bool(meta, "bidirectional"), hasH0 = Bool(meta, "has_initial_state");
        Assert.False(string.IsNullOrEmpty(meta["torch_version"]));
        Assert.Contains($"_l{layers}_{(bidirectional ? "bi" : "uni")}_", name + "_");
        Assert.Equal(name.EndsWith("_h0", StringComparison.Ordinal), hasH0);

        int gates = cell switch { "lstm" => 4, "gru" => 3, _ => 1 };
        int dirs = bidirectional ? 2 : 1;
        bool lstm = cell == "lstm";
        var expected = new Dictionary<string, long[]>();
        for (int layer = 0; layer < layers; layer++)
            for (int d = 0; d < dirs; d++)
            {
                string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
                int layerInput = layer == 0 ? inputSize : dirs * hidden;
                expected["rnn.weight_ih" + suffix] = new long[] { gates * hidden, layerInput };
                expected["rnn.weight_hh" + suffix] = new long[] { gates * hidden, hidden };
                expected["rnn.bias_ih" + suffix] = new long[] { gates * hidden };
                expected["rnn.bias_hh" + suffix] = new long[] { gates * hidden };
            }
        foreach (string p in expected.Keys.ToList()) expected["grad." + p] = expected[p];
        long[] sequence = { batch, steps, inputSize };
        long[] outputShape = { batch, steps, dirs * hidden };
        long[] state = { layers * dirs, batch, hidden };
        expected["input"] = sequence;
        expected["grad_input"] = sequence;
        expected["lengths"] = new long[] { batch };
        expected["output"] = outputShape;
        expected["grad_output"] = outputShape;
        expected["h_n"] = state;
        expected["grad_h_n"] = state;
        if (lstm)
        {
            expected["c_n"] = state;
            expected["grad_c_n"] = state;
        }
        if (hasH0)
        {
            expected["h_0"] = state;
            expected["grad_h_0"] = state;
            if (lstm)
            {
                expected["c_0"] = state;
                expected["grad_c_0"] = state;
            }
        }

        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), file.Tensors.Select(t => t.Name).OrderBy(k => k, StringComparer.Ordinal));
        foreach (SafeTensorInfo t in file.Tensors)
        {
            Assert.True(expected[t.Name].SequenceEqual(t.Shape), $"{name}: {t.Name} has shape {t.ShapeText}");
            Assert.Equal(t.Name == "lengths" ? SafeTensorsDType.I64 : SafeTensorsDType.F32, t.DType);
        }

        // Lengths as in the metadata, at most T; output and its gradient are zero past each length.
        long[] lengths = file.ReadInt64s("lengths");
        Assert.Equal(meta["lengths"], string.Join(",", lengths));
        Assert.All(lengths, n => Assert.InRange(n, 1, steps));
        if (name.Contains("_long", StringComparison.Ordinal)) Assert.Equal(new long[] { 200, 137 }, lengths);
        float[] output = file.ReadFloats("output");
        float[] gradOutput = file.ReadFloats("grad_output");
        float[] gradInput = file.ReadFloats("grad_input");
        int width = dirs * hidden;
        for (int b = 0; b < batch; b++)
            for (int s = (int)lengths[b]; s < steps; s++)
            {
                for (int j = 0; j < width; j++)
                {
                    Assert.Equal(0f, output[(b * steps + s) * width + j]);
                    Assert.Equal(0f, gradOutput[(b * steps + s) * width + j]);
                }
                for (int j = 0; j < inputSize; j++) Assert.Equal(0f, gradInput[(b * steps + s) * inputSize + j]);
            }

        // Every value is finite and gradients are not all zero.
        foreach (SafeTensorInfo t in file.Tensors.Where(t => t.DType == SafeTensorsDType.F32))
            Assert.All(file.ReadFloats(t.Name), v => Assert.True(float.IsFinite(v), $"{name}: {t.Name} has {v}"));
        foreach (string g in expected.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)))
            Assert.Contains(file.ReadFloats(g), v => v != 0f);
    }

    [Fact]
    public void Fixture_Weights_Load_Into_A_Model_With_PyTorch_Names()
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(FixtureDirectory, "lstm_l2_bi_unequal_h0.safetensors"));
        SafeTensorInfo[] weights = file.Tensors.Where(t => t.Name.StartsWith("rnn.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(16, weights.Length);
        // Reverse order so the model's layout differs from the file's.
        var model = new ListModel("lstm", weights.Reverse().Select(t => (t.Name, t.Shape.Select(d => (int)d).ToArray())));

        Assert.Throws<InvalidDataException>(() => model.Load(file));
        model.Load(file, allowUnexpectedTensors: true);
        foreach (ParameterTensor p in model.ParameterTensors)
            Assert.Equal(file.ReadFloats(p.Name), model.Parameters.AsSpan(p.Offset, p.Length).ToArray());
    }

    private static int Int(IReadOnlyDictionary<string, string> meta, string key) =>
        int.Parse(meta[key], NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool Bool(IReadOnlyDictionary<string, string> meta, string key) => meta[key] switch
    {
        "true" => true,
        "false" => false,
        string other => throw new InvalidDataException($"{key} = '{other}'"),
    };
}
