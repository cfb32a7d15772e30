using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace RnnGen.Kernels;

/// <summary>
/// One persistent background worker that runs "part 1" of a two-part job while the calling thread
/// runs "part 0". The handoff is a generation counter the worker spins on (then sleeps on an event
/// after a few microseconds idle), so starting a job costs well under a microsecond when the worker is hot —
/// a <c>Parallel.For</c> costs microseconds. Jobs are plain function pointers with an unmanaged
/// state pointer: nothing allocates per job.
/// </summary>
/// <remarks>
/// One job at a time process-wide: a caller that finds the worker busy (another thread's job) or
/// <see cref="KernelOptions.MaxThreads"/> = 1 runs both parts itself, part 0 then part 1. The split
/// is the same either way, so a result depends only on how the job partitions the work, never on
/// which thread ran a part. The caller's <see cref="Gemm.ForcedPath"/> is applied on the worker.
/// </remarks>
internal static unsafe class ParallelWorker
{
    private static readonly ManualResetEventSlim s_wake = new(false, spinCount: 0);
    private static readonly Thread s_thread = StartThread();
    private static int s_busy;              // 1 while a caller owns the worker
    private static int s_posted;            // generation of the last posted job
    private static int s_finished;          // generation of the last finished job
    private static delegate*<void*, int, void> s_job;
    private static void* s_state;
    private static GemmPath? s_path;
    private static Exception? s_error;

    /// <summary>
    /// Per-part arrival counters of the step barrier, each on its own cache lines: a part publishes its
    /// arrival with one plain store to its own line and waits by reading the other's, so a barrier costs
    /// one cache-line transfer each way (a shared counter updated with a locked add costs more and makes
    /// both cores fight over one line).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 384)]
    private struct BarrierFlags
    {
        [FieldOffset(128)] public int Part0;
        [FieldOffset(256)] public int Part1;
    }

    private static BarrierFlags s_barrier;

    /// <summary>
    /// Tight spins (pause instructions) before a barrier wait starts yielding the core: ~100 µs, far longer
    /// than a step, so a yield happens only when the other part is not running (machine oversubscribed).
    /// </summary>
    private const int BarrierSpinsBeforeYield = 4000;

    private static Thread StartThread()
    {
        var t = new Thread(Loop) { IsBackground = true, Name = "RnnGen kernel worker" };
        t.Start();
        return t;
    }

    /// <summary>Whether a two-part job would currently get a second thread (MaxThreads ≥ 2 and more than one CPU).</summary>
    public static bool Enabled => KernelOptions.MaxThreads >= 2 && s_thread.IsAlive;

    /// <summary>
    /// Runs job(state, 0) on this thread and job(state, 1) on the worker, returning when both are
    /// done; or both on this thread (in order) when the worker is unavailable. Returns whether the
    /// worker ran part 1 (jobs that use <see cref="Barrier"/> must take the sequential route otherwise).
    /// </summary>
    public static bool TryRun(delegate*<void*, int, void> job, void* state)
    {
        if (!Enabled || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            return false;
        }
        try
        {
            s_job = job;
            s_state = state;
            s_path = Gemm.ForcedPath;
            s_error = null;
            Volatile.Write(ref s_barrier.Part0, 0);
            Volatile.Write(ref s_barrier.Part1, 0);
            int generation = s_posted + 1;
            Volatile.Write(ref s_posted, generation);
            s_wake.Set();
            try
            {
                job(state, 0);
            }
            finally
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref s_finished) != generation) spin.SpinOnce(sleep1Threshold: -1);
            }
            if (s_error is Exception e) throw new AggregateException("A kernel worker part failed.", e);
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Runs both parts, on two threads when possible.</summary>
    public static void Run(delegate*<void*, int, void> job, void* state)
    {
        if (!TryRun(job, state))
        {
            job(state, 0);
            job(state, 1);
        }
    }

    /// <summary>
    /// Two-party spin barrier, only valid inside a job started by <see cref="TryRun"/> that returned (or
    /// will return) true: returns once both parts have called it as often as this one.
    /// <paramref name="arrivals"/> is the calling part's own counter, starting at 0 in each part.
    /// </summary>
    /// <remarks>
    /// Waiting spins with single pause instructions: the exponential back-off of <see cref="SpinWait"/>
    /// sleeps for several microseconds per iteration after a few rounds, longer than a whole batch-1 step.
    /// Stores before the barrier are visible to the other part after it (release store, acquire load).
    /// </remarks>
    public static void Barrier(ref int arrivals, int part)
    {
        int epoch = ++arrivals;
        ref int mine = ref part == 0 ? ref s_barrier.Part0 : ref s_barrier.Part1;
        ref int other = ref part == 0 ? ref s_barrier.Part1 : ref s_barrier.Part0;
        Volatile.Write(ref mine, epoch);
        int spins = 0;
        while (Volatile.Read(ref other) < epoch)
        {
            if (++spins < BarrierSpinsBeforeYield) Pause();
            else Thread.Yield();
        }
    }

    /// <summary>
    /// One pause instruction where there is one (x86 PAUSE, Arm YIELD), inline: <see cref="Thread.SpinWait(int)"/>
    /// is a call into the runtime that spins a calibrated ~35 ns per iteration, so a barrier noticed the other core's
    /// arrival up to that late (perf: ~10 % of serve-lstm-h256x2-b1's samples inside it).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Pause()
    {
        if (System.Runtime.Intrinsics.X86.X86Base.IsSupported) System.Runtime.Intrinsics.X86.X86Base.Pause();
        else if (System.Runtime.Intrinsics.Arm.ArmBase.IsSupported) System.Runtime.Intrinsics.Arm.ArmBase.Yield();
        else Thread.SpinWait(1);
    }

    private static void Loop()
    {
        int seen = 0;
        while (true)
        {
            // Spin briefly for the next job (layer calls post back to back), then sleep: a worker
            // that spins for long steals the core from the caller's serial work (head, optimizer)
            // on a loaded machine.
            int spins = 0;
            while (Volatile.Read(ref s_posted) == seen)
            {
                if (++spins < 200)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                s_wake.Reset();
                if (Volatile.Read(ref s_posted) != seen) break;
                s_wake.Wait();
            }
            seen = Volatile.Read(ref s_posted);
            GemmPath? saved = Gemm.ForcedPath;
            Gemm.ForcedPath = s_path;
            try
            {
                s_job(s_state, 1);
            }
            catch (Exception e)
            {
                s_error = e;
            }
            finally
            {
                Gemm.ForcedPath = saved;
            }
            Volatile.Write(ref s_finished, seen);
        }
    }
}
