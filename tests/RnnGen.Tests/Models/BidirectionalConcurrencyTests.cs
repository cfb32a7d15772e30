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
/// The two directions of a bidirectional layer run as one job, one per core: outputs, final states, loss and every
/// gradient are bitwise those of one thread (directions one after the other), at batch 1 and batched, and the
/// forward pass still allocates nothing.
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

        (float[] Y, float[] H, float[] G, float Loss) Run(int threads)
        {
            int saved = KernelOptions.MaxThreads;
            KernelOptions.MaxThreads = threads;
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
                KernelOptions.MaxThreads = saved;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.H, two.H);
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.G, two.G);
        Assert.Contains(one.Y, v => v != 0f);
    }

    [Fact]
    public void Many_to_one_merge_model_matches_and_forward_allocates_nothing()
    {
        var model = new WideBiGru(seed: 1);
        const int B = 1, T = 30;
        float[] x = TestData.Uniform(B * T * WideBiGru.InputSize, 2);
        int[] lengths = { 23 };
        var session = model.CreateSession(B, T);

        int saved = KernelOptions.MaxThreads;
        KernelOptions.MaxThreads = 1;
        session.Forward(x, B, T, lengths);
        float[] sequential = session.HeadOutput.ToArray();
        KernelOptions.MaxThreads = 2;
        try
        {
            for (int i = 0; i < 30; i++) session.Forward(x, B, T, lengths); // warm-up: JIT tiers, per-thread buffers on both threads
            Assert.Equal(sequential, session.HeadOutput.ToArray());

            long allocated = -1;
            for (int round = 0; round < 3 && allocated != 0; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++) session.Forward(x, B, T, lengths);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
        }
        finally
        {
            KernelOptions.MaxThreads = saved;
        }
    }
}
