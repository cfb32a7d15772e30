using System;
using RnnGen.Tests.Support;
using RnnGen.Training;
using Xunit.Abstractions;

namespace RnnGen.Tests.Models;

/// <summary>The CTC head through a whole generated model.</summary>
public class CtcModelTests(ITestOutputHelper log)
{
    private const int B = 3, T = 6;
    private static readonly int[] Lengths = { 6, 3, 5 };
    private static readonly int[] Labels = { 1, 2, 2, /* seq 1 */ 3, /* seq 2 */ 1, 3 };
    private static readonly int[] LabelLengths = { 3, 1, 2 };

    [Fact]
    public void Gradients_by_finite_differences()
    {
        var model = new CtcRecognizer(seed: 3);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 5);
        GradientCheck.Assert(log, model, () => { session.Forward(x, B, T, Lengths); return session.Loss(Labels, LabelLengths); }, session.Backward);
    }

    [Fact]
    public void Learns_to_emit_the_labels_and_greedy_decoding_reads_them_back()
    {
        var model = new CtcRecognizer(seed: 1);
        var session = model.CreateSession(B, T);
        float[] x = TestData.Uniform(B * T * 3, 8);
        var adam = new Adam(CtcRecognizer.ParameterCount, learningRate: 0.03f);
        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            session.Forward(x, B, T, Lengths);
            last = session.Loss(Labels, LabelLengths);
            if (step == 0) first = last;
            session.Backward();
            model.ApplyGradients(adam, maxGradientNorm: 5f);
        }
        session.Forward(x, B, T, Lengths);
        log.WriteLine($"CTC loss {first} -> {last}");
        Span<int> decoded = stackalloc int[T];
        int offset = 0;
        for (int b = 0; b < B; b++)
        {
            int count = session.DecodeGreedy(b, decoded);
            Assert.Equal(Labels.AsSpan(offset, LabelLengths[b]).ToArray(), decoded.Slice(0, count).ToArray());
            offset += LabelLengths[b];
        }
    }

    [Fact]
    public void Impossible_alignment_is_infinite_unless_zero_infinity()
    {
        var session = new CtcRecognizer().CreateSession(1, 2);
        session.Forward(new float[6], 1, 2);
        // "1 1" needs three steps (a blank between the repeats); two are not enough
        Assert.True(float.IsPositiveInfinity(session.Loss(new[] { 1, 1 }, new[] { 2 })));
        session.CtcZeroInfinity = true;
        Assert.Equal(0f, session.Loss(new[] { 1, 1 }, new[] { 2 }));
    }
}
