using System;
using System.Runtime.InteropServices;

namespace RnnGen.Kernels;

/// <summary>
/// Implemented by the generated sessions of bidirectional models: the forward pass of one direction of
/// one layer (the same kernel call the session would otherwise make in sequence).
/// </summary>
public interface IBidirectionalForward
{
    /// <summary>Runs direction <paramref name="direction"/> (0 forward, 1 reverse) of layer <paramref name="layer"/> over the current batch.</summary>
    void ForwardDirection(int layer, int direction);
}

/// <summary>
/// Implemented by the generated sessions of bidirectional models: the backward pass of one direction of one
/// layer. The reverse direction writes its input gradient and uses its scratch apart from the forward one's.
/// </summary>
public interface IBidirectionalBackward
{
    /// <summary>Runs direction <paramref name="direction"/> (0 forward, 1 reverse) of layer <paramref name="layer"/>'s backward pass.</summary>
    void BackwardDirection(int layer, int direction);
}

/// <summary>
/// One direction per core: the two directions of a bidirectional layer are independent (same input,
/// disjoint outputs, caches and final-state slots), so they run at the same time, the forward direction
/// on the calling thread and the reverse one on the kernel worker.
/// </summary>
/// <remarks>
/// Each direction then has a core to itself: no per-step barrier at batch 1 (where one direction split
/// across two cores pays one per step), no batch split per direction for B ≥ 2, and each direction's
/// W_hh stays in its own core's L2. The kernels inside a direction find the worker busy and run on
/// their own thread, with the same partition of the work as on two threads, so the results are the
/// same bits either way. When the worker is taken (another thread's job) or
/// <see cref="KernelOptions.MaxThreads"/> is 1 the directions run one after the other.
/// </remarks>
public static class Bidirectional
{
    /// <summary>Test hook: run the directions one after the other even when the worker is free.</summary>
    internal static bool Sequential { get; set; }

    /// <summary>Both directions of layer <paramref name="layer"/>'s forward pass, one per core when the worker is free.</summary>
    public static void Forward(IBidirectionalForward session, int layer)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!TryRunBoth(session, layer, backward: false))
        {
            session.ForwardDirection(layer, 0);
            session.ForwardDirection(layer, 1);
        }
    }

    /// <summary>Both directions of layer <paramref name="layer"/>'s backward pass, one per core when the worker is free.</summary>
    public static void Backward(IBidirectionalBackward session, int layer)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!TryRunBoth(session, layer, backward: true))
        {
            session.BackwardDirection(layer, 0);
            session.BackwardDirection(layer, 1);
        }
    }

    /// <summary>Runs direction 0 here and direction 1 on the worker; false (nothing run) when the worker is not available.</summary>
    private static unsafe bool TryRunBoth(object session, int layer, bool backward)
    {
        if (!ParallelWorker.Enabled || Sequential)
        {
            return false;
        }
        // The job state must be unmanaged: the session travels as a GC handle (no managed allocation).
        GCHandle handle = GCHandle.Alloc(session);
        try
        {
            var job = new Job { Session = GCHandle.ToIntPtr(handle), Layer = layer, Backward = backward };
            return ParallelWorker.TryRun(&Part, &job);
        }
        finally
        {
            handle.Free();
        }
    }

    private struct Job
    {
        public IntPtr Session;
        public int Layer;
        public bool Backward;
    }

    private static unsafe void Part(void* state, int part)
    {
        ref Job job = ref *(Job*)state;
        object target = GCHandle.FromIntPtr(job.Session).Target!;
        if (job.Backward) ((IBidirectionalBackward)target).BackwardDirection(job.Layer, part);
        else ((IBidirectionalForward)target).ForwardDirection(job.Layer, part);
    }
}
