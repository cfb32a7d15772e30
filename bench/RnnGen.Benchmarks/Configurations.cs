using System;
using RnnGen.Training;

namespace RnnGen.Benchmarks;

/// <summary>One configuration of the speed issue: a prepared model + session and one timed operation.</summary>
public abstract class BenchConfig
{
    protected BenchConfig(string name, int batch, int steps, long forwardFlopsPerStep, bool training, string note = "")
    {
        Name = name;
        Batch = batch;
        Steps = steps;
        Flops = forwardFlopsPerStep * batch * steps * (training ? 3 : 1);
        Note = note;
    }

    public string Name { get; }
    public int Batch { get; }
    public int Steps { get; }
    /// <summary>FLOPs of one Run per the issue: forward 2·G·H·(I+H)·B per layer, direction and step; training ≈ 3× forward.</summary>
    public long Flops { get; protected init; }
    public string Note { get; }

    public abstract void Run();

    public static BenchConfig[] All() =>
    [
        new Serve<LstmH128I32>("serve-lstm-h128-b1-t50", new LstmH128I32(1), LstmH128I32.InputSize, LstmH128I32.ForwardFlopsPerStep, 1, 50),
        new Serve<LstmH256x2>("serve-lstm-h256x2-b1-t100", new LstmH256x2(1), LstmH256x2.InputSize, LstmH256x2.ForwardFlopsPerStep, 1, 100),
        new Serve<GruH256x2>("serve-gru-h256x2-b1-t100", new GruH256x2(1), GruH256x2.InputSize, GruH256x2.ForwardFlopsPerStep, 1, 100),
        new Serve<LstmH256x2>("serve-lstm-h256x2-b32-t100", new LstmH256x2(1), LstmH256x2.InputSize, LstmH256x2.ForwardFlopsPerStep, 32, 100),
        new Train<LstmH256x2>("train-lstm-h256x2-b32-t64", new LstmH256x2(1), LstmH256x2.InputSize, LstmH256x2.LayerOutputSize,
            LstmH256x2.ForwardFlopsPerStep, 32, 64),
        new Train<GruH256x2>("train-gru-h256x2-b32-t64", new GruH256x2(1), GruH256x2.InputSize, GruH256x2.LayerOutputSize,
            GruH256x2.ForwardFlopsPerStep, 32, 64),
        new Train<RnnH256x2>("train-rnn-h256x2-b32-t64", new RnnH256x2(1), RnnH256x2.InputSize, RnnH256x2.LayerOutputSize,
            RnnH256x2.ForwardFlopsPerStep, 32, 64),
        new Train<BiLstmH128>("train-bilstm-h128-b16-t40", new BiLstmH128(1), BiLstmH128.InputSize, BiLstmH128.LayerOutputSize,
            BiLstmH128.ForwardFlopsPerStep, 16, 40),
        new CharLm(),
        new Serve<BiLstmH128>("serve-bilstm-h128-b1-t40", new BiLstmH128(1), BiLstmH128.InputSize, BiLstmH128.ForwardFlopsPerStep, 1, 40,
            "beyond the nine: the bidirectional LSTM of train-bilstm serving one sequence (a direction per core)"),
        new Train<LstmpH256P128x2>("train-lstmp-h256-p128x2-b32-t64", new LstmpH256P128x2(1), LstmpH256P128x2.InputSize,
            LstmpH256P128x2.LayerOutputSize, LstmpH256P128x2.ForwardFlopsPerStep, 32, 64,
            "beyond the nine: LSTM with a projection to 128 (PyTorch proj_size), the variant kernel"),
        new Train<LstmPeepLnH256x2>("train-lstm-peep-ln-h256x2-b32-t64", new LstmPeepLnH256x2(1), LstmPeepLnH256x2.InputSize,
            LstmPeepLnH256x2.LayerOutputSize, LstmPeepLnH256x2.ForwardFlopsPerStep, 32, 64,
            "beyond the nine: LSTM with peepholes and layer norm, the variant kernel (no PyTorch counterpart)"),
        new Serve<LstmPeepLnH256x2>("serve-lstm-peep-ln-h256x2-b32-t100", new LstmPeepLnH256x2(1), LstmPeepLnH256x2.InputSize,
            LstmPeepLnH256x2.ForwardFlopsPerStep, 32, 100, "beyond the nine: the same, forward only (no PyTorch counterpart)"),
        new Seq2SeqTrain(),
        new Seq2SeqServe(),
    ];

    /// <summary>Forward FLOPs of one <see cref="DateSeq2Seq"/> pass over B pairs (Ts source, Ty target steps), counted as
    /// the issue counts recurrent layers (2·G·H·(I+H) per row and step) plus the attention, keys and output layer.</summary>
    internal static long Seq2SeqForwardFlops(int b, int ts, int ty)
    {
        const int es = DateSeq2Seq.SourceEmbeddingSize, he = DateSeq2Seq.EncoderHiddenSize, d = DateSeq2Seq.MemorySize;
        const int hd = DateSeq2Seq.DecoderHiddenSize, din = DateSeq2Seq.DecoderInputSize, a = DateSeq2Seq.AttentionSize;
        const int f = DateSeq2Seq.OutputFeatures, v = DateSeq2Seq.TargetVocabulary;
        long encoder = 2L * ts * 2 * 3 * he * (es + he);
        long keys = 2L * ts * d * a;
        long perStep = 2L * 3 * hd * (din + hd) + 2L * a * hd + 3L * ts * a + 2L * ts * d + 2L * f * v;
        return b * (encoder + keys + ty * perStep);
    }

    private sealed class Serve<TModel> : BenchConfig where TModel : IRnnNetwork
    {
        private readonly IRnnSession _session;
        private readonly float[] _x;

        public Serve(string name, TModel model, int inputSize, long flopsPerStep, int batch, int steps, string note = "")
            : base(name, batch, steps, flopsPerStep, training: false, note)
        {
            _session = model.CreateSession(batch, steps);
            _x = Data.Normal(batch * steps * inputSize, 2);
        }

        public override void Run() => _session.Forward(_x, Batch, Steps, default);
    }

    private sealed class Train<TModel> : BenchConfig where TModel : IRnnNetwork
    {
        private readonly TModel _model;
        private readonly IRnnSession _session;
        private readonly float[] _x;
        private readonly float[] _dy;
        private readonly Sgd _sgd;

        public Train(string name, TModel model, int inputSize, int outputSize, long flopsPerStep, int batch, int steps, string note = "")
            : base(name, batch, steps, flopsPerStep, training: true, note)
        {
            _model = model;
            _session = model.CreateSession(batch, steps);
            _x = Data.Normal(batch * steps * inputSize, 3);
            _dy = Data.Normal(batch * steps * outputSize, 4);
            _sgd = new Sgd(model.ParameterCount, learningRate: 1e-6f);
        }

        public override void Run()
        {
            _session.Forward(_x, Batch, Steps, default);
            _session.Backward(_dy, default, default, false);
            _model.ApplyGradients(_sgd); // SGD step, then zero gradients
        }
    }

    private sealed class CharLm : BenchConfig
    {
        private const int B = 32, T = 128;
        private readonly CharLmH512 _model = new(1);
        private readonly CharLmH512.Session _session;
        private readonly int[] _x;
        private readonly int[] _targets;
        private readonly Adam _adam;

        public CharLm()
            : base("train-charlm-h512-b32-t128", B, T, CharLmH512.ForwardFlopsPerStep, training: true)
        {
            _session = _model.CreateSession(B, T);
            _x = new int[B * T]; // token ids through the 65x64 embedding, as PyTorch's nn.Embedding
            _targets = new int[B * T];
            var random = new Random(5);
            for (int r = 0; r < B * T; r++)
            {
                _x[r] = random.Next(CharLmH512.Vocabulary);
                _targets[r] = random.Next(CharLmH512.OutputSize);
            }
            _adam = new Adam(CharLmH512.ParameterCount, learningRate: 1e-4f);
        }

        public override void Run()
        {
            _session.Forward(_x, B, T);
            _session.Loss(_targets);
            _session.Backward();
            _model.ApplyGradients(_adam, maxGradientNorm: 1f);
        }
    }
}

/// <summary>train-seq2seq-gru-b64-s30-t11: the date model's training step (teacher forcing, mean token cross-entropy,
/// BPTT through decoder, attention and encoder, clipping, Adam) on one session.</summary>
internal sealed class Seq2SeqTrain : BenchConfig
{
    private const int B = 64, Ts = 30, Ty = 11;
    private readonly DateSeq2Seq _model = new(1);
    private readonly RnnGen.Seq2Seq.Seq2SeqSession _session;
    private readonly int[] _source = new int[B * Ts], _target = new int[B * Ty], _sourceLengths = new int[B], _targetLengths = new int[B];
    private readonly Adam _adam;

    public Seq2SeqTrain() : base("train-seq2seq-gru-b64-s30-t11", B, 1, 0, training: true,
        "beyond the nine: the date sample's encoder-decoder; B=64, 30 source and 11 target steps")
    {
        Flops = 3 * BenchConfig.Seq2SeqForwardFlops(B, Ts, Ty);
        _session = _model.CreateSession(B, Ts, Ty);
        var random = new Random(7);
        for (int i = 0; i < _source.Length; i++) _source[i] = 4 + random.Next(60);
        for (int i = 0; i < _target.Length; i++) _target[i] = (i % Ty) == Ty - 1 ? 3 : 4 + random.Next(11);
        Array.Fill(_sourceLengths, Ts);
        Array.Fill(_targetLengths, Ty);
        _adam = new Adam(_model.ParameterCount, learningRate: 1e-4f);
    }

    public override void Run()
    {
        _session.Forward(_source, _sourceLengths, _target, _targetLengths, B, Ts, Ty);
        _session.Loss();
        _session.Backward();
        _model.ApplyGradients(_adam, maxGradientNorm: 1f);
    }
}

/// <summary>serve-seq2seq-gru-b1-s30-t11: encode one 30-token source and decode 11 tokens one step at a time
/// (the work of a greedy translation of that length; the tokens are fixed so every run does the same steps).</summary>
internal sealed class Seq2SeqServe : BenchConfig
{
    private const int Ts = 30, Ty = 11;
    private readonly RnnGen.Seq2Seq.Seq2SeqStepSource _steps;
    private readonly int[] _source = new int[Ts], _output = new int[Ty];
    private readonly float[] _attention = new float[Ty * Ts];

    public Seq2SeqServe() : base("serve-seq2seq-gru-b1-s30-t11", 1, 1, 0, training: false,
        "beyond the nine: encode + 11 one-step decoder steps with attention, batch 1")
    {
        Flops = BenchConfig.Seq2SeqForwardFlops(1, Ts, Ty);
        _steps = new DateSeq2Seq(1).CreateStepSource(Ts);
        var random = new Random(8);
        for (int i = 0; i < Ts; i++) _source[i] = 4 + random.Next(60);
        for (int i = 0; i < Ty; i++) _output[i] = 4 + random.Next(11);
    }

    public override void Run() => _steps.AttentionFor(_source, _output, _attention);
}

internal static class Data
{
    public static float[] Normal(int count, int seed)
    {
        var random = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            a[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }
}
