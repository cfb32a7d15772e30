using System;
using System.Threading;

namespace RnnGen.Training;

/// <summary>
/// A long-lived background thread that runs one piece of work each time it is posted, for the data-parallel engines
/// (<see cref="DataParallelGradients"/>, <see cref="Seq2Seq.Seq2SeqDataParallel"/>): <see cref="Post"/> wakes it,
/// <see cref="Wait"/> waits for the work to finish. Nothing allocates per post once constructed.
/// </summary>
internal sealed class ShardWorker : IDisposable
{
    private readonly Action _work;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _go = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private volatile bool _stop;
    private volatile bool _warmUp;
    private long _allocatedBytes;

    public ShardWorker(string name, Action work)
    {
        _work = work;
        // A ManualResetEventSlim allocates its lock object the first time a thread really blocks on it; do that
        // now (a 1 ms timed-out wait) rather than in the first step that happens to find the worker still busy.
        _done.Wait(1);
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
        // And one real block-and-wake round trip (the worker answers after a short sleep), so whatever the
        // runtime creates lazily for a thread that is woken from a wait exists before the first step.
        _warmUp = true;
        _go.Set();
        _done.Wait();
        _done.Reset();
    }

    /// <summary>Bytes the worker allocated while running posted work (for the allocation tests).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocatedBytes);

    /// <summary>Starts the work on the worker thread.</summary>
    public void Post()
    {
        _done.Reset();
        _go.Set();
    }

    /// <summary>Waits until the posted work has finished.</summary>
    public void Wait() => _done.Wait();

    public void Dispose()
    {
        _stop = true;
        _go.Set();
        _thread.Join();
        _go.Dispose();
        _done.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stop) return;
            if (_warmUp)
            {
                _warmUp = false;
                Thread.Sleep(5);
                _done.Set();
                continue;
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            _work();
            Volatile.Write(ref _allocatedBytes, _allocatedBytes + GC.GetAllocatedBytesForCurrentThread() - before);
            _done.Set();
        }
    }
}
