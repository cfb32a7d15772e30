using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RnnGen.Initialization;
using RnnGen.Serving;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Serving;

/// <summary>The served model of these tests: a small GRU reading 3 features, predicting 2 values.</summary>
[RnnModel(Cell.Gru, InputSize = 3, HiddenSize = 16, Head = Head.Linear, OutputSize = 2, Sequence = Sequence.ManyToOne)]
public partial class PoolTestModel;

public class InferencePoolTests
{
    private const int Steps = 12;
    private const int Inputs = 64;

    private static float[][] MakeInputs(int seed)
    {
        var random = new SeededRandom(seed);
        var inputs = new float[Inputs][];
        for (int i = 0; i < Inputs; i++)
        {
            inputs[i] = new float[Steps * PoolTestModel.InputSize];
            for (int j = 0; j < inputs[i].Length; j++) inputs[i][j] = (float)random.NextGaussian();
        }
        return inputs;
    }

    /// <summary>Each input's head output computed sequentially on one session: the reference.</summary>
    private static float[][] Sequential(PoolTestModel model, float[][] inputs)
    {
        var session = model.CreateSession(1, Steps);
        var results = new float[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            session.Forward(inputs[i], 1, Steps);
            results[i] = session.HeadOutput.ToArray();
        }
        return results;
    }

    private static InferencePool<PoolTestModel, PoolTestModel.Session> NewPool(PoolTestModel model, int size) =>
        new(model, static m => m.CreateSession(1, Steps), size);

    // The one operation of these tests: forward one sequence, copy the prediction into the caller's buffer.
    private static readonly Func<PoolTestModel.Session, (float[] Input, float[] Output), int> s_predict = static (session, io) =>
    {
        session.Forward(io.Input, 1, Steps);
        session.HeadOutput.CopyTo(io.Output);
        return io.Output.Length;
    };

    private static float[] Predict(InferencePool<PoolTestModel, PoolTestModel.Session> pool, float[] input, CancellationToken token = default)
    {
        var output = new float[PoolTestModel.OutputSize];
        pool.Run((input, output), s_predict, token);
        return output;
    }

    private static bool SameBits(float[] a, float[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i])) return false;
        }
        return true;
    }

    [Fact]
    public void Concurrent_calls_from_8_threads_equal_sequential_results_exactly()
    {
        var model = new PoolTestModel(seed: 1);
        float[][] inputs = MakeInputs(11);
        float[][] expected = Sequential(model, inputs);
        var pool = NewPool(model, size: 3); // fewer sessions than threads: callers wait
        int mismatches = 0, calls = 0;
        var threads = new Thread[8];
        for (int t = 0; t < threads.Length; t++)
        {
            int offset = t * 7;
            threads[t] = new Thread(() =>
            {
                for (int k = 0; k < 100; k++)
                {
                    int i = (offset + k * 13) % Inputs;
                    if (!SameBits(Predict(pool, inputs[i]), expected[i])) Interlocked.Increment(ref mismatches);
                    Interlocked.Increment(ref calls);
                }
            });
        }
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        Assert.Equal(8 * 100, calls);
        Assert.Equal(0, mismatches);
        Assert.Equal(3, pool.Available);
    }

    [Fact]
    public void Swap_under_load_every_result_is_exactly_one_models_and_later_calls_see_the_new_model()
    {
        var oldModel = new PoolTestModel(seed: 1);
        var newModel = new PoolTestModel(seed: 2);
        float[][] inputs = MakeInputs(12);
        float[][] fromOld = Sequential(oldModel, inputs);
        float[][] fromNew = Sequential(newModel, inputs);
        for (int i = 0; i < Inputs; i++) Assert.False(SameBits(fromOld[i], fromNew[i]));

        var pool = NewPool(oldModel, size: 4);
        int swapped = 0, stop = 0;
        int neither = 0, oldAfterSwap = 0, oldCount = 0, newCount = 0;
        using var started = new CountdownEvent(8);
        var threads = new Thread[8];
        for (int t = 0; t < threads.Length; t++)
        {
            int offset = t * 5;
            threads[t] = new Thread(() =>
            {
                started.Signal();
                for (int k = 0; Volatile.Read(ref stop) == 0 || k < 50; k++)
                {
                    int i = (offset + k) % Inputs;
                    bool swapDoneBefore = Volatile.Read(ref swapped) == 1;
                    float[] result = Predict(pool, inputs[i]);
                    if (SameBits(result, fromOld[i]))
                    {
                        Interlocked.Increment(ref oldCount);
                        if (swapDoneBefore) Interlocked.Increment(ref oldAfterSwap);
                    }
                    else if (SameBits(result, fromNew[i])) Interlocked.Increment(ref newCount);
                    else Interlocked.Increment(ref neither);
                }
            });
        }
        foreach (var thread in threads) thread.Start();
        started.Wait();
        // Swap once calls are flowing on the old model, stop once they flow on the new one (bounded waits, not sleeps).
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref oldCount) >= 16, TimeSpan.FromSeconds(30)));
        PoolTestModel previous = pool.Swap(newModel);
        Volatile.Write(ref swapped, 1);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref newCount) >= 16, TimeSpan.FromSeconds(30)));
        Volatile.Write(ref stop, 1);
        foreach (var thread in threads) thread.Join();

        Assert.Same(oldModel, previous);
        Assert.Same(newModel, pool.Model);
        Assert.Equal(2, pool.Version);
        Assert.Equal(0, neither);
        Assert.Equal(0, oldAfterSwap);
        Assert.True(oldCount > 0, "no call ran on the old model");
        Assert.True(newCount > 0, "no call ran on the new model");
        Assert.Equal(4, pool.Available);
    }

    [Fact]
    public async Task A_call_in_flight_during_a_swap_finishes_on_the_old_model()
    {
        var oldModel = new PoolTestModel(seed: 1);
        var newModel = new PoolTestModel(seed: 2);
        float[][] inputs = MakeInputs(13);
        float[] expectedOld = Sequential(oldModel, inputs)[0];
        float[] expectedNew = Sequential(newModel, inputs)[0];
        var pool = NewPool(oldModel, size: 2);
        using var borrowed = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        var output = new float[PoolTestModel.OutputSize];
        Task inFlight = Task.Run(() => pool.Run((inputs[0], output), (session, io) =>
        {
            borrowed.Set();
            proceed.Wait(); // the swap happens here, between borrowing and computing
            session.Forward(io.Item1, 1, Steps);
            session.HeadOutput.CopyTo(io.output);
            return 0;
        }));
        Assert.True(borrowed.Wait(TimeSpan.FromSeconds(10)));
        pool.Swap(newModel);
        Assert.True(SameBits(expectedNew, Predict(pool, inputs[0]))); // new calls: new model
        proceed.Set();
        await inFlight.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(SameBits(expectedOld, output));                     // in-flight call: old model
        Assert.Equal(2, pool.Available);
    }

    [Fact]
    public async Task Waiting_for_a_session_can_be_canceled_and_leaks_nothing()
    {
        var model = new PoolTestModel(seed: 1);
        float[][] inputs = MakeInputs(14);
        var pool = NewPool(model, size: 1);
        using var borrowed = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task holder = Task.Run(() => pool.Run(0, (_, _) => { borrowed.Set(); release.Wait(); return 0; }));
        Assert.True(borrowed.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, pool.Available);

        bool ran = false;
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => pool.Run(0, (_, _) => ran = true, cancellation.Token));
        }
        using (var cancellation = new CancellationTokenSource())
        {
            ValueTask<bool> waiting = pool.RunAsync(0, (_, _) => ran = true, cancellation.Token);
            Assert.False(waiting.IsCompleted);
            cancellation.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask());
        }
        using (var canceled = new CancellationTokenSource())
        {
            canceled.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => pool.Run(0, (_, _) => ran = true, canceled.Token));
        }
        Assert.False(ran);

        release.Set();
        await holder.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, pool.Available);
        using (var canceled = new CancellationTokenSource())
        {
            // A session is free now, yet a canceled token still stops the call before it runs.
            canceled.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => pool.Run(0, (_, _) => ran = true, canceled.Token));
            Assert.ThrowsAny<OperationCanceledException>(() => pool.RunAsync(0, (_, _) => ran = true, canceled.Token));
        }
        Assert.False(ran);
        Assert.Equal(1, pool.Available);
        Assert.True(SameBits(Sequential(model, inputs)[3], Predict(pool, inputs[3])));
    }

    [Fact]
    public void An_operation_that_throws_returns_its_session()
    {
        var pool = NewPool(new PoolTestModel(seed: 1), size: 2);
        for (int i = 0; i < 5; i++)
        {
            Assert.Throws<InvalidOperationException>(() => pool.Run<int, int>(0, static (_, _) => throw new InvalidOperationException("boom")));
        }
        Assert.Equal(2, pool.Available);
        Assert.Equal(2, pool.Run(0, static (_, _) => 2));
    }

    [Fact]
    public async Task RunAsync_waits_for_a_free_session_and_runs_on_it()
    {
        var model = new PoolTestModel(seed: 1);
        float[][] inputs = MakeInputs(15);
        float[][] expected = Sequential(model, inputs);
        var pool = NewPool(model, size: 2);
        var tasks = new List<Task<float[]>>();
        for (int i = 0; i < 32; i++)
        {
            int index = i;
            tasks.Add(Task.Run(async () =>
            {
                var output = new float[PoolTestModel.OutputSize];
                await pool.RunAsync((inputs[index], output), s_predict);
                return output;
            }));
        }
        float[][] results = await Task.WhenAll(tasks);
        for (int i = 0; i < results.Length; i++) Assert.True(SameBits(expected[i], results[i]));
    }

    [Fact]
    public void A_call_allocates_nothing_after_warm_up()
    {
        var pool = NewPool(new PoolTestModel(seed: 1), size: 2);
        float[] input = MakeInputs(16)[0];
        var output = new float[PoolTestModel.OutputSize];
        using var cancellation = new CancellationTokenSource();
        long plain = SteadyState.AllocatedBytes(() => pool.Run((input, output), s_predict), callsPerWindow: 300, warmUpCalls: 20);
        long cancellable = SteadyState.AllocatedBytes(() => pool.Run((input, output), s_predict, cancellation.Token), callsPerWindow: 300, warmUpCalls: 20);
        long asynchronous = SteadyState.AllocatedBytes(() => Completed(pool.RunAsync((input, output), s_predict)), callsPerWindow: 300, warmUpCalls: 20);

        Assert.Equal(0, plain);
        Assert.Equal(0, cancellable);
        Assert.Equal(0, asynchronous);
    }

    // Reads a ValueTask that completed synchronously (RunAsync with a free session) without blocking.
    private static int Completed(ValueTask<int> call) =>
        call.IsCompletedSuccessfully ? call.Result : throw new InvalidOperationException("RunAsync did not complete synchronously.");

    [Fact]
    public void Swap_rejects_a_different_architecture_and_factory_misuse()
    {
        var pool = InferencePool.Create(new PoolTestModel(seed: 1), size: 2, maxBatch: 1, maxSteps: Steps);
        Assert.Equal(2, pool.Size);
        Assert.Throws<ArgumentOutOfRangeException>(() => InferencePool.Create(new PoolTestModel(seed: 1), size: 0, maxBatch: 1, maxSteps: Steps));
        var shared = new PoolTestModel(seed: 1).CreateSession(1, Steps);
        Assert.Throws<InvalidOperationException>(() => new InferencePool<PoolTestModel, PoolTestModel.Session>(new PoolTestModel(seed: 1), _ => shared, 2));
        var other = new InferencePool<IRnnNetwork, IRnnSession>(new PoolTestModel(seed: 1), static m => m.CreateSession(1, Steps), 1);
        Assert.Throws<ArgumentException>(() => other.Swap(new OtherPoolModel()));
        Assert.Equal(1, other.Version);
    }
}

[RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 8)]
public partial class OtherPoolModel;
