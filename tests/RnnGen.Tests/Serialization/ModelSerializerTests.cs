using System;
using System.IO;
using System.Linq;
using System.Text;
using RnnGen.Serialization;

namespace RnnGen.Tests.Serialization;

public class ModelSerializerTests
{
    private static InvalidDataException FailedLoad(FakeModel model, string path)
    {
        float[] before = (float[])model.Parameters.Clone();
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => model.Load(path));
        Assert.Equal(before, model.Parameters);
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void Save_Then_Load_Roundtrips_Exactly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var source = new FakeModel(start: 0.1f);
        source.Save(path);

        using (SafeTensorsFile file = SafeTensorsFile.Open(path))
        {
            Assert.Equal("rnngen", file.Metadata["format"]);
            Assert.Equal(FakeModel.DefaultArchitecture, file.Metadata["architecture"]);
            Assert.Equal("9", file.Metadata["parameter_count"]);
            Assert.Equal(new[] { "rnn.weight_ih_l0", "rnn.bias_ih_l0" }, file.Tensors.Select(t => t.Name));
            Assert.All(file.Tensors, t => Assert.Equal(SafeTensorsDType.F32, t.DType));
            Assert.Equal(new long[] { 3, 2 }, file.GetTensor("rnn.weight_ih_l0").Shape);
            Assert.Equal(new long[] { 3 }, file.GetTensor("rnn.bias_ih_l0").Shape);
        }

        var target = new FakeModel(start: 5f);
        target.Load(path);
        Assert.Equal(source.Parameters, target.Parameters);
    }

    /// <summary>
    /// What <c>safetensors.torch.save_file(rnn.state_dict(), path)</c> writes for a model with these names:
    /// no metadata, tensors sorted by name (same dtype), compact JSON padded with spaces.
    /// </summary>
    [Fact]
    public void Loads_PyTorch_Style_File_Without_Metadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("torch.safetensors");
        byte[] bytes =
        [
            0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header length 144
            .. Encoding.ASCII.GetBytes(
                "{\"rnn.bias_ih_l0\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}," +
                "\"rnn.weight_ih_l0\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[12,36]}}    "),
            0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0x40, // bias 0.5, -1, 2
            0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x80, 0x3e, // weight 1.5, -2, 0.25
            0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x40, 0xbf, 0x00, 0x00, 0x80, 0x3f, //        3, -0.75, 1
        ];
        File.WriteAllBytes(path, bytes);

        var model = new FakeModel();
        model.Load(path);
        Assert.Equal(new[] { 1.5f, -2f, 0.25f, 3f, -0.75f, 1f, 0.5f, -1f, 2f }, model.Parameters);
    }

    [Fact]
    public void Loads_F64_Converted()
    {
        using var dir = new TempDirectory();
        string path = dir.File("f64.safetensors");
        new SafeTensorsWriter()
            .Add("rnn.weight_ih_l0", new[] { 3, 2 }, new double[] { 1, 2, 3, 4, 5, 6 })
            .Add("rnn.bias_ih_l0", new[] { 3 }, new[] { 0.1, 0.2, 0.3 })
            .Save(path);
        var model = new FakeModel();
        model.Load(path);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 0.1f, 0.2f, 0.3f }, model.Parameters);
    }

    [Fact]
    public void Missing_Tensor_Is_Listed_And_Nothing_Changes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("missing.safetensors");
        new SafeTensorsWriter().Add("rnn.weight_ih_l0", new[] { 3, 2 }, new float[6]).Save(path);
        InvalidDataException e = FailedLoad(new FakeModel(), path);
        Assert.Contains("missing 1 tensor(s): rnn.bias_ih_l0", e.Message);
    }

    [Fact]
    public void Extra_Tensor_Is_Listed_And_Nothing_Changes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("extra.safetensors");
        ModelSerializer.CreateWriter(new FakeModel())
            .Add("rnn.weight_hh_l0", new[] { 3, 3 }, new float[9])
            .Add("step", Array.Empty<int>(), new long[] { 3 })
            .Save(path);
        InvalidDataException e = FailedLoad(new FakeModel(start: 2f), path);
        Assert.Contains("2 unexpected tensor(s) not in the model: rnn.weight_hh_l0, step", e.Message);

        var model = new FakeModel(start: 2f);
        model.Load(path, allowUnexpectedTensors: true);
        Assert.Equal(new FakeModel().Parameters, model.Parameters);
    }

    [Fact]
    public void Wrong_Shape_Names_Tensor_Expected_And_Actual()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shape.safetensors");
        new SafeTensorsWriter()
            .Add("rnn.weight_ih_l0", new[] { 2, 3 }, new float[6])
            .Add("rnn.bias_ih_l0", new[] { 3 }, new float[3])
            .Save(path);
        InvalidDataException e = FailedLoad(new FakeModel(), path);
        Assert.Contains("tensor 'rnn.weight_ih_l0' has shape [2, 3] but the model expects [3, 2]", e.Message);
    }

    [Fact]
    public void Wrong_Dtype_Is_Rejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("dtype.safetensors");
        new SafeTensorsWriter()
            .Add("rnn.weight_ih_l0", new[] { 3, 2 }, new float[6])
            .Add("rnn.bias_ih_l0", new[] { 3 }, new long[3])
            .Save(path);
        InvalidDataException e = FailedLoad(new FakeModel(), path);
        Assert.Contains("tensor 'rnn.bias_ih_l0' has dtype I64, expected F32", e.Message);
    }

    [Fact]
    public void Other_Architecture_Names_Both()
    {
        using var dir = new TempDirectory();
        string path = dir.File("arch.safetensors");
        new FakeModel("lstm(I=2,H=3)").Save(path);
        InvalidDataException e = FailedLoad(new FakeModel("gru(I=2,H=3)"), path);
        Assert.Contains("'lstm(I=2,H=3)'", e.Message);
        Assert.Contains("'gru(I=2,H=3)'", e.Message);
    }

    [Fact]
    public void Several_Problems_Are_Reported_Together()
    {
        using var dir = new TempDirectory();
        string path = dir.File("many.safetensors");
        new SafeTensorsWriter()
            .Add("rnn.weight_ih_l0", new[] { 6 }, new float[6])
            .Add("other", new[] { 1 }, new float[1])
            .Save(path);
        InvalidDataException e = FailedLoad(new FakeModel(), path);
        Assert.Contains("missing 1 tensor(s): rnn.bias_ih_l0", e.Message);
        Assert.Contains("'rnn.weight_ih_l0' has shape [6]", e.Message);
        Assert.Contains("unexpected tensor(s) not in the model: other", e.Message);
    }

    [Fact]
    public void Corrupt_File_Leaves_Parameters_Unchanged()
    {
        using var dir = new TempDirectory();
        string path = dir.File("corrupt.safetensors");
        new FakeModel(start: 3f).Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);
        FailedLoad(new FakeModel(), path);
    }

    [Fact]
    public void Read_Failure_After_Validation_Leaves_Parameters_Unchanged()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shrinks.safetensors");
        new FakeModel(start: 3f).Save(path);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);

        // The header validated; now the file loses its last tensor (rnn.bias_ih_l0) behind our back.
        using (var other = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            other.SetLength(other.Length - 12);

        var model = new FakeModel();
        float[] before = (float[])model.Parameters.Clone();
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => model.Load(file));
        Assert.Contains("'rnn.bias_ih_l0'", e.Message);
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void Failed_Save_Keeps_Previous_Model_File()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        new FakeModel(start: 1f).Save(path);
        byte[] before = File.ReadAllBytes(path);

        SafeTensorsWriter writer = ModelSerializer.CreateWriter(new FakeModel(start: 2f));
        writer.AfterTensorWritten = _ => throw new IOException("disk full");
        Assert.Throws<IOException>(() => writer.Save(path));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }
}
