using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RnnGen.Serialization;

/// <summary>
/// Collects tensors (by reference, no copies) and metadata, then writes a safetensors file:
/// 8-byte little-endian header length, compact JSON header padded with spaces to a multiple
/// of 8 bytes, then the tensors' bytes contiguous in the order they were added.
/// <see cref="Save"/> replaces the target file atomically.
/// </summary>
public sealed class SafeTensorsWriter
{
    private const string MetadataKey = "__metadata__";

    private readonly List<Entry> entries = new();
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> metadata = new();

    /// <summary>Test hook: called with each tensor's name after its bytes went to the stream.</summary>
    internal Action<string>? AfterTensorWritten { get; set; }

    public int Count => entries.Count;

    public SafeTensorsWriter Add(string name, IReadOnlyList<int> shape, ReadOnlyMemory<float> data) =>
        AddEntry(new Entry<float>(name, SafeTensorsDType.F32, ToLongShape(shape), data), data.Length);

    public SafeTensorsWriter Add(string name, IReadOnlyList<int> shape, ReadOnlyMemory<double> data) =>
        AddEntry(new Entry<double>(name, SafeTensorsDType.F64, ToLongShape(shape), data), data.Length);

    public SafeTensorsWriter Add(string name, IReadOnlyList<int> shape, ReadOnlyMemory<long> data) =>
        AddEntry(new Entry<long>(name, SafeTensorsDType.I64, ToLongShape(shape), data), data.Length);

    public SafeTensorsWriter Add(string name, IReadOnlyList<int> shape, ReadOnlyMemory<int> data) =>
        AddEntry(new Entry<int>(name, SafeTensorsDType.I32, ToLongShape(shape), data), data.Length);

    /// <summary>Adds a tensor of any dtype from its raw little-endian bytes.</summary>
    public SafeTensorsWriter AddRaw(string name, SafeTensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int size = dtype.ElementSize();
        if (data.Length % size != 0)
            throw new ArgumentException($"Tensor '{name}': {data.Length} bytes is not a whole number of {dtype.ToText()} elements.", nameof(data));
        long[] copy = new long[shape.Count];
        for (int i = 0; i < copy.Length; i++) copy[i] = shape[i];
        return AddEntry(new Entry<byte>(name, dtype, copy, data), data.Length / size);
    }

    /// <summary>Sets a <c>__metadata__</c> entry (replacing an earlier value for the same key).</summary>
    public SafeTensorsWriter SetMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        int index = metadata.FindIndex(p => p.Key == key);
        if (index >= 0) metadata[index] = new(key, value);
        else metadata.Add(new(key, value));
        return this;
    }

    /// <summary>Writes the file to <paramref name="stream"/>; returns the number of bytes written.</summary>
    public long WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors support requires a little-endian platform.");
        byte[] header = BuildHeader(out int headerLength);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerLength);
        stream.Write(prefix);
        stream.Write(header, 0, headerLength);
        long total = 8 + headerLength;
        foreach (Entry e in entries)
        {
            ReadOnlySpan<byte> bytes = e.Bytes;
            stream.Write(bytes);
            total += bytes.Length;
            AfterTensorWritten?.Invoke(e.Name);
        }
        return total;
    }

    /// <summary>
    /// Writes to a temporary file next to <paramref name="path"/>, flushes it to disk and renames it
    /// over <paramref name="path"/>. On failure the temporary file is deleted and an existing file at
    /// <paramref name="path"/> is left as it was.
    /// </summary>
    public void Save(string path) => RnnGen.Runtime.AtomicFile.Write(path, stream => WriteTo(stream));

    private SafeTensorsWriter AddEntry(Entry entry, long elementCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry.Name, "name");
        if (entry.Name == MetadataKey)
            throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", "name");
        long expected = 1;
        foreach (long dim in entry.Shape)
        {
            if (dim < 0) throw new ArgumentException($"Tensor '{entry.Name}': negative dimension in shape {SafeTensorInfo.FormatShape(entry.Shape)}.", "shape");
            expected = checked(expected * dim);
        }
        if (expected != elementCount)
            throw new ArgumentException(
                $"Tensor '{entry.Name}': shape {SafeTensorInfo.FormatShape(entry.Shape)} has {expected} elements but the data has {elementCount}.", "data");
        if (!names.Add(entry.Name))
            throw new ArgumentException($"Tensor '{entry.Name}' was already added.", "name");
        entries.Add(entry);
        return this;
    }

    private static long[] ToLongShape(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long[] result = new long[shape.Count];
        for (int i = 0; i < result.Length; i++) result[i] = shape[i];
        return result;
    }

    /// <summary>Builds the padded header; returns a buffer whose first <paramref name="length"/> bytes are the header.</summary>
    private byte[] BuildHeader(out int length)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 96 * entries.Count);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> pair in metadata) json.WriteString(pair.Key, pair.Value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (Entry e in entries)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType.ToText());
                json.WriteStartArray("shape");
                foreach (long dim in e.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                long end = offset + e.Bytes.Length;
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        int padding = (8 - buffer.WrittenCount % 8) % 8;
        buffer.GetSpan(padding)[..padding].Fill((byte)' ');
        buffer.Advance(padding);
        length = buffer.WrittenCount;
        return MemoryMarshal.TryGetArray(buffer.WrittenMemory, out ArraySegment<byte> segment) && segment.Offset == 0
            ? segment.Array!
            : buffer.WrittenSpan.ToArray();
    }

    private abstract class Entry
    {
        protected Entry(string name, SafeTensorsDType dtype, long[] shape)
        {
            Name = name;
            DType = dtype;
            Shape = shape;
        }

        public string Name { get; }
        public SafeTensorsDType DType { get; }
        public long[] Shape { get; }
        public abstract ReadOnlySpan<byte> Bytes { get; }
    }

    private sealed class Entry<T> : Entry where T : unmanaged
    {
        private readonly ReadOnlyMemory<T> data;

        public Entry(string name, SafeTensorsDType dtype, long[] shape, ReadOnlyMemory<T> data) : base(name, dtype, shape) => this.data = data;

        public override ReadOnlySpan<byte> Bytes => MemoryMarshal.AsBytes(data.Span);
    }
}
