using System;

namespace RnnGen.Ctc;

/// <summary>Greedy (best path) CTC decoding.</summary>
public static class CtcGreedyDecoder
{
    /// <summary>
    /// Best path: the arg-max class per step (first on ties), repeats collapsed, blanks dropped. Scores [T, C] may be
    /// logits, log-probabilities or probabilities (the arg-max is the same). Writes the labels into
    /// <paramref name="labels"/> (at most T) and returns their count. Allocation-free.
    /// </summary>
    public static int Decode(ReadOnlySpan<float> scores, int steps, int classes, Span<int> labels, int blank = 0)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Expected steps ≥ 0, but got {steps}.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"Expected classes ≥ 1, but got {classes}.");
        if ((uint)blank >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(blank), blank, $"Expected blank in [0, {classes}), but got {blank}.");
        if (scores.Length < (long)steps * classes)
            throw new ArgumentException($"Expected scores to hold at least T·C = {steps}·{classes} values, but it holds {scores.Length}.", nameof(scores));
        int count = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> row = scores.Slice(t * classes, classes);
            int best = 0;
            for (int k = 1; k < classes; k++)
            {
                if (row[k] > row[best]) best = k;
            }
            if (best != blank && best != previous)
            {
                if (count >= labels.Length)
                    throw new ArgumentException($"labels holds {labels.Length} values, too few for the decoded sequence (up to T = {steps}).", nameof(labels));
                labels[count++] = best;
            }
            previous = best;
        }
        return count;
    }

    /// <summary>Allocating convenience form of <see cref="Decode(ReadOnlySpan{float}, int, int, Span{int}, int)"/>.</summary>
    public static int[] Decode(ReadOnlySpan<float> scores, int classes, int blank = 0)
    {
        if (classes < 1 || scores.Length % classes != 0)
            throw new ArgumentException($"Expected scores to hold T × classes ({classes}) values, but it holds {scores.Length}.", nameof(scores));
        int steps = scores.Length / classes;
        int[] buffer = new int[steps];
        int n = Decode(scores, steps, classes, buffer, blank);
        return buffer.AsSpan(0, n).ToArray();
    }
}

/// <summary>One n-best result of <see cref="CtcPrefixBeamSearch"/>.</summary>
public sealed record CtcHypothesis(int[] Labels, double LogProbability);

/// <summary>
/// CTC prefix beam search (Hannun et al. 2014, without a language model): keeps the <see cref="BeamWidth"/> most
/// probable label prefixes, each with log P(prefix, ends in blank) and log P(prefix, ends in a label), summing over
/// all alignments that collapse to the same prefix — so it can find a labelling whose total probability beats the
/// greedy best path's.
/// </summary>
/// <remarks>
/// Input: log-probabilities [T, C] (log-softmax of the logits; use <c>Softmax.LogForward</c>). Prefixes are nodes
/// of a trie in pools sized at construction (up to 1 + maxSteps·beamWidth·(C − 1) nodes), so
/// <see cref="Decode"/> allocates nothing; results are read with <see cref="Count"/>, <see cref="GetLabels"/> and
/// <see cref="GetLogProbability"/> until the next call. Not thread-safe.
/// </remarks>
public sealed class CtcPrefixBeamSearch
{
    private readonly int maxSteps;
    private readonly int classes;
    private readonly int blank;

    // trie
    private readonly int[] parent, label, depth;
    private readonly int[] hashKeyNode; // open addressing: child node id, or −1; key = (parent, label)
    private readonly int hashMask;
    private int nodeCount;

    // beams (current) and candidates (next step)
    private readonly int[] beamNode;
    private readonly double[] beamBlank, beamLabel;
    private int beamCount;
    private readonly int[] candNode;
    private readonly double[] candBlank, candLabel, candKey;
    private readonly int[] candOrder;
    private readonly int[] slotOfNode, stampOfNode;
    private int stamp;

    public CtcPrefixBeamSearch(int maxSteps, int classes, int beamWidth, int blank = 0)
    {
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"Expected maxSteps ≥ 1, but got {maxSteps}.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"Expected classes ≥ 2, but got {classes}.");
        if (beamWidth < 1) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, $"Expected beamWidth ≥ 1, but got {beamWidth}.");
        if ((uint)blank >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(blank), blank, $"Expected blank in [0, {classes}), but got {blank}.");
        long nodes = 1 + (long)maxSteps * beamWidth * (classes - 1);
        if (nodes > 1 << 26)
            throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"maxSteps·beamWidth·(classes − 1) = {nodes - 1} prefixes is too many for one decoder.");
        this.maxSteps = maxSteps;
        this.classes = classes;
        this.blank = blank;
        BeamWidth = beamWidth;
        parent = new int[nodes];
        label = new int[nodes];
        depth = new int[nodes];
        int capacity = 1;
        while (capacity < 2 * nodes) capacity <<= 1;
        hashKeyNode = new int[capacity];
        hashMask = capacity - 1;
        int candidates = beamWidth * classes;
        beamNode = new int[beamWidth];
        beamBlank = new double[beamWidth];
        beamLabel = new double[beamWidth];
        candNode = new int[candidates];
        candBlank = new double[candidates];
        candLabel = new double[candidates];
        candKey = new double[candidates];
        candOrder = new int[candidates];
        slotOfNode = new int[nodes];
        stampOfNode = new int[nodes];
    }

    public int BeamWidth { get; }

    /// <summary>Number of hypotheses from the last <see cref="Decode"/> (≤ beam width), best first.</summary>
    public int Count => beamCount;

    /// <summary>Decodes log-probabilities [T, C] (T = <paramref name="steps"/>, ≤ maxSteps); returns <see cref="Count"/>.</summary>
    public int Decode(ReadOnlySpan<float> logProbabilities, int steps)
    {
        if (steps < 1 || steps > maxSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"Expected steps in 1..{maxSteps} (maxSteps), but got {steps}.");
        if (logProbabilities.Length < (long)steps * classes)
            throw new ArgumentException($"Expected logProbabilities to hold at least T·C = {steps}·{classes} values, but it holds {logProbabilities.Length}.", nameof(logProbabilities));

        Array.Fill(hashKeyNode, -1);
        Array.Clear(stampOfNode);
        stamp = 0;
        nodeCount = 1;
        parent[0] = -1;
        label[0] = -1;
        depth[0] = 0;
        beamCount = 1;
        beamNode[0] = 0;
        beamBlank[0] = 0.0; // log 1: the empty prefix, "ending in blank"
        beamLabel[0] = double.NegativeInfinity;

        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> lp = logProbabilities.Slice(t * classes, classes);
            stamp++;
            int candCount = 0;
            for (int j = 0; j < beamCount; j++)
            {
                int node = beamNode[j];
                double pb = beamBlank[j], pnb = beamLabel[j];
                double total = CtcLoss.LogAdd(pb, pnb);
                int end = label[node];
                for (int k = 0; k < classes; k++)
                {
                    double p = lp[k];
                    if (double.IsNegativeInfinity(p)) continue;
                    if (k == blank)
                    {
                        int slot = Candidate(node, ref candCount);
                        candBlank[slot] = CtcLoss.LogAdd(candBlank[slot], total + p);
                        continue;
                    }
                    int child = Child(node, k);
                    int cs = Candidate(child, ref candCount);
                    if (k == end)
                    {
                        // a repeat only extends after a blank; without one it stays the same prefix
                        candLabel[cs] = CtcLoss.LogAdd(candLabel[cs], pb + p);
                        int same = Candidate(node, ref candCount);
                        candLabel[same] = CtcLoss.LogAdd(candLabel[same], pnb + p);
                    }
                    else
                    {
                        candLabel[cs] = CtcLoss.LogAdd(candLabel[cs], total + p);
                    }
                }
            }

            // keep the best BeamWidth candidates (descending total; ties by shorter prefix, then node id)
            int kept = 0;
            for (int i = 0; i < candCount; i++)
            {
                candKey[i] = -CtcLoss.LogAdd(candBlank[i], candLabel[i]);
                if (double.IsPositiveInfinity(candKey[i])) continue;
                if (kept == BeamWidth && !Before(i, candOrder[kept - 1])) continue;
                int j = kept < BeamWidth ? kept++ : kept - 1;
                while (j > 0 && Before(i, candOrder[j - 1]))
                {
                    candOrder[j] = candOrder[j - 1];
                    j--;
                }
                candOrder[j] = i;
            }
            for (int r = 0; r < kept; r++)
            {
                int slot = candOrder[r];
                beamNode[r] = candNode[slot];
                beamBlank[r] = candBlank[slot];
                beamLabel[r] = candLabel[slot];
            }
            beamCount = kept;
        }
        return beamCount;
    }

    /// <summary>log P(labels of hypothesis <paramref name="rank"/>) summed over its alignments.</summary>
    public double GetLogProbability(int rank)
    {
        CheckRank(rank);
        return CtcLoss.LogAdd(beamBlank[rank], beamLabel[rank]);
    }

    /// <summary>Length of hypothesis <paramref name="rank"/>'s label sequence.</summary>
    public int GetLength(int rank)
    {
        CheckRank(rank);
        return depth[beamNode[rank]];
    }

    /// <summary>Writes hypothesis <paramref name="rank"/>'s labels into <paramref name="labels"/>; returns their count.</summary>
    public int GetLabels(int rank, Span<int> labels)
    {
        CheckRank(rank);
        int node = beamNode[rank];
        int n = depth[node];
        if (labels.Length < n)
            throw new ArgumentException($"labels holds {labels.Length} values but hypothesis {rank} has {n} labels.", nameof(labels));
        for (int i = n - 1; i >= 0; i--)
        {
            labels[i] = label[node];
            node = parent[node];
        }
        return n;
    }

    /// <summary>Allocating convenience: decode and return up to <paramref name="nBest"/> hypotheses, best first.</summary>
    public CtcHypothesis[] DecodeNBest(ReadOnlySpan<float> logProbabilities, int steps, int nBest)
    {
        if (nBest < 1) throw new ArgumentOutOfRangeException(nameof(nBest), nBest, $"Expected nBest ≥ 1, but got {nBest}.");
        int count = Math.Min(Decode(logProbabilities, steps), nBest);
        var result = new CtcHypothesis[count];
        for (int r = 0; r < count; r++)
        {
            int[] labels = new int[GetLength(r)];
            GetLabels(r, labels);
            result[r] = new CtcHypothesis(labels, GetLogProbability(r));
        }
        return result;
    }

    private void CheckRank(int rank)
    {
        if ((uint)rank >= (uint)beamCount)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Expected rank in [0, {beamCount}) (Count), but got {rank}.");
    }

    private int Candidate(int node, ref int candCount)
    {
        if (stampOfNode[node] == stamp) return slotOfNode[node];
        int slot = candCount++;
        stampOfNode[node] = stamp;
        slotOfNode[node] = slot;
        candNode[slot] = node;
        candBlank[slot] = double.NegativeInfinity;
        candLabel[slot] = double.NegativeInfinity;
        return slot;
    }

    private int Child(int node, int k)
    {
        uint h = unchecked((uint)(node * 31 + k) * 2654435761u);
        int i = (int)(h & (uint)hashMask);
        while (true)
        {
            int existing = hashKeyNode[i];
            if (existing < 0) break;
            if (parent[existing] == node && label[existing] == k) return existing;
            i = (i + 1) & hashMask;
        }
        int id = nodeCount++;
        parent[id] = node;
        label[id] = k;
        depth[id] = depth[node] + 1;
        hashKeyNode[i] = id;
        return id;
    }

    private bool Before(int x, int y)
    {
        if (candKey[x] != candKey[y]) return candKey[x] < candKey[y];
        int dx = depth[candNode[x]], dy = depth[candNode[y]];
        if (dx != dy) return dx < dy;
        return candNode[x] < candNode[y];
    }
}
