using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RnnGen.Serialization;

/// <summary>
/// Saves and loads an <see cref="IRnnModel"/>'s parameters as safetensors, one F32 tensor per
/// <see cref="ParameterTensor"/> under its PyTorch <c>state_dict</c> name, so files written by
/// <c>safetensors.torch.save_file(model.state_dict(), path)</c> load directly and vice versa.
/// </summary>
public static class ModelSerializer
{
    /// <summary>Value of the <c>format</c> metadata entry written by <see cref="Save(IRnnModel, string)"/>.</summary>
    public const string FormatName = "rnngen";

    public const string FormatKey = "format";
    public const string ArchitectureKey = "architecture";
    public const string ParameterCountKey = "parameter_count";
    public const string VocabularyKey = "vocabulary";
    public const string StandardizerKey = "standardizer";

    /// <summary>
    /// A writer holding every parameter (referencing <see cref="IRnnModel.Parameters"/>, no copy) and
    /// the standard metadata; add more metadata before saving if wanted.
    /// </summary>
    public static SafeTensorsWriter CreateWriter(IRnnModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var writer = new SafeTensorsWriter();
        writer.SetMetadata(FormatKey, FormatName);
        writer.SetMetadata(ArchitectureKey, model.Architecture);
        writer.SetMetadata(ParameterCountKey, model.ParameterCount.ToString(CultureInfo.InvariantCulture));
        float[] parameters = model.Parameters;
        foreach (ParameterTensor t in model.ParameterTensors)
            writer.Add(t.Name, t.Shape, parameters.AsMemory(t.Offset, t.Length));
        return writer;
    }

    /// <summary>Writes all parameters to <paramref name="path"/> atomically (see <see cref="SafeTensorsWriter.Save"/>).</summary>
    public static void Save(this IRnnModel model, string path) => CreateWriter(model).Save(path);

    /// <summary>
    /// Writes the parameters and, in the file's metadata under <c>"vocabulary"</c>, the vocabulary the
    /// model was trained with, so one file carries both (read it back with <see cref="LoadVocabulary"/>).
    /// </summary>
    public static void Save(this IRnnModel model, string path, RnnGen.Data.Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        SafeTensorsWriter writer = CreateWriter(model);
        writer.SetMetadata(VocabularyKey, vocabulary.ToText());
        writer.Save(path);
    }

    /// <summary>The vocabulary stored in a model file by <see cref="Save(IRnnModel, string, RnnGen.Data.Vocabulary)"/>.</summary>
    /// <exception cref="InvalidDataException">The file holds no vocabulary, or a damaged one.</exception>
    public static RnnGen.Data.Vocabulary LoadVocabulary(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(VocabularyKey, out string? text))
        {
            throw new InvalidDataException($"'{path}' holds no vocabulary: it was saved without one (expected the metadata key '{VocabularyKey}').");
        }
        return RnnGen.Data.Vocabulary.FromText(text, path + " (metadata '" + VocabularyKey + "')");
    }

    /// <summary>
    /// Writes the parameters and, in the metadata under <c>"standardizer"</c>, the statistics the model's inputs were
    /// standardized with, so a forecaster file carries what it needs to read new data (<see cref="LoadStandardizer"/>).
    /// </summary>
    public static void Save(this IRnnModel model, string path, RnnGen.Data.SeriesStandardizer standardizer)
    {
        ArgumentNullException.ThrowIfNull(standardizer);
        SafeTensorsWriter writer = CreateWriter(model);
        writer.SetMetadata(StandardizerKey, standardizer.ToText());
        writer.Save(path);
    }

    /// <summary>The standardizer stored by <see cref="Save(IRnnModel, string, RnnGen.Data.SeriesStandardizer)"/>.</summary>
    /// <exception cref="InvalidDataException">The file holds no standardizer, or a damaged one.</exception>
    public static RnnGen.Data.SeriesStandardizer LoadStandardizer(string path)
    {
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(StandardizerKey, out string? text))
            throw new InvalidDataException($"'{path}' holds no standardizer: it was saved without one (expected the metadata key '{StandardizerKey}').");
        return RnnGen.Data.SeriesStandardizer.FromText(text, path + " (metadata '" + StandardizerKey + "')");
    }

    /// <summary>
    /// Loads parameters from <paramref name="path"/>. Everything is validated first (architecture
    /// metadata if present, every name present, no unexpected names, dtype F32 or F64, exact shapes)
    /// and the model is changed only when all checks and reads succeeded.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not fit the model; the message lists every problem.</exception>
    public static void Load(this IRnnModel model, string path, bool allowUnexpectedTensors = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);
        Load(model, file, allowUnexpectedTensors);
    }

    /// <summary>
    /// Loads parameters from an open file. With <paramref name="allowUnexpectedTensors"/> extra tensors
    /// (e.g. the inputs and outputs stored in a test fixture) are ignored.
    /// </summary>
    public static void Load(this IRnnModel model, SafeTensorsFile file, bool allowUnexpectedTensors = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(file);

        if (file.Metadata.TryGetValue(ArchitectureKey, out string? architecture) && architecture != model.Architecture)
            throw new InvalidDataException(
                $"{file.Source}: the file holds weights for architecture '{architecture}' but the model's architecture is '{model.Architecture}'.");

        IReadOnlyList<ParameterTensor> expected = model.ParameterTensors;
        var problems = new List<string>();
        var missing = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterTensor p in expected)
        {
            known.Add(p.Name);
            if (!file.TryGetTensor(p.Name, out SafeTensorInfo? t))
                missing.Add(p.Name);
            else if (t.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F64))
                problems.Add($"tensor '{p.Name}' has dtype {t.DType.ToText()}, expected F32 (or F64)");
            else if (!t.ShapeEquals(p.Shape))
                problems.Add($"tensor '{p.Name}' has shape {t.ShapeText} but the model expects {p.ShapeText}");
        }
        var unexpected = new List<string>();
        if (!allowUnexpectedTensors)
            foreach (SafeTensorInfo t in file.Tensors)
                if (!known.Contains(t.Name))
                    unexpected.Add(t.Name);

        if (missing.Count > 0)
            problems.Insert(0, $"missing {missing.Count} tensor(s): {string.Join(", ", missing)}");
        if (unexpected.Count > 0)
            problems.Add($"{unexpected.Count} unexpected tensor(s) not in the model: {string.Join(", ", unexpected)}");
        if (problems.Count > 0)
        {
            var message = new StringBuilder();
            message.Append(file.Source).Append(": cannot load into model '").Append(model.Architecture).Append("': ");
            message.AppendJoin("; ", problems).Append('.');
            throw new InvalidDataException(message.ToString());
        }

        float[] parameters = model.Parameters;
        float[] staging = new float[parameters.Length];
        foreach (ParameterTensor p in expected)
            file.ReadFloats(file.GetTensor(p.Name), staging.AsSpan(p.Offset, p.Length));
        foreach (ParameterTensor p in expected)
            staging.AsSpan(p.Offset, p.Length).CopyTo(parameters.AsSpan(p.Offset, p.Length));
    }
}
