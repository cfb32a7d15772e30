using System;
using RnnGen.Initialization;
using RnnGen.Training;
using static RnnGen.Tests.Training.TrainerTestData;

namespace RnnGen.Tests.Training;

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 5, Layers = 2, Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToMany)]
public partial class TbpttTagger;

[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 4, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToMany)]
public partial class TbpttRegressor;

public class TbpttTests
{
    private const int I = 3;

    private static (float[] Input, int[] Targets) Data(int batch, int steps, int seed)
    {
        var random = new SeededRandom(seed);
        var input = new float[batch * steps * I];
        var targets = new int[batch * steps];
        for (int i = 0; i < input.Length; i++) input[i] = random.NextSingle() * 2 - 1;
        for (int i = 0; i < targets.Length; i++) targets[i] = random.NextInt(3);
        return (input, targets);
    }

    /// <summary>Steps [from, to) of [batch, steps, features] as a contiguous [batch, to − from, features].</summary>
    private static T[] Slice<T>(T[] x, int batch, int steps, int features, int from, int to)
    {
        int w = to - from;
        var result = new T[batch * w * features];
        for (int b = 0; b < batch; b++)
            Array.Copy(x, (b * steps + from) * features, result, b * w * features, w * features);
        return result;
    }

    [Fact]
    public void WholeSequenceWindow_EqualsFullBptt_Exactly()
    {
        const int B = 3, T = 6;
        int[] lengths = [6, 4, 5];
        var (input, targets) = Data(B, T, 1);

        var reference = new TbpttTagger(seed: 3);
        var session = reference.CreateSession(B, T);
        session.Forward(input, B, T, lengths);
        float fullLoss = session.Loss(targets);
        session.Backward();

        var model = new TbpttTagger(seed: 3);
        var recorder = new RecordingOptimizer(((IRnnModel)model).ParameterCount);
        var tbptt = new TruncatedBptt(model, recorder, B, k1: T, k2: T);
        float loss = tbptt.Train(input, targets, B, T, lengths);
        Assert.Equal(1, tbptt.Updates);
        Assert.Equal(fullLoss, loss);
        Assert.True(BitEqual(reference.Gradients, recorder.Gradients[0]));

        // and with a real optimizer the step is the same
        var sgdModel = new TbpttTagger(seed: 3);
        new TruncatedBptt(sgdModel, new Sgd(((IRnnModel)sgdModel).ParameterCount, 0.1f), B, T, T).Train(input, targets, B, T, lengths);
        reference.ApplyGradients(new Sgd(((IRnnModel)reference).ParameterCount, 0.1f));
        Assert.True(BitEqual(reference.Parameters, sgdModel.Parameters));
    }

    /// <summary>Mean-loss gradient of the window [from, to) from the state reached at <paramref name="from"/>,
    /// computed only with the generated session (no gradient into the initial state: it is an input).</summary>
    private static (float[] Gradient, int Rows) WindowGradient(TbpttTagger model, float[] input, int[] targets, int B, int T,
        int[] lengths, int from, int to)
    {
        var session = model.CreateSession(B, T);
        float[] h0 = [], c0 = [];
        if (from > 0)
        {
            var prefixLengths = new int[B];
            for (int b = 0; b < B; b++) prefixLengths[b] = Math.Min(lengths[b], from);
            session.Forward(Slice(input, B, T, I, 0, from), B, from, prefixLengths);
            h0 = session.FinalHidden.ToArray();
            c0 = ((IRnnSession)session).FinalCell.ToArray();
        }
        var windowLengths = new int[B];
        int rows = 0;
        for (int b = 0; b < B; b++) rows += windowLengths[b] = Math.Clamp(lengths[b] - from, 1, to - from);
        Array.Clear(model.Gradients);
        ((IRnnSession)session).Forward(Slice(input, B, T, I, from, to), B, to - from, windowLengths, h0, c0);
        session.Loss(Slice(targets, B, T, 1, from, to));
        session.Backward();
        float[] gradient = (float[])model.Gradients.Clone();
        Array.Clear(model.Gradients);
        return (gradient, rows);
    }

    [Fact]
    public void TruncatedWindows_GiveTheTruncatedGradient()
    {
        // T = 5, k1 = 2, k2 = 3: updates at steps 2, 4, 5 with
        //   window [0, 2) loss at {0, 1};  window [1, 4) loss at {2, 3};  window [2, 5) loss at {4}.
        const int B = 2, T = 5;
        int[] lengths = [5, 4];
        var (input, targets) = Data(B, T, 2);
        var model = new TbpttTagger(seed: 5);
        var recorder = new RecordingOptimizer(((IRnnModel)model).ParameterCount);
        var tbptt = new TruncatedBptt(model, recorder, B, k1: 2, k2: 3);
        tbptt.Train(input, targets, B, T, lengths);
        Assert.Equal(3, recorder.Gradients.Count);

        var reference = new TbpttTagger(seed: 5);
        (int From, int LossFrom, int To)[] updates = [(0, 0, 2), (1, 2, 4), (2, 4, 5)];
        for (int u = 0; u < updates.Length; u++)
        {
            var (from, lossFrom, to) = updates[u];
            // Σ of the per-row losses at [lossFrom, to) = Σ over [from, to) − Σ over [from, lossFrom); mean = Σ / rows.
            var (all, allRows) = WindowGradient(reference, input, targets, B, T, lengths, from, to);
            var expected = new float[all.Length];
            int rows = allRows;
            for (int i = 0; i < all.Length; i++) expected[i] = all[i] * allRows;
            if (lossFrom > from)
            {
                var (prefix, prefixRows) = WindowGradient(reference, input, targets, B, T, lengths, from, lossFrom);
                for (int i = 0; i < all.Length; i++) expected[i] -= prefix[i] * prefixRows;
                rows -= prefixRows;
            }
            float scale = 0, diff = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] /= rows;
                scale = MathF.Max(scale, MathF.Abs(expected[i]));
                diff = MathF.Max(diff, MathF.Abs(expected[i] - recorder.Gradients[u][i]));
            }
            Assert.True(diff <= 1e-5f * scale, $"update {u}: max difference {diff} (scale {scale})");
        }
    }

    [Fact]
    public void CarriedState_AcrossCalls_EqualsOneCall()
    {
        const int B = 2, T = 6;
        var (input, targets) = Data(B, T, 3);
        var one = new TbpttTagger(seed: 1);
        var oneRecorder = new RecordingOptimizer(((IRnnModel)one).ParameterCount);
        new TruncatedBptt(one, oneRecorder, B, 3, 3).Train(input, targets, B, T);

        var two = new TbpttTagger(seed: 1);
        var twoRecorder = new RecordingOptimizer(((IRnnModel)two).ParameterCount);
        var tbptt = new TruncatedBptt(two, twoRecorder, B, 3, 3) { CarryState = true };
        tbptt.Train(Slice(input, B, T, I, 0, 3), Slice(targets, B, T, 1, 0, 3), B, 3);
        tbptt.Train(Slice(input, B, T, I, 3, 6), Slice(targets, B, T, 1, 3, 6), B, 3);
        Assert.Equal(2, oneRecorder.Gradients.Count);
        Assert.Equal(2, twoRecorder.Gradients.Count);
        Assert.True(BitEqual(oneRecorder.Gradients[1], twoRecorder.Gradients[1]));

        // Without carrying (or after a reset) the second call starts from zero and differs.
        var fresh = new TbpttTagger(seed: 1);
        var freshRecorder = new RecordingOptimizer(((IRnnModel)fresh).ParameterCount);
        new TruncatedBptt(fresh, freshRecorder, B, 3, 3).Train(Slice(input, B, T, I, 3, 6), Slice(targets, B, T, 1, 3, 6), B, 3);
        Assert.False(BitEqual(freshRecorder.Gradients[0], twoRecorder.Gradients[1]));
        tbptt.ResetState();
        tbptt.Train(Slice(input, B, T, I, 3, 6), Slice(targets, B, T, 1, 3, 6), B, 3);
        Assert.True(BitEqual(freshRecorder.Gradients[0], twoRecorder.Gradients[2]));
    }

    [Fact]
    public void LinearHead_AndTraining_ReduceTheLoss()
    {
        const int B = 4, T = 40;
        var random = new SeededRandom(9);
        var input = new float[B * T * I];
        var targets = new float[B * T * 2];
        for (int i = 0; i < input.Length; i++) input[i] = random.NextSingle() * 2 - 1;
        for (int b = 0; b < B; b++)
            for (int t = 1; t < T; t++)
            {
                targets[(b * T + t) * 2] = input[(b * T + t - 1) * I]; // the previous step's feature 0: needs memory
                targets[(b * T + t) * 2 + 1] = 0.5f * input[(b * T + t) * I + 1];
            }
        var model = new TbpttRegressor(seed: 2);
        var tbptt = new TruncatedBptt(model, new Adam(((IRnnModel)model).ParameterCount, 0.02f), B, k1: 5, k2: 10);
        float first = tbptt.Train(input, targets, B, T);
        Assert.Equal(8, tbptt.Updates);
        float last = first;
        for (int epoch = 0; epoch < 30; epoch++) last = tbptt.Train(input, targets, B, T);
        Assert.True(last < 0.5f * first, $"loss {first} -> {last}");
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        var model = new TbpttTagger();
        var sgd = new Sgd(((IRnnModel)model).ParameterCount, 0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedBptt(model, sgd, 2, k1: 3, k2: 2));
        Assert.Throws<ArgumentException>(() => new TruncatedBptt(new TrainerRegressor(), new Sgd(TrainerRegressor.ParameterCount, 0.1f), 2, 2, 2));
        var tbptt = new TruncatedBptt(model, sgd, 2, 2, 2);
        Assert.Throws<InvalidOperationException>(() => tbptt.Train(new float[2 * 4 * I], new float[2 * 4 * 3], 2, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => tbptt.Train(new float[2 * 4 * I], new int[8], 2, 4, [5, 1]));
    }
}
