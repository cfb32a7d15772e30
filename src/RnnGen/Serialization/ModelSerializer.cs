using System;

namespace RnnGen.Serialization;

/// <summary>Stub until safetensors serialization lands.</summary>
public static class ModelSerializer
{
    public static void Save(IRnnModel model, string path) => throw new NotImplementedException();

    public static void Load(IRnnModel model, string path) => throw new NotImplementedException();
}
