using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace RnnGen.Serialization;

/// <summary>
/// A parsed and validated safetensors file. <see cref="Open"/> reads and checks only the header;
/// tensor data is read on demand straight from the file into caller-provided spans.
/// Every structural problem is reported as an <see cref="InvalidDataException"/> whose message
/// names the file, the tensor and what was expected versus what was found.
/// </summary>
/// <remarks>Reading is thread-safe (positional reads). Dispose to close the file.</remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The largest header accepted (same limit as the reference implementation).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";
    private const int ChunkBytes = 1 << 16;

    private readonly SafeFileHandle? handle;
    private readonly ReadOnlyMemory<byte> memory;
    private readonly long dataStart;
    private readonly Dictionary<string, SafeTensorInfo> byName;
    private bool disposed;

    private SafeTensorsFile(string source, SafeFileHandle? handle, ReadOnlyMemory<byte> memory, long dataStart,
        long dataLength, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Source = source;
        this.handle = handle;
        this.memory = memory;
        this.dataStart = dataStart;
        DataLength = dataLength;
        Tensors = tensors.AsReadOnly();
        byName = new Dictionary<string, SafeTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (SafeTensorInfo t in tensors) byName.Add(t.Name, t);
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
    }

    /// <summary>Where the data came from (the path for <see cref="Open"/>); used in error messages.</summary>
    public string Source { get; }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Size in bytes of the data section (after the header).</summary>
    public long DataLength { get; }

    /// <summary>Opens <paramref name="path"/>, reads and validates the header. Keeps the file open until disposed.</summary>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            long fileLength = RandomAccess.GetLength(h);
            if (fileLength < 8)
                throw Error(path, $"file is {fileLength} bytes long, shorter than the 8-byte header length prefix");
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(h, prefix, 0, path, "the header length prefix");
            long headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(prefix), fileLength, path);
            byte[] header = new byte[headerLength];
            ReadExactly(h, header, 8, path, "the header");
            long dataLength = fileLength - 8 - headerLength;
            (List<SafeTensorInfo> tensors, Dictionary<string, string> metadata) = ParseHeader(header, dataLength, path);
            return new SafeTensorsFile(path, h, default, 8 + headerLength, dataLength, tensors, metadata);
        }
        catch
        {
            h.Dispose();
            throw;
        }
    }

    /// <summary>Parses a whole safetensors file held in memory (the memory is referenced, not copied).</summary>
    public static SafeTensorsFile FromBytes(ReadOnlyMemory<byte> bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(source);
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < 8)
            throw Error(source, $"data is {span.Length} bytes long, shorter than the 8-byte header length prefix");
        long headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(span), span.Length, source);
        long dataLength = span.Length - 8 - headerLength;
        (List<SafeTensorInfo> tensors, Dictionary<string, string> metadata) =
            ParseHeader(bytes.Slice(8, (int)headerLength), dataLength, source);
        return new SafeTensorsFile(source, null, bytes, 8 + headerLength, dataLength, tensors, metadata);
    }

    /// <summary>Reads <paramref name="stream"/> to its end and parses it.</summary>
    public static SafeTensorsFile FromStream(Stream stream, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        source ??= stream is FileStream fs ? fs.Name : "<stream>";
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromBytes(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), source);
    }

    public bool Contains(string name) => byName.ContainsKey(name);

    public bool TryGetTensor(string name, [MaybeNullWhen(false)] out SafeTensorInfo tensor) =>
        byName.TryGetValue(name, out tensor);

    /// <summary>The tensor called <paramref name="name"/>; <see cref="KeyNotFoundException"/> naming the file if absent.</summary>
    public SafeTensorInfo GetTensor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!byName.TryGetValue(name, out SafeTensorInfo? tensor))
            throw new KeyNotFoundException($"{Source}: no tensor named '{name}'.");
        return tensor;
    }

    /// <summary>Copies the raw little-endian bytes of a tensor.</summary>
    public byte[] ReadBytes(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        byte[] result = new byte[checked((int)t.ByteLength)];
        ReadRaw(t, 0, result);
        return result;
    }

    /// <summary>Reads an F32/F64/F16/BF16 tensor as floats.</summary>
    public float[] ReadFloats(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        float[] result = new float[ArrayLength(t)];
        ReadFloats(t, result);
        return result;
    }

    public void ReadFloats(string name, Span<float> destination) => ReadFloats(GetTensor(name), destination);

    /// <summary>Reads an F32/F64/F16/BF16 tensor into <paramref name="destination"/>, which must hold exactly its elements.</summary>
    public void ReadFloats(SafeTensorInfo tensor, Span<float> destination)
    {
        switch (tensor.DType)
        {
            case SafeTensorsDType.F32: ReadNative(tensor, destination); break;
            case SafeTensorsDType.F64: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(s[(8 * i)..]); return true; }); break;
            case SafeTensorsDType.F16: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(s[(2 * i)..]); return true; }); break;
            case SafeTensorsDType.BF16: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]) << 16); return true; }); break;
            default: throw WrongType(tensor, "F32, F64, F16 or BF16");
        }
    }

    /// <summary>Reads an integer tensor (I64, I32, I16, I8, U8, U16, U32, U64 in range, BOOL) as longs.</summary>
    public long[] ReadInt64s(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        long[] result = new long[ArrayLength(t)];
        ReadInt64s(t, result);
        return result;
    }

    public void ReadInt64s(string name, Span<long> destination) => ReadInt64s(GetTensor(name), destination);

    public void ReadInt64s(SafeTensorInfo tensor, Span<long> destination)
    {
        switch (tensor.DType)
        {
            case SafeTensorsDType.I64: ReadNative(tensor, destination); break;
            case SafeTensorsDType.U64: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) { ulong v = BinaryPrimitives.ReadUInt64LittleEndian(s[(8 * i)..]); if (v > long.MaxValue) return false; d[i] = (long)v; } return true; }); break;
            case SafeTensorsDType.I32: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]); return true; }); break;
            case SafeTensorsDType.U32: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadUInt32LittleEndian(s[(4 * i)..]); return true; }); break;
            case SafeTensorsDType.I16: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]); return true; }); break;
            case SafeTensorsDType.U16: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]); return true; }); break;
            case SafeTensorsDType.I8: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = (sbyte)s[i]; return true; }); break;
            case SafeTensorsDType.U8:
            case SafeTensorsDType.Bool: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = s[i]; return true; }); break;
            default: throw WrongType(tensor, "an integer dtype");
        }
    }

    /// <summary>Reads an integer tensor as ints; values outside the int range are an error.</summary>
    public int[] ReadInt32s(string name)
    {
        SafeTensorInfo t = GetTensor(name);
        int[] result = new int[ArrayLength(t)];
        ReadInt32s(t, result);
        return result;
    }

    public void ReadInt32s(string name, Span<int> destination) => ReadInt32s(GetTensor(name), destination);

    public void ReadInt32s(SafeTensorInfo tensor, Span<int> destination)
    {
        switch (tensor.DType)
        {
            case SafeTensorsDType.I32: ReadNative(tensor, destination); break;
            case SafeTensorsDType.I64: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) { long v = BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]); if (v is < int.MinValue or > int.MaxValue) return false; d[i] = (int)v; } return true; }); break;
            case SafeTensorsDType.U64: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) { ulong v = BinaryPrimitives.ReadUInt64LittleEndian(s[(8 * i)..]); if (v > int.MaxValue) return false; d[i] = (int)v; } return true; }); break;
            case SafeTensorsDType.U32: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) { uint v = BinaryPrimitives.ReadUInt32LittleEndian(s[(4 * i)..]); if (v > int.MaxValue) return false; d[i] = (int)v; } return true; }); break;
            case SafeTensorsDType.I16: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]); return true; }); break;
            case SafeTensorsDType.U16: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]); return true; }); break;
            case SafeTensorsDType.I8: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = (sbyte)s[i]; return true; }); break;
            case SafeTensorsDType.U8:
            case SafeTensorsDType.Bool: ReadConverted(tensor, destination, static (s, d) => { for (int i = 0; i < d.Length; i++) d[i] = s[i]; return true; }); break;
            default: throw WrongType(tensor, "an integer dtype");
        }
    }

    public void Dispose()
    {
        disposed = true;
        handle?.Dispose();
    }

    // ---- reading -------------------------------------------------------------------------

    private delegate bool ChunkConverter<T>(ReadOnlySpan<byte> source, Span<T> destination);

    private static int ArrayLength(SafeTensorInfo t) =>
        t.ElementCount <= Array.MaxLength ? (int)t.ElementCount
            : throw new InvalidDataException($"{t.Name}: {t.ElementCount} elements do not fit in one array.");

    private void CheckDestination(SafeTensorInfo tensor, int length)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!byName.TryGetValue(tensor.Name, out SafeTensorInfo? own) || !ReferenceEquals(own, tensor))
            throw new ArgumentException($"Tensor '{tensor.Name}' does not belong to {Source}.", nameof(tensor));
        if (length != tensor.ElementCount)
            throw new ArgumentException(
                $"{Source}: tensor '{tensor.Name}' {tensor.ShapeText} has {tensor.ElementCount} elements but the destination holds {length}.",
                "destination");
    }

    private void ReadNative<T>(SafeTensorInfo tensor, Span<T> destination) where T : unmanaged
    {
        CheckDestination(tensor, destination.Length);
        EnsureLittleEndian();
        ReadRaw(tensor, 0, MemoryMarshal.AsBytes(destination));
    }

    private void ReadConverted<T>(SafeTensorInfo tensor, Span<T> destination, ChunkConverter<T> convert)
    {
        CheckDestination(tensor, destination.Length);
        int size = tensor.DType.ElementSize();
        int perChunk = ChunkBytes / size;
        byte[] rented = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int start = 0; start < destination.Length; start += perChunk)
            {
                int count = Math.Min(perChunk, destination.Length - start);
                Span<byte> raw = rented.AsSpan(0, count * size);
                ReadRaw(tensor, (long)start * size, raw);
                if (!convert(raw, destination.Slice(start, count)))
                    throw new InvalidDataException(
                        $"{Source}: tensor '{tensor.Name}' ({tensor.DType.ToText()}) holds a value outside the range of {typeof(T).Name}.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void ReadRaw(SafeTensorInfo tensor, long offsetInTensor, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        long position = dataStart + tensor.DataBegin + offsetInTensor;
        if (handle is null)
        {
            memory.Span.Slice((int)position, destination.Length).CopyTo(destination);
            return;
        }
        ReadExactly(handle, destination, position, Source, $"tensor '{tensor.Name}'");
    }

    private static void ReadExactly(SafeFileHandle h, Span<byte> destination, long position, string source, string what)
    {
        while (!destination.IsEmpty)
        {
            int n = RandomAccess.Read(h, destination, position);
            if (n == 0)
                throw Error(source, $"file ended at byte {position} while reading {what} (was it truncated after opening?)");
            destination = destination[n..];
            position += n;
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors support requires a little-endian platform.");
    }

    private InvalidDataException WrongType(SafeTensorInfo tensor, string expected) =>
        Error(Source, $"tensor '{tensor.Name}' has dtype {tensor.DType.ToText()}, expected {expected}");

    // ---- header validation ---------------------------------------------------------------

    private static InvalidDataException Error(string source, string message) => new($"{source}: {message}.");

    private static long CheckHeaderLength(ulong headerLength, long totalLength, string source)
    {
        long available = totalLength - 8;
        if (headerLength > (ulong)available)
            throw Error(source, $"header length is {headerLength} bytes but only {available} bytes follow the length prefix " +
                                $"(total size {totalLength} bytes; truncated, or not a safetensors file)");
        if (headerLength > MaxHeaderLength)
            throw Error(source, $"header length {headerLength} bytes exceeds the limit of {MaxHeaderLength} bytes");
        if (headerLength < 2)
            throw Error(source, $"header length is {headerLength} bytes, too short for a JSON object");
        return (long)headerLength;
    }

    private static (List<SafeTensorInfo>, Dictionary<string, string>) ParseHeader(ReadOnlyMemory<byte> header, long dataLength, string source)
    {
        if (header.Span[0] != (byte)'{')
            throw Error(source, $"header does not start with '{{' (first byte is 0x{header.Span[0]:X2}); not a safetensors file");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: header is not valid JSON: {ex.Message}", ex);
        }

        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Error(source, $"header is a JSON {root.ValueKind}, expected an object");
            foreach (JsonProperty property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Error(source, $"header lists '{property.Name}' twice");
                if (property.Name == MetadataKey)
                    ParseMetadata(property.Value, metadata, source);
                else
                    tensors.Add(ParseTensor(property.Name, property.Value, dataLength, source));
            }
        }
        CheckLayout(tensors, dataLength, source);
        return (tensors, metadata);
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(source, $"{MetadataKey} is a JSON {value.ValueKind}, expected an object of strings");
        foreach (JsonProperty entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw Error(source, $"{MetadataKey} entry '{entry.Name}' is a JSON {entry.Value.ValueKind}, expected a string");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw Error(source, $"{MetadataKey} lists '{entry.Name}' twice");
        }
    }

    private static SafeTensorInfo ParseTensor(string name, JsonElement value, long dataLength, string source)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(source, $"{where} is a JSON {value.ValueKind}, expected an object with dtype, shape and data_offsets");

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Error(source, $"{where} has no string 'dtype'");
        string dtypeText = dtypeElement.GetString()!;
        if (!SafeTensorsDTypes.TryParse(dtypeText, out SafeTensorsDType dtype))
            throw Error(source, $"{where} has unknown dtype '{dtypeText}' (known: {SafeTensorsDTypes.KnownList})");

        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Error(source, $"{where} has no 'shape' array");
        long[] shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int d = 0;
        foreach (JsonElement dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long n) || n < 0)
                throw Error(source, $"{where} has shape entry {dim.GetRawText()} at index {d}, expected a non-negative integer");
            shape[d++] = n;
            try { count = checked(count * n); }
            catch (OverflowException) { throw Error(source, $"{where} has shape {SafeTensorInfo.FormatShape(shape)} whose size overflows"); }
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw Error(source, $"{where} has no 'data_offsets' array of two integers");
        long begin = ReadOffset(offsetsElement[0], where, source);
        long end = ReadOffset(offsetsElement[1], where, source);
        string offsets = $"data_offsets [{begin}, {end}]";

        if (end < begin)
            throw Error(source, $"{where} has {offsets} with end before begin");
        long expectedBytes;
        try { expectedBytes = checked(count * dtype.ElementSize()); }
        catch (OverflowException) { throw Error(source, $"{where} has shape {SafeTensorInfo.FormatShape(shape)} whose byte size overflows"); }
        if (end - begin != expectedBytes)
            throw Error(source, $"{where} has {offsets} covering {end - begin} bytes, but shape {SafeTensorInfo.FormatShape(shape)} " +
                                $"of {dtypeText} needs {expectedBytes} bytes");
        if (end > dataLength)
            throw Error(source, $"{where} has {offsets} but the data section holds only {dataLength} bytes " +
                                $"(file truncated by {end - dataLength} bytes, or offsets out of range)");
        return new SafeTensorInfo(name, dtype, shape, count, begin, end);
    }

    private static long ReadOffset(JsonElement element, string where, string source)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long n) || n < 0)
            throw Error(source, $"{where} has data_offsets entry {element.GetRawText()}, expected a non-negative integer");
        return n;
    }

    /// <summary>The tensors must tile the data section exactly: no overlap, no gap, nothing after the last one.</summary>
    private static void CheckLayout(List<SafeTensorInfo> tensors, long dataLength, string source)
    {
        var sorted = tensors.ToArray();
        Array.Sort(sorted, static (a, b) => a.DataBegin != b.DataBegin ? a.DataBegin.CompareTo(b.DataBegin) : a.DataEnd.CompareTo(b.DataEnd));
        long position = 0;
        SafeTensorInfo? previous = null;
        foreach (SafeTensorInfo t in sorted)
        {
            if (t.DataBegin < position)
                throw Error(source, $"tensor '{t.Name}' data_offsets [{t.DataBegin}, {t.DataEnd}] overlap tensor '{previous!.Name}' " +
                                    $"data_offsets [{previous.DataBegin}, {previous.DataEnd}]");
            if (t.DataBegin > position)
                throw Error(source, $"tensor '{t.Name}' starts at data byte {t.DataBegin}, but the previous tensor ends at {position}: " +
                                    $"{t.DataBegin - position} bytes are not covered by any tensor");
            position = t.DataEnd;
            previous = t;
        }
        if (position != dataLength)
            throw Error(source, $"the data section is {dataLength} bytes but the tensors cover only {position} bytes " +
                                $"({dataLength - position} trailing bytes)");
    }
}
