using System;
using System.Threading;
using System.Threading.Tasks;

namespace RnnGen.Serving;

/// <summary>
/// A thread-safe pool of preallocated sessions over one model's weights, for many concurrent callers
/// (request handlers, worker threads). Each call borrows a session, runs the caller's operation on it and
/// returns it; when every session is busy the call waits (cancellably). A call allocates nothing beyond what
/// the caller's operation allocates, provided the operation is a static lambda (or cached delegate) and its
/// state is passed through the <c>state</c> argument rather than captured.
/// </summary>
/// <remarks>
/// <para>The model can be replaced by a newly trained one with <see cref="Swap"/> while calls are in flight.
/// Sessions are bound to the model they were created for, so the pool keeps one session set per model and
/// swaps the whole set by reference: a call that already borrowed a session finishes on the old model, every
/// call that starts after <see cref="Swap"/> returns sees the new one, and no call ever mixes the two.</para>
/// <para>Calls only read the model's parameters. Do not modify a served model's <c>Parameters</c> (train a
/// copy and swap it in instead), and do not call <c>Backward</c> from an operation: sessions of one model add
/// into its shared gradients.</para>
/// <para>A session keeps whatever streaming state the previous borrower left. <c>Forward</c> always starts
/// from zero (or given) states; an operation that streams with <c>Step</c> calls <c>ResetState</c> first.</para>
/// </remarks>
/// <typeparam name="TModel">The model type, e.g. a generated model class or <see cref="IRnnNetwork"/>.</typeparam>
/// <typeparam name="TSession">The session type the operations receive, e.g. the generated <c>Model.Session</c>
/// or <see cref="IRnnSession"/>.</typeparam>
public sealed class InferencePool<TModel, TSession>
    where TModel : class
    where TSession : class
{
    private readonly Func<TModel, TSession> _createSession;

    // Bounds the calls in flight to Size over all session sets. A caller holding a permit always finds a
    // free session in whichever set it reads: at most Size − 1 other permit holders can hold sessions of
    // that set, and a session is returned before its permit is released.
    private readonly SemaphoreSlim _permits;

    private SessionSet _current;

    /// <summary>Creates the pool and its <paramref name="size"/> sessions for <paramref name="model"/>.</summary>
    /// <param name="model">The model to serve.</param>
    /// <param name="createSession">Creates one session of a model, e.g. <c>static m =&gt; m.CreateSession(1, 48)</c>;
    /// called <paramref name="size"/> times now and on every <see cref="Swap"/>. Each call must return a new session.</param>
    /// <param name="size">Sessions per model: the most calls that run at once.</param>
    public InferencePool(TModel model, Func<TModel, TSession> createSession, int size)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (createSession is null) throw new ArgumentNullException(nameof(createSession));
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "The pool needs at least one session.");
        _createSession = createSession;
        Size = size;
        _current = new SessionSet(model, CreateSessions(model), version: 1);
        _permits = new SemaphoreSlim(size, size);
    }

    /// <summary>Sessions per model: the most calls that run at once.</summary>
    public int Size { get; }

    /// <summary>The model new calls run on.</summary>
    public TModel Model => Volatile.Read(ref _current).Model;

    /// <summary>1 for the model the pool was created with, incremented by every <see cref="Swap"/>.</summary>
    public long Version => Volatile.Read(ref _current).Version;

    /// <summary>Sessions free right now (a snapshot, for monitoring).</summary>
    public int Available => _permits.CurrentCount;

    /// <summary>
    /// Borrows a session (waiting while all are busy), runs <paramref name="operation"/> on it with
    /// <paramref name="state"/>, returns the session and then the operation's result.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled before a
    /// session became free; the operation did not run.</exception>
    public TResult Run<TState, TResult>(TState state, Func<TSession, TState, TResult> operation, CancellationToken cancellationToken = default)
    {
        if (operation is null) throw new ArgumentNullException(nameof(operation));
        // A free session is taken without touching the token's registrations (Wait(token) registers a callback
        // even when it does not wait); a canceled token still throws before anything runs.
        cancellationToken.ThrowIfCancellationRequested();
        if (!_permits.Wait(0)) _permits.Wait(cancellationToken);
        return RunHoldingPermit(state, operation);
    }

    /// <summary>
    /// Like <see cref="Run{TState, TResult}"/>, but waits for a free session asynchronously. The operation itself
    /// runs synchronously (a session is never held across an await); when a session is free at once the call
    /// completes synchronously and allocates nothing.
    /// </summary>
    public ValueTask<TResult> RunAsync<TState, TResult>(TState state, Func<TSession, TState, TResult> operation, CancellationToken cancellationToken = default)
    {
        if (operation is null) throw new ArgumentNullException(nameof(operation));
        cancellationToken.ThrowIfCancellationRequested();
        if (_permits.Wait(0))
        {
            return new ValueTask<TResult>(RunHoldingPermit(state, operation));
        }
        return WaitThenRunAsync(state, operation, cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="model"/> the served model: creates its sessions, then switches new calls to it in one
    /// reference swap. Calls in flight finish on the previous model, whose sessions are dropped as they come back.
    /// If both models are <see cref="IRnnModel"/>s their architectures must be equal, so that callers' inputs and
    /// outputs keep their sizes.
    /// </summary>
    /// <returns>The previously served model (still in use by calls in flight until they return).</returns>
    public TModel Swap(TModel model)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        SessionSet old = Volatile.Read(ref _current);
        if (old.Model is IRnnModel oldNetwork && model is IRnnModel newNetwork &&
            !string.Equals(oldNetwork.Architecture, newNetwork.Architecture, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The new model's architecture '{newNetwork.Architecture}' differs from the served model's '{oldNetwork.Architecture}'.", nameof(model));
        }
        TSession[] sessions = CreateSessions(model); // outside any lock: can be slow, and may throw
        while (true)
        {
            var next = new SessionSet(model, sessions, old.Version + 1);
            SessionSet seen = Interlocked.CompareExchange(ref _current, next, old);
            if (ReferenceEquals(seen, old)) return old.Model;
            old = seen; // another Swap won the race; go after it so versions stay unique
        }
    }

    private async ValueTask<TResult> WaitThenRunAsync<TState, TResult>(TState state, Func<TSession, TState, TResult> operation, CancellationToken cancellationToken)
    {
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        return RunHoldingPermit(state, operation);
    }

    private TResult RunHoldingPermit<TState, TResult>(TState state, Func<TSession, TState, TResult> operation)
    {
        try
        {
            SessionSet set = Volatile.Read(ref _current);
            TSession session = set.Take();
            try
            {
                return operation(session, state);
            }
            finally
            {
                set.Return(session);
            }
        }
        finally
        {
            _permits.Release();
        }
    }

    private TSession[] CreateSessions(TModel model)
    {
        var sessions = new TSession[Size];
        for (int i = 0; i < sessions.Length; i++)
        {
            TSession session = _createSession(model)
                ?? throw new InvalidOperationException("The session factory returned null.");
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(sessions[j], session))
                {
                    throw new InvalidOperationException("The session factory returned the same session twice; each call must create a new one.");
                }
            }
            sessions[i] = session;
        }
        return sessions;
    }

    /// <summary>One model and its sessions; the free ones form a stack guarded by a lock held for a few instructions.</summary>
    private sealed class SessionSet
    {
        private readonly TSession[] _free;
        private int _freeCount;

        public SessionSet(TModel model, TSession[] sessions, long version)
        {
            Model = model;
            Version = version;
            _free = sessions;
            _freeCount = sessions.Length;
        }

        public TModel Model { get; }

        public long Version { get; }

        public TSession Take()
        {
            lock (_free)
            {
                // Cannot happen while the permit invariant holds; fail loudly rather than hand out a shared session.
                if (_freeCount == 0) throw new InvalidOperationException("Inference pool invariant broken: no free session.");
                TSession session = _free[--_freeCount];
                _free[_freeCount] = null!;
                return session;
            }
        }

        public void Return(TSession session)
        {
            lock (_free)
            {
                _free[_freeCount++] = session;
            }
        }
    }
}

/// <summary>Creates <see cref="InferencePool{TModel, TSession}"/>s for generated models.</summary>
public static class InferencePool
{
    /// <summary>
    /// A pool of <paramref name="size"/> sessions of <paramref name="model"/>, each for batches of up to
    /// <paramref name="maxBatch"/> sequences of up to <paramref name="maxSteps"/> steps, seen as <see cref="IRnnSession"/>.
    /// For the generated, typed session use the constructor with a factory such as
    /// <c>static m =&gt; m.CreateSession(maxBatch, maxSteps)</c>.
    /// </summary>
    public static InferencePool<TModel, IRnnSession> Create<TModel>(TModel model, int size, int maxBatch, int maxSteps)
        where TModel : class, IRnnNetwork
    {
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "Must be at least 1.");
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "Must be at least 1.");
        return new InferencePool<TModel, IRnnSession>(model, m => m.CreateSession(maxBatch, maxSteps), size);
    }
}
