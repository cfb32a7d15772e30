namespace RnnGen.Generator;

/// <summary>Names of the pipeline steps, so incrementality tests can assert each one's cache state.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Models = nameof(Models);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Seq2SeqParse = nameof(Seq2SeqParse);
    public const string Seq2SeqModels = nameof(Seq2SeqModels);
    public const string Seq2SeqDiagnostics = nameof(Seq2SeqDiagnostics);
}
