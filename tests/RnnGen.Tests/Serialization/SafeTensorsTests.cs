using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using RnnGen.Serialization;

namespace RnnGen.Tests.Serialization;

public class SafeTensorsTests
{
    /// <summary>8-byte length prefix + header (padded with spaces to 8 bytes unless told not to) + data.</summary>
    internal static byte[] Build(string header, byte[] data, bool pad = true)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        int padding = pad ? (8 - h.Length % 8) % 8 : 0;
        byte[] file = new byte[8 + h.Length + padding + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(h.Length + padding));
        h.CopyTo(file, 8);
        file.AsSpan(8 + h.Length, padding).Fill((byte)' ');
        data.CopyTo(file, 8 + h.Length + padding);
        return file;
    }

    private static byte[] Floats(params float[] values)
    {
        byte[] bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static InvalidDataException Invalid(byte[] bytes, string source = "bad.safetensors") =>
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.FromBytes(bytes, source));

    [Fact]
    public void Roundtrip_AllWritableDtypes_AndMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        float[] f = { 1f, -2.5f, 3.25f, float.Epsilon, float.MaxValue, -0f };
        double[] d = { Math.PI, -1e300 };
        long[] l = { long.MinValue, 0, long.MaxValue };
        int[] i = { int.MinValue, 42 };
        new SafeTensorsWriter()
            .Add("f", new[] { 2, 3 }, f)
            .Add("d", new[] { 2 }, d)
            .Add("l", new[] { 3 }, l)
            .Add("i", new[] { 1, 2 }, i)
            .Add("empty", new[] { 0, 4 }, Array.Empty<float>())
            .Add("scalar", Array.Empty<int>(), new[] { 7f })
            .SetMetadata("k", "v")
            .SetMetadata("unicode", "grüße \"quoted\"")
            .SetMetadata("k", "v2")
            .Save(path);

        byte[] raw = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(raw);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal((long)(8 + headerLength) + 24 + 16 + 24 + 8 + 0 + 4, raw.Length);

        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        Assert.Equal(path, file.Source);
        Assert.Equal(new[] { "f", "d", "l", "i", "empty", "scalar" }, file.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 0, 24, 40, 64, 72, 72 }, file.Tensors.Select(t => t.DataBegin));
        Assert.Equal("v2", file.Metadata["k"]);
        Assert.Equal("grüße \"quoted\"", file.Metadata["unicode"]);
        Assert.Equal(2, file.Metadata.Count);

        SafeTensorInfo ft = file.GetTensor("f");
        Assert.Equal(SafeTensorsDType.F32, ft.DType);
        Assert.Equal(new long[] { 2, 3 }, ft.Shape);
        Assert.Equal("[2, 3]", ft.ShapeText);
        Assert.Equal(f, file.ReadFloats("f"));
        Assert.Equal(SafeTensorsDType.F64, file.GetTensor("d").DType);
        Assert.Equal(d.Select(x => (float)x), file.ReadFloats("d"));
        Assert.Equal(l, file.ReadInt64s("l"));
        Assert.Equal(i, file.ReadInt32s("i"));
        Assert.Equal(i.Select(x => (long)x), file.ReadInt64s("i"));
        Assert.Empty(file.ReadFloats("empty"));
        Assert.Empty(file.GetTensor("scalar").Shape);
        Assert.Equal(new[] { 7f }, file.ReadFloats("scalar"));
        Assert.False(file.Contains("nope"));
        Assert.Contains("nope", Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => file.GetTensor("nope")).Message);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriteTo_Stream_MatchesFromBytes_AndSpanReadsDoNotNeedArrays()
    {
        var stream = new MemoryStream();
        long written = new SafeTensorsWriter().Add("x", new[] { 4 }, new[] { 1f, 2f, 3f, 4f }).WriteTo(stream);
        Assert.Equal(stream.Length, written);
        stream.Position = 0;
        using SafeTensorsFile file = SafeTensorsFile.FromStream(stream);
        Assert.Equal("<stream>", file.Source);
        Span<float> into = stackalloc float[4];
        file.ReadFloats("x", into);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, into.ToArray());
        Assert.Throws<ArgumentException>(() => file.ReadFloats("x", new float[3]));
        Assert.Empty(file.Metadata);
    }

    private static readonly byte[] PythonStyleFile =
    [
        0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        .. Encoding.ASCII.GetBytes(
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"b\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}} "),
        0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 7
        0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // -3
        0x00, 0x00, 0xc0, 0x3f, // 1.5f
        0x00, 0x00, 0x00, 0xc0, // -2f
    ];

    /// <summary>
    /// Exactly what <c>safetensors.torch.save_file({"a": tensor([1.5, -2.]), "b": tensor([[7, -3]])}, path,
    /// metadata={"format": "pt"})</c> writes: compact JSON, __metadata__ first, tensors sorted by dtype
    /// alignment (I64 before F32) then name, header padded with spaces to 8 bytes.
    /// </summary>
    [Fact]
    public void Reads_File_Written_Like_Python_Safetensors()
    {
        byte[] bytes = PythonStyleFile;
        Assert.Equal(8 + 144 + 24, bytes.Length);

        using SafeTensorsFile file = SafeTensorsFile.FromBytes(bytes, "python.safetensors");
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(new[] { "b", "a" }, file.Tensors.Select(t => t.Name));
        Assert.Equal(SafeTensorsDType.I64, file.GetTensor("b").DType);
        Assert.Equal(new long[] { 1, 2 }, file.GetTensor("b").Shape);
        Assert.Equal(new long[] { 7, -3 }, file.ReadInt64s("b"));
        Assert.Equal(new[] { 7, -3 }, file.ReadInt32s("b"));
        Assert.Equal(new[] { 1.5f, -2f }, file.ReadFloats("a"));
    }

    [Fact]
    public void Writer_Output_Is_Byte_Identical_To_Python_Safetensors()
    {
        var stream = new MemoryStream();
        new SafeTensorsWriter()
            .SetMetadata("format", "pt")
            .Add("b", new[] { 1, 2 }, new long[] { 7, -3 })
            .Add("a", new[] { 2 }, new[] { 1.5f, -2f })
            .WriteTo(stream);
        Assert.Equal(PythonStyleFile, stream.ToArray());
    }

    [Fact]
    public void Converts_F16_BF16_And_Small_Integers()
    {
        byte[] data =
        {
            0x00, 0x3c, 0x00, 0xc0, // F16 1, -2
            0x80, 0x3f, 0x40, 0xc0, // BF16 1, -3
            0xff, 0x02,             // I8 -1, 2
            0xff, 0xff, 0xff, 0xff, // U32 4294967295
        };
        string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
                        "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}," +
                        "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[8,10]}," +
                        "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[10,14]}}";
        using SafeTensorsFile file = SafeTensorsFile.FromBytes(Build(header, data));
        Assert.Equal(new[] { 1f, -2f }, file.ReadFloats("h"));
        Assert.Equal(new[] { 1f, -3f }, file.ReadFloats("bf"));
        Assert.Equal(new[] { -1, 2 }, file.ReadInt32s("i8"));
        Assert.Equal(new[] { 4294967295L }, file.ReadInt64s("u32"));
        Assert.Contains("outside the range", Assert.Throws<InvalidDataException>(() => file.ReadInt32s("u32")).Message);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => file.ReadFloats("i8"));
        Assert.Contains("'i8'", e.Message);
        Assert.Contains("I8", e.Message);
        Assert.Throws<InvalidDataException>(() => file.ReadInt64s("h"));
    }

    [Fact]
    public void Truncated_File_Names_File_And_Tensor()
    {
        using var dir = new TempDirectory();
        string path = dir.File("trunc.safetensors");
        new SafeTensorsWriter().Add("a", new[] { 2 }, new[] { 1f, 2f }).Add("b", new[] { 3 }, new[] { 1f, 2f, 3f }).Save(path);
        byte[] full = File.ReadAllBytes(path);
        File.WriteAllBytes(path, full[..^4]);

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'b'", e.Message);
        Assert.Contains("[8, 20]", e.Message);
        Assert.Contains("16 bytes", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Header_Length_Larger_Than_File()
    {
        byte[] bytes = Build("{}", Array.Empty<byte>());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        InvalidDataException e = Invalid(bytes);
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains("1000", e.Message);
        Assert.Contains($"{bytes.Length - 8} bytes", e.Message);

        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Assert.Contains(ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), Invalid(bytes).Message);
        Assert.Contains("shorter than the 8-byte", Invalid(new byte[] { 1, 2, 3 }).Message);
    }

    [Fact]
    public void Header_Length_Larger_Than_File_On_Disk()
    {
        using var dir = new TempDirectory();
        string path = dir.File("h.safetensors");
        byte[] bytes = Build("{}", Array.Empty<byte>());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 4096);
        File.WriteAllBytes(path, bytes);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("4096", e.Message);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "not valid JSON")]
    [InlineData("{\"a\":{\"dtype\":\"F32\" \"shape\":[1]}}", "not valid JSON")]
    [InlineData("[1, 2, 3]", "does not start with '{'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "'a' twice")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "no string 'dtype'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "data_offsets")]
    [InlineData("{\"__metadata__\":{\"n\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "expected a string")]
    public void Bad_Header_Json(string header, string expected)
    {
        InvalidDataException e = Invalid(Build(header, new byte[4]));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unknown_Dtype()
    {
        InvalidDataException e = Invalid(Build("{\"w\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("unknown dtype 'F31'", e.Message);
    }

    [Fact]
    public void Offsets_Out_Of_Range()
    {
        InvalidDataException e = Invalid(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8]));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("[4, 12]", e.Message);
        Assert.Contains("only 8 bytes", e.Message);
    }

    [Fact]
    public void Offsets_Not_Matching_Shape_Times_Dtype()
    {
        InvalidDataException e = Invalid(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("covering 20 bytes", e.Message);
        Assert.Contains("[2, 3] of F32 needs 24 bytes", e.Message);

        e = Invalid(Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[8]));
        Assert.Contains("end before begin", e.Message);
    }

    [Fact]
    public void Overlapping_Gaps_And_Trailing_Bytes()
    {
        string overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        InvalidDataException e = Invalid(Build(overlap, new byte[12]));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("overlap tensor 'a'", e.Message);

        string gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        e = Invalid(Build(gap, new byte[12]));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("not covered", e.Message);

        e = Invalid(Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[6]));
        Assert.Contains("2 trailing bytes", e.Message);
    }

    [Fact]
    public void Header_Without_Padding_Is_Accepted()
    {
        using SafeTensorsFile file = SafeTensorsFile.FromBytes(
            Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(2f), pad: false));
        Assert.Equal(new[] { 2f }, file.ReadFloats("a"));
    }

    [Fact]
    public void Writer_Rejects_Bad_Input_Before_Touching_Disk()
    {
        var w = new SafeTensorsWriter().Add("a", new[] { 2 }, new[] { 1f, 2f });
        Assert.Throws<ArgumentException>(() => w.Add("a", new[] { 1 }, new[] { 1f }));
        Assert.Throws<ArgumentException>(() => w.Add("b", new[] { 3 }, new[] { 1f, 2f }));
        Assert.Throws<ArgumentException>(() => w.Add("__metadata__", new[] { 1 }, new[] { 1f }));
        Assert.Throws<ArgumentException>(() => w.Add("", new[] { 1 }, new[] { 1f }));
        Assert.Equal(1, w.Count);
    }

    [Fact]
    public void Failed_Write_Midway_Leaves_Previous_File_And_No_Temp()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        new SafeTensorsWriter().Add("old", new[] { 1 }, new[] { 5f }).Save(path);
        byte[] before = File.ReadAllBytes(path);

        var writer = new SafeTensorsWriter()
            .Add("a", new[] { 1000 }, new float[1000])
            .Add("b", new[] { 1000 }, new float[1000]);
        writer.AfterTensorWritten = name =>
        {
            if (name == "a") throw new IOException("simulated disk failure");
        };
        Assert.Equal("simulated disk failure", Assert.Throws<IOException>(() => writer.Save(path)).Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));

        writer.AfterTensorWritten = null;
        writer.Save(path);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        Assert.Equal(new[] { "a", "b" }, file.Tensors.Select(t => t.Name));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Failed_Write_To_ReadOnly_Directory_Leaves_Previous_File()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        new SafeTensorsWriter().Add("old", new[] { 1 }, new[] { 5f }).Save(path);
        byte[] before = File.ReadAllBytes(path);

        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            // root (and some CI containers) ignore directory permissions: nothing to demonstrate then.
            string probe = dir.File("probe");
            try
            {
                File.WriteAllBytes(probe, Array.Empty<byte>());
                File.Delete(probe);
                return;
            }
            catch (UnauthorizedAccessException) { }

            Assert.Throws<UnauthorizedAccessException>(() =>
                new SafeTensorsWriter().Add("new", new[] { 1 }, new[] { 6f }).Save(path));
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
        }
        finally
        {
            File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Failed_Move_Onto_A_Directory_Leaves_No_Temp()
    {
        using var dir = new TempDirectory();
        string path = dir.File("occupied");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<Exception>(() => new SafeTensorsWriter().Add("x", new[] { 1 }, new[] { 1f }).Save(path));
        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.True(Directory.Exists(path));
    }
}
