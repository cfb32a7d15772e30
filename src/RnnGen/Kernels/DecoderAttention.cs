using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using RnnGen.Training;

namespace RnnGen.Kernels;

/// <summary>
/// Encoder–decoder (seq2seq) attention for one decoder step over a batch. The memory is the padded
/// encoder output M [B, Ts, D] (row b·Ts + j), the query the decoder state s [B, Hq], and
/// sourceLengths [B] (each in 1..Ts) the valid source steps. Scores:
/// <list type="bullet">
/// <item>additive (Bahdanau): score_bj = vᵀ tanh(W s_b + K_bj), keys K = M·Uᵀ [B·Ts, A], U [A, D],
/// W [A, Hq], v [A], no biases;</item>
/// <item>dot (Luong): score_bj = s_b · M_bj (needs Hq == D; no keys);</item>
/// <item>general (Luong): score_bj = s_b · K_bj, keys K = M·W_gᵀ [B·Ts, Hq], W_g [Hq, D].</item>
/// </list>
/// α_b = softmax of the scores over j &lt; sourceLengths[b] (shifted by the maximum), α_bj = 0 past the
/// length, and the context is c_b = Σ_j α_bj M_bj [D].
/// </summary>
/// <remarks>
/// The keys depend on the memory only, so a decoder computes them once per source batch with
/// <see cref="ProjectKeys"/> (one GEMM over all B·Ts rows) and calls <see cref="Forward"/> once per
/// step; in training, <see cref="Backward"/> adds each step's key gradient into one dKeys buffer and
/// <see cref="ProjectKeysBackward"/> maps it back to the key weight and the memory once.
/// Padded memory rows are never read by <see cref="Forward"/>/<see cref="Backward"/>, but
/// <see cref="ProjectKeysBackward"/> multiplies them by their (zero) key gradients, so they must be finite.
/// Allocation-free; buffers come from the caller. Gradients are added into (+=) their buffers.
/// </remarks>
public static class DecoderAttention
{
    /// <summary>Width of a key row: A (additive), Hq (general) or D (dot, whose "keys" are the memory itself).</summary>
    public static int KeySize(Attention kind, int memorySize, int querySize, int attentionSize) => kind switch
    {
        Attention.Additive => attentionSize,
        Attention.General => querySize,
        Attention.Dot => memorySize,
        _ => ThrowKind<int>(kind),
    };

    /// <summary>Length of the forward cache: additive u [B·Ts, A] followed by q = W s [B, A]; 0 for dot and general.</summary>
    public static int CacheLength(Attention kind, int batch, int sourceSteps, int attentionSize) => kind switch
    {
        Attention.Additive => batch * sourceSteps * attentionSize + batch * attentionSize,
        Attention.Dot or Attention.General => 0,
        _ => ThrowKind<int>(kind),
    };

    /// <summary>Length of the backward scratch: dscore [B, Ts], plus dq [B, A] for additive.</summary>
    public static int ScratchLength(Attention kind, int batch, int sourceSteps, int attentionSize) => kind switch
    {
        Attention.Additive => batch * sourceSteps + batch * attentionSize,
        Attention.Dot or Attention.General => batch * sourceSteps,
        _ => ThrowKind<int>(kind),
    };

    /// <summary>
    /// Additive and general: keys [rows, keySize] = memory [rows, D] · keyWeightᵀ, keyWeight [keySize, D]
    /// (U [A, D] or W_g [Hq, D]); keys is overwritten. Dot has no keys: returns without touching anything.
    /// </summary>
    public static void ProjectKeys(Attention kind, int rows, int memorySize, int keySize,
        ReadOnlySpan<float> memory, ReadOnlySpan<float> keyWeight, Span<float> keys)
    {
        CheckKind(kind);
        if (kind == Attention.Dot) return;
        CheckProjection(rows, memorySize, keySize, memory, keyWeight);
        ArgumentChecks.Shape(keys.Length, nameof(keys), rows, nameof(rows), keySize, nameof(keySize));
        Gemm.Multiply(false, true, rows, keySize, memorySize, memory, memorySize, keyWeight, memorySize, keys, keySize, accumulate: false);
    }

    /// <summary>
    /// Backward of <see cref="ProjectKeys"/> from dKeys [rows, keySize]: dKeyWeight [keySize, D] += dKeysᵀ·memory;
    /// dMemory [rows, D] += dKeys·keyWeight. Dot: returns without touching anything.
    /// </summary>
    public static void ProjectKeysBackward(Attention kind, int rows, int memorySize, int keySize,
        ReadOnlySpan<float> memory, ReadOnlySpan<float> keyWeight, ReadOnlySpan<float> dKeys,
        Span<float> dKeyWeight, Span<float> dMemory)
    {
        CheckKind(kind);
        if (kind == Attention.Dot) return;
        CheckProjection(rows, memorySize, keySize, memory, keyWeight);
        ArgumentChecks.Shape(dKeys.Length, nameof(dKeys), rows, nameof(rows), keySize, nameof(keySize));
        ArgumentChecks.Shape(dKeyWeight.Length, nameof(dKeyWeight), keySize, nameof(keySize), memorySize, nameof(memorySize));
        ArgumentChecks.Shape(dMemory.Length, nameof(dMemory), rows, nameof(rows), memorySize, nameof(memorySize));
        Gemm.Multiply(true, false, keySize, memorySize, rows, dKeys, keySize, memory, memorySize, dKeyWeight, memorySize, accumulate: true);
        Gemm.Multiply(false, false, rows, memorySize, keySize, dKeys, keySize, keyWeight, memorySize, dMemory, memorySize, accumulate: true);
    }

    /// <summary>
    /// One decoder step. Inputs: sourceLengths [B] in 1..Ts; memory M [B·Ts, D]; keys [B·Ts, KeySize] from
    /// <see cref="ProjectKeys"/> (dot: ignored, empty or the memory); query s [B, Hq]; additive only (empty
    /// otherwise): queryWeight W [A, Hq] and scoreVector v [A].
    /// Outputs (overwritten): weights α [B, Ts] with zeros past each length; context c [B, D];
    /// cache [<see cref="CacheLength"/>] keeps u = tanh(W s + K) for <see cref="Backward"/> (additive).
    /// </summary>
    public static void Forward(Attention kind, int batch, int sourceSteps, int memorySize, int querySize, int attentionSize,
        ReadOnlySpan<int> sourceLengths, ReadOnlySpan<float> memory, ReadOnlySpan<float> keys,
        ReadOnlySpan<float> query, ReadOnlySpan<float> queryWeight, ReadOnlySpan<float> scoreVector,
        Span<float> weights, Span<float> context, Span<float> cache)
    {
        int keySize = CheckStep(kind, batch, sourceSteps, memorySize, querySize, attentionSize,
            sourceLengths, memory, keys, query, queryWeight, scoreVector);
        ArgumentChecks.Shape(weights.Length, nameof(weights), batch, nameof(batch), sourceSteps, nameof(sourceSteps));
        ArgumentChecks.Shape(context.Length, nameof(context), batch, nameof(batch), memorySize, nameof(memorySize));
        ArgumentChecks.Length(cache.Length, CacheLength(kind, batch, sourceSteps, attentionSize), nameof(cache),
            kind == Attention.Additive ? "batch × sourceSteps × attentionSize + batch × attentionSize" : "0: only additive attention caches");
        if (batch == 0) return;

        if (kind == Attention.Additive)
        {
            int rows = batch * sourceSteps;
            Span<float> u = cache.Slice(0, rows * attentionSize);
            Span<float> q = cache.Slice(rows * attentionSize, batch * attentionSize);
            // q [B, A] = s · Wᵀ
            Gemm.Multiply(false, true, batch, attentionSize, querySize, query, querySize, queryWeight, querySize, q, attentionSize, accumulate: false);
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> qb = q.Slice(b * attentionSize, attentionSize);
                int length = sourceLengths[b];
                int r0 = b * sourceSteps;
                for (int j = 0; j < length; j++)
                {
                    int r = r0 + j;
                    TensorPrimitives.Add(keys.Slice(r * attentionSize, attentionSize), qb, u.Slice(r * attentionSize, attentionSize));
                }
                // u_bj = tanh(q_b + K_bj) over the row's valid block in one call: the float-only SIMD tanh
                // (TensorPrimitives.Tanh goes through double) and one call instead of one per source position
                Span<float> block = u.Slice(r0 * attentionSize, length * attentionSize);
                ActivationMath.Tanh(block, block);
                for (int j = 0; j < length; j++)
                {
                    int r = r0 + j;
                    weights[r] = TensorPrimitives.Dot(u.Slice(r * attentionSize, attentionSize), scoreVector);
                }
                u.Slice((b * sourceSteps + length) * attentionSize, (sourceSteps - length) * attentionSize).Clear();
            }
        }
        else
        {
            // dot scores against the memory, general against the projected keys; both rows are Hq wide
            ReadOnlySpan<float> scored = kind == Attention.Dot ? memory : keys;
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> sb = query.Slice(b * querySize, querySize);
                for (int j = 0; j < sourceLengths[b]; j++)
                {
                    int r = b * sourceSteps + j;
                    weights[r] = TensorPrimitives.Dot(sb, scored.Slice(r * keySize, keySize));
                }
            }
        }

        for (int b = 0; b < batch; b++)
        {
            int length = sourceLengths[b];
            Span<float> alpha = weights.Slice(b * sourceSteps, sourceSteps);
            Span<float> valid = alpha.Slice(0, length);
            float sum = Softmax.ShiftedExp(valid, valid, out _);
            TensorPrimitives.Divide(valid, sum, valid);
            alpha.Slice(length).Clear();

            Span<float> c = context.Slice(b * memorySize, memorySize);
            c.Clear();
            for (int j = 0; j < length; j++)
            {
                int r = b * sourceSteps + j;
                TensorPrimitives.MultiplyAdd(memory.Slice(r * memorySize, memorySize), alpha[j], c, c); // c_b += α_bj M_bj
            }
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward"/> from dContext [B, D], with the forward's inputs, weights α [B, Ts] and
    /// cache. Everything is added into (+=): dQuery [B, Hq]; additive only (empty otherwise) dQueryWeight [A, Hq]
    /// and dScoreVector [A]; dKeys [B·Ts, KeySize] (additive and general; dot: ignored, may be empty — its score
    /// gradient goes straight into dMemory); dMemory [B·Ts, D] (α·dc, plus the dot score path).
    /// Padded rows of dKeys and dMemory are not touched. scratch [<see cref="ScratchLength"/>] holds
    /// dscore [B, Ts] and, for additive, dq [B, A].
    /// </summary>
    public static void Backward(Attention kind, int batch, int sourceSteps, int memorySize, int querySize, int attentionSize,
        ReadOnlySpan<int> sourceLengths, ReadOnlySpan<float> memory, ReadOnlySpan<float> keys,
        ReadOnlySpan<float> query, ReadOnlySpan<float> queryWeight, ReadOnlySpan<float> scoreVector,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> cache, ReadOnlySpan<float> dContext,
        Span<float> dQuery, Span<float> dQueryWeight, Span<float> dScoreVector, Span<float> dKeys, Span<float> dMemory, Span<float> scratch)
    {
        int keySize = CheckStep(kind, batch, sourceSteps, memorySize, querySize, attentionSize,
            sourceLengths, memory, keys, query, queryWeight, scoreVector);
        bool additive = kind == Attention.Additive;
        int rows = batch * sourceSteps;
        ArgumentChecks.Shape(weights.Length, nameof(weights), batch, nameof(batch), sourceSteps, nameof(sourceSteps));
        ArgumentChecks.Length(cache.Length, CacheLength(kind, batch, sourceSteps, attentionSize), nameof(cache),
            additive ? "batch × sourceSteps × attentionSize + batch × attentionSize" : "0: only additive attention caches");
        ArgumentChecks.Shape(dContext.Length, nameof(dContext), batch, nameof(batch), memorySize, nameof(memorySize));
        ArgumentChecks.Shape(dQuery.Length, nameof(dQuery), batch, nameof(batch), querySize, nameof(querySize));
        CheckAdditiveOnly(additive, dQueryWeight.Length, nameof(dQueryWeight), attentionSize, querySize);
        CheckAdditiveOnly(additive, dScoreVector.Length, nameof(dScoreVector), 1, attentionSize);
        if (kind == Attention.Dot) ArgumentChecks.OptionalShape(dKeys.Length, nameof(dKeys), rows, "batch × sourceSteps", keySize, "keySize");
        else ArgumentChecks.Shape(dKeys.Length, nameof(dKeys), rows, "batch × sourceSteps", keySize, "keySize");
        ArgumentChecks.Shape(dMemory.Length, nameof(dMemory), rows, "batch × sourceSteps", memorySize, nameof(memorySize));
        ArgumentChecks.Length(scratch.Length, ScratchLength(kind, batch, sourceSteps, attentionSize), nameof(scratch),
            additive ? "batch × sourceSteps + batch × attentionSize" : "batch × sourceSteps");
        if (batch == 0) return;

        // dα_bj = dc_b · M_bj; dM_bj += α_bj dc_b; dscore_bj = α_bj (dα_bj − Σ_k α_bk dα_bk), 0 when padded
        Span<float> dScore = scratch.Slice(0, rows);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> dc = dContext.Slice(b * memorySize, memorySize);
            int length = sourceLengths[b];
            float expected = 0f;
            for (int j = 0; j < length; j++)
            {
                int r = b * sourceSteps + j;
                float dAlpha = TensorPrimitives.Dot(dc, memory.Slice(r * memorySize, memorySize));
                dScore[r] = dAlpha;
                expected += weights[r] * dAlpha;
                Span<float> dm = dMemory.Slice(r * memorySize, memorySize);
                TensorPrimitives.MultiplyAdd(dc, weights[r], dm, dm);
            }
            for (int j = 0; j < sourceSteps; j++)
            {
                int r = b * sourceSteps + j;
                dScore[r] = j < length ? weights[r] * (dScore[r] - expected) : 0f;
            }
        }

        if (additive)
        {
            ReadOnlySpan<float> u = cache.Slice(0, rows * attentionSize);
            Span<float> dq = scratch.Slice(rows, batch * attentionSize);
            dq.Clear();
            for (int b = 0; b < batch; b++)
            {
                Span<float> dqb = dq.Slice(b * attentionSize, attentionSize);
                for (int j = 0; j < sourceLengths[b]; j++)
                {
                    int r = b * sourceSteps + j;
                    float ds = dScore[r];
                    ReadOnlySpan<float> ur = u.Slice(r * attentionSize, attentionSize);
                    TensorPrimitives.MultiplyAdd(ur, ds, dScoreVector, dScoreVector); // dv += dscore_bj u_bj
                    // dpre_bj = dscore_bj v ⊙ (1 − u_bj²), added into dK_bj and dq_b
                    Span<float> dk = dKeys.Slice(r * attentionSize, attentionSize);
                    for (int a = 0; a < attentionSize; a++)
                    {
                        float dPre = ds * scoreVector[a] * (1f - ur[a] * ur[a]);
                        dk[a] += dPre;
                        dqb[a] += dPre;
                    }
                }
            }
            // dW [A, Hq] += dqᵀ·s; dQuery [B, Hq] += dq·W
            Gemm.Multiply(true, false, attentionSize, querySize, batch, dq, attentionSize, query, querySize, dQueryWeight, querySize, accumulate: true);
            Gemm.Multiply(false, false, batch, querySize, attentionSize, dq, attentionSize, queryWeight, querySize, dQuery, querySize, accumulate: true);
        }
        else
        {
            // dot: score_bj = s_b·M_bj, general: s_b·K_bj; dQuery_b += Σ_j dscore_bj row_bj, d row_bj += dscore_bj s_b
            ReadOnlySpan<float> scored = kind == Attention.Dot ? memory : keys;
            Span<float> dScored = kind == Attention.Dot ? dMemory : dKeys;
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> sb = query.Slice(b * querySize, querySize);
                Span<float> dsb = dQuery.Slice(b * querySize, querySize);
                for (int j = 0; j < sourceLengths[b]; j++)
                {
                    int r = b * sourceSteps + j;
                    float ds = dScore[r];
                    TensorPrimitives.MultiplyAdd(scored.Slice(r * keySize, keySize), ds, dsb, dsb);
                    Span<float> dRow = dScored.Slice(r * keySize, keySize);
                    TensorPrimitives.MultiplyAdd(sb, ds, dRow, dRow);
                }
            }
        }
    }

    /// <summary>Validates the arguments <see cref="Forward"/> and <see cref="Backward"/> share; returns the key size.</summary>
    private static int CheckStep(Attention kind, int batch, int sourceSteps, int memorySize, int querySize, int attentionSize,
        ReadOnlySpan<int> sourceLengths, ReadOnlySpan<float> memory, ReadOnlySpan<float> keys,
        ReadOnlySpan<float> query, ReadOnlySpan<float> queryWeight, ReadOnlySpan<float> scoreVector)
    {
        CheckKind(kind);
        ArgumentChecks.NonNegative(batch, nameof(batch));
        ArgumentChecks.NonNegative(sourceSteps, nameof(sourceSteps));
        ArgumentChecks.NonNegative(memorySize, nameof(memorySize));
        ArgumentChecks.NonNegative(querySize, nameof(querySize));
        ArgumentChecks.NonNegative(attentionSize, nameof(attentionSize));
        if (kind == Attention.Dot && querySize != memorySize) ThrowDotSizes(querySize, memorySize);
        bool additive = kind == Attention.Additive;
        int keySize = KeySize(kind, memorySize, querySize, attentionSize);
        int rows = batch * sourceSteps;

        ArgumentChecks.Length(sourceLengths.Length, batch, nameof(sourceLengths), "batch");
        for (int b = 0; b < batch; b++)
        {
            int length = sourceLengths[b];
            if (length < 1 || length > sourceSteps) ThrowSourceLength(b, length, sourceSteps);
        }
        ArgumentChecks.Shape(memory.Length, nameof(memory), rows, "batch × sourceSteps", memorySize, nameof(memorySize));
        if (kind == Attention.Dot) ArgumentChecks.OptionalShape(keys.Length, nameof(keys), rows, "batch × sourceSteps", keySize, "keySize");
        else ArgumentChecks.Shape(keys.Length, nameof(keys), rows, "batch × sourceSteps", keySize, "keySize");
        ArgumentChecks.Shape(query.Length, nameof(query), batch, nameof(batch), querySize, nameof(querySize));
        CheckAdditiveOnly(additive, queryWeight.Length, nameof(queryWeight), attentionSize, querySize);
        CheckAdditiveOnly(additive, scoreVector.Length, nameof(scoreVector), 1, attentionSize);
        return keySize;
    }

    /// <summary>Additive: length must be rows·columns ([A, Hq] or [A]); dot and general: must be empty.</summary>
    private static void CheckAdditiveOnly(bool additive, int length, string name, int rows, int columns)
    {
        if (additive)
        {
            if (rows == 1) ArgumentChecks.Length(length, columns, name, "attentionSize");
            else ArgumentChecks.Shape(length, name, rows, "attentionSize", columns, "querySize");
        }
        else
        {
            ArgumentChecks.Length(length, 0, name, "empty: only additive attention has it");
        }
    }

    private static void CheckProjection(int rows, int memorySize, int keySize, ReadOnlySpan<float> memory, ReadOnlySpan<float> keyWeight)
    {
        ArgumentChecks.NonNegative(rows, nameof(rows));
        ArgumentChecks.NonNegative(memorySize, nameof(memorySize));
        ArgumentChecks.NonNegative(keySize, nameof(keySize));
        ArgumentChecks.Shape(memory.Length, nameof(memory), rows, nameof(rows), memorySize, nameof(memorySize));
        ArgumentChecks.Shape(keyWeight.Length, nameof(keyWeight), keySize, nameof(keySize), memorySize, nameof(memorySize));
    }

    private static void CheckKind(Attention kind)
    {
        if (kind is not (Attention.Additive or Attention.Dot or Attention.General)) ThrowKind<int>(kind);
    }

    [DoesNotReturn]
    private static T ThrowKind<T>(Attention kind) =>
        throw new ArgumentOutOfRangeException(nameof(kind), kind,
            $"Expected Attention.Additive, Dot or General for decoder attention, but got {kind}.");

    [DoesNotReturn]
    private static void ThrowDotSizes(int querySize, int memorySize) =>
        throw new ArgumentException(
            $"Dot attention scores s·M, so querySize ({querySize}) must equal memorySize ({memorySize}).", nameof(querySize));

    [DoesNotReturn]
    private static void ThrowSourceLength(int row, int length, int sourceSteps) =>
        throw new ArgumentOutOfRangeException("sourceLengths", length,
            $"Expected sourceLengths[{row}] (batch row {row}) in 1..{sourceSteps} (sourceSteps), but got {length}" +
            (length == 0 ? ": an empty source cannot be attended to." : "."));
}
