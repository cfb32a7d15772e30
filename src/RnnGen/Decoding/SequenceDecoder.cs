using System;

namespace RnnGen.Decoding;

/// <summary>
/// A decoder that follows one hypothesis (batch row 0): feeds the prompt one token per step, then repeatedly picks the
/// next token from the log-probabilities (<see cref="ChooseToken"/>), stopping after &lt;eos&gt; or the maximum length.
/// Generating N tokens after a prompt of P tokens costs P + N − 1 steps (the last token is never fed back).
/// Allocation-free after construction; the result stays valid until the next <see cref="Generate"/>.
/// </summary>
public abstract class SequenceDecoder
{
    private readonly ITokenStepSource _source;
    private readonly int[] _tokens;
    private int _count;

    protected SequenceDecoder(ITokenStepSource source, int maxLength)
    {
        DecodingChecks.Source(source, 1);
        DecodingChecks.MaxLength(maxLength);
        _source = source;
        MaxLength = maxLength;
        _tokens = new int[maxLength];
    }

    public ITokenStepSource Source => _source;

    /// <summary>Largest number of tokens one <see cref="Generate"/> produces after the prompt (&lt;eos&gt; included).</summary>
    public int MaxLength { get; }

    /// <summary>The generated tokens of the last <see cref="Generate"/>, the prompt and a final &lt;eos&gt; left out.</summary>
    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, _count);

    /// <summary>Whether the last <see cref="Generate"/> ended by producing &lt;eos&gt;.</summary>
    public bool EndedWithEos { get; private set; }

    /// <summary>Tokens produced by the last <see cref="Generate"/>, the &lt;eos&gt; counted: Tokens.Length (+1 with &lt;eos&gt;).</summary>
    public int Length => _count + (EndedWithEos ? 1 : 0);

    /// <summary>Σ log p(token | prefix) over the produced tokens (the &lt;eos&gt; included), in double precision.</summary>
    public double LogProbability { get; private set; }

    /// <summary>
    /// Resets the source, feeds <paramref name="prompt"/> (≥ 1 token, e.g. &lt;sos&gt;) and generates up to
    /// <paramref name="maxLength"/> tokens (0 = <see cref="MaxLength"/>), stopping after <paramref name="endId"/>
    /// (−1: none). Returns <see cref="Tokens"/>.
    /// </summary>
    public ReadOnlySpan<int> Generate(ReadOnlySpan<int> prompt, int maxLength = 0, int endId = -1)
    {
        int limit = DecodingChecks.Length(maxLength, MaxLength);
        int vocabulary = _source.VocabularySize;
        DecodingChecks.Prompt(prompt, vocabulary);
        DecodingChecks.EndId(endId, vocabulary);
        _source.Reset();
        for (int t = 0; t < prompt.Length; t++) _source.Step(prompt.Slice(t, 1), 1);
        _count = 0;
        EndedWithEos = false;
        double logProbability = 0;
        for (int produced = 0; produced < limit; produced++)
        {
            ReadOnlySpan<float> row = _source.LogProbabilities.Slice(0, vocabulary);
            int token = ChooseToken(row);
            logProbability += row[token];
            if (token == endId)
            {
                EndedWithEos = true;
                break;
            }
            _tokens[_count++] = token;
            if (produced + 1 < limit) _source.Step(_tokens.AsSpan(_count - 1, 1), 1);
        }
        LogProbability = logProbability;
        return Tokens;
    }

    /// <summary>Picks the next token from the log-probabilities of row 0, [VocabularySize].</summary>
    protected abstract int ChooseToken(ReadOnlySpan<float> logProbabilities);
}

/// <summary>Greedy decoding: always the most probable next token (the lowest id on ties).</summary>
public sealed class GreedyDecoder : SequenceDecoder
{
    public GreedyDecoder(ITokenStepSource source, int maxLength) : base(source, maxLength) { }

    protected override int ChooseToken(ReadOnlySpan<float> logProbabilities) => DecodingChecks.ArgMax(logProbabilities);
}

/// <summary>
/// Ancestral sampling: each next token is drawn from the model's distribution reshaped by <see cref="TokenSampler"/>
/// (temperature, top-k, top-p), with a seeded <see cref="RnnGen.Initialization.SeededRandom"/>: the same seed and
/// settings give the same text. The generator continues from call to call; <see cref="Sampler"/>.Reseed restarts it.
/// </summary>
public sealed class SamplingDecoder : SequenceDecoder
{
    public SamplingDecoder(ITokenStepSource source, int maxLength, long seed = 0) : base(source, maxLength)
    {
        Sampler = new TokenSampler(source.VocabularySize, seed);
    }

    /// <summary>The sampler with its settings (Temperature, TopK, TopP) and random state.</summary>
    public TokenSampler Sampler { get; }

    public float Temperature { get => Sampler.Temperature; set => Sampler.Temperature = value; }
    public int TopK { get => Sampler.TopK; set => Sampler.TopK = value; }
    public float TopP { get => Sampler.TopP; set => Sampler.TopP = value; }

    protected override int ChooseToken(ReadOnlySpan<float> logProbabilities) => Sampler.Sample(logProbabilities);
}
