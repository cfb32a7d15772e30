using System;
using RnnGen.Kernels;
using RnnGen.Tests.Kernels;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Models;

// Large enough that each direction's kernels would split their work across the cores if they had the worker.
[RnnModel(Cell.Lstm, InputSize = 24, HiddenSize = 96, Layers = 2, Bidirectional = true, Head = Head.Linear, OutputSize = 3, Sequence = Sequence.ManyToMany)]
public partial class WideBiLstm;

[RnnModel(Cell.Gru, InputSize = 24, HiddenSize = 112, Bidirectional = true, Merge = Merge.Sum, Head = Head.Softmax, OutputSize = 4, Sequence = Sequence.ManyToOne)]
public partial class WideBiGru;

/// <summary>
/// The two directions of a bidirectional layer run as one job, one per core: outputs, final states, loss, the input
/// gradient and every parameter gradient are bitwise those of the directions run one after the other (each then
/// splitting its own work across both cores, with the same partition), at batch 1 and batched; and the passes still
/// allocate nothing. (One thread against two differs by float rounding where the batch split changes a GEMM's
/// shape class, as for every model: docs/kernels-cells.md.)
/// </summary>
[Collection(nameof(KernelOptionsCollection))] // changes process-wide kernel options
public class BidirectionalConcurrencyTests
{
    [Theory]
    [InlineData(1, 40)]
    [InlineData(6, 17)]
    public void Directions_on_two_cores_give_the_one_thread_results_bit_for_bit(int batch, int steps)
    {
        var model = new WideBiLstm(seed: 3);
        float[] x = TestData.Uniform(batch * steps * WideBiLstm.InputSize, 4);
        float[] targets = TestData.Uniform(batch * steps * WideBiLstm.OutputSize, 5);
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) lengths[b] = steps - (b * 2 % steps);

        (float[] Y, float[] H, float[] G, float Loss) Run(bool sequential)
        {
            Bidirectional.Sequential = sequential;
            try
            {
                Array.Clear(model.Gradients);
                var session = model.CreateSession(batch, steps);
                session.Forward(x, batch, steps, lengths);
                float loss = session.Loss(targets);
                session.Backward();
                return (session.HeadOutput.ToArray(), session.FinalHidden.ToArray(), (float[])model.Gradients.Clone(), loss);
            }
            finally
            {
                Bidirectional.Sequential = false;
            }
        }

        var one = Run(sequential: true);
        var two = Run(sequential: false);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.H, two.H);
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.G, two.G);
        Assert.Contains(one.Y, v => v != 0f);
    }

    /// <summary>Initial states, gradients into the final states and the input gradient: the paths the direction jobs read from session copies.</summary>
    [Fact]
    public void Initial_and_final_state_gradients_and_the_input_gradient_match_bit_for_bit()
    {
        var model = new WideBiLstm(seed: 5);
        const int B = 3, T = 11;
        int states = WideBiLstm.Layers * WideBiLstm.Directions * B * WideBiLstm.HiddenSize;
        float[] x = TestData.Uniform(B * T * WideBiLstm.InputSize, 6);
        float[] h0 = TestData.Uniform(states, 7), c0 = TestData.Uniform(states, 8);
        float[] dy = TestData.Uniform(B * T * WideBiLstm.LayerOutputSize, 9), dhN = TestData.Uniform(states, 10), dcN = TestData.Uniform(states, 11);
        int[] lengths = { 11, 4, 7 };
        IRnnSession session = model.CreateSession(B, T);

        (float[] Dx, float[] G) Run(bool sequential)
        {
            Bidirectional.Sequential = sequential;
            try
            {
                Array.Clear(model.Gradients);
                session.Forward(x, B, T, lengths, h0, c0);
                session.Backward(dy, dhN, dcN, computeInputGradient: true);
                return (session.InputGradient.ToArray(), (float[])model.Gradients.Clone());
            }
            finally
            {
                Bidirectional.Sequential = false;
            }
        }

        var one = Run(sequential: true);
        var two = Run(sequential: false);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.G, two.G);
        Assert.Contains(one.Dx, v => v != 0f);
    }

    [Fact]
    public void Many_to_one_merge_model_matches_and_training_steps_allocate_nothing()
    {
        var model = new WideBiGru(seed: 1);
        const int B = 1, T = 30;
        float[] x = TestData.Uniform(B * T * WideBiGru.InputSize, 2);
        int[] lengths = { 23 };
        var session = model.CreateSession(B, T);

        Bidirectional.Sequential = true;
        session.Forward(x, B, T, lengths);
        float[] sequential = session.HeadOutput.ToArray();
        Bidirectional.Sequential = false;
        try
        {
            int[] classes = { 2 };
            void Work()
            {
                session.Forward(x, B, T, lengths);
                session.Loss(classes);
                session.Backward();
            }
            for (int i = 0; i < 30; i++) Work(); // warm-up: JIT tiers, per-thread buffers on both threads
            session.Forward(x, B, T, lengths);
            Assert.Equal(sequential, session.HeadOutput.ToArray());

            Assert.Equal(0, SteadyState.AllocatedBytes(Work, callsPerWindow: 20, warmUpCalls: 0));
        }
        finally
        {
            Bidirectional.Sequential = false;
        }
    }
}
