using System;
using System.Collections.Generic;

namespace RnnGen.Seq2Seq;

/// <summary>
/// An encoder–decoder model: the base of every class declared with <c>[Seq2SeqModel]</c> (the generator derives
/// the partial class from it and fixes its <see cref="Seq2SeqShape"/> at build time). All parameters live in one
/// buffer (<see cref="Parameters"/>) with PyTorch-style names, so the serializer, checkpoints, optimizers and
/// gradient clipping of the runtime work unchanged.
/// </summary>
/// <remarks>Weights are shared; each thread uses its own <see cref="Seq2SeqSession"/> (training) or
/// <see cref="Seq2SeqStepSource"/> (decoding).</remarks>
public abstract class Seq2SeqNetwork : IRnnModel
{
    private readonly Seq2SeqLayout _layout;

    protected Seq2SeqNetwork(Seq2SeqShape shape, long seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _layout = new Seq2SeqLayout(shape);
        Parameters = new float[_layout.ParameterCount];
        Gradients = new float[_layout.ParameterCount];
        _layout.Initialize(Parameters, seed);
    }

    /// <summary>A replica that reads <paramref name="sharedParameters"/> (another network's buffer, not copied) and has
    /// its own gradients: how <see cref="Seq2SeqDataParallel"/> runs shards of a batch on several cores.</summary>
    private protected Seq2SeqNetwork(Seq2SeqShape shape, float[] sharedParameters)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _layout = new Seq2SeqLayout(shape);
        if (sharedParameters.Length != _layout.ParameterCount)
            throw new ArgumentException($"Expected {_layout.ParameterCount} shared parameters, but got {sharedParameters.Length}.", nameof(sharedParameters));
        Parameters = sharedParameters;
        Gradients = new float[_layout.ParameterCount];
    }

    /// <summary>The sizes and choices of the model.</summary>
    public Seq2SeqShape Shape => _layout.Shape;

    internal Seq2SeqLayout Layout => _layout;

    public string Architecture => _layout.Shape.Describe();
    public int ParameterCount => _layout.ParameterCount;
    public float[] Parameters { get; }
    public float[] Gradients { get; }
    public IReadOnlyList<ParameterTensor> ParameterTensors => _layout.Tensors;

    /// <summary>Sets every gradient to zero (call before each batch's backward pass).</summary>
    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>A training/evaluation workspace for batches of up to <paramref name="maxBatch"/> pairs with up to
    /// <paramref name="maxSourceSteps"/> source and <paramref name="maxTargetSteps"/> target tokens (target
    /// sequences include the final <c>&lt;eos&gt;</c>). Allocates all its buffers once.</summary>
    public Seq2SeqSession CreateSession(int maxBatch, int maxSourceSteps, int maxTargetSteps) =>
        new(this, maxBatch, maxSourceSteps, maxTargetSteps);

    /// <summary>A one-token-at-a-time decoder over one encoded source, for <see cref="Decoding"/>'s greedy,
    /// sampling and beam search decoders (<paramref name="maxRows"/> = the largest beam).</summary>
    public Seq2SeqStepSource CreateStepSource(int maxSourceSteps, int maxRows = 1) =>
        new(this, maxSourceSteps, maxRows);

    public override string ToString() => Architecture;
}

/// <summary>A network that shares another's parameters and has its own gradient buffer.</summary>
internal sealed class Seq2SeqReplica : Seq2SeqNetwork
{
    public Seq2SeqReplica(Seq2SeqNetwork master) : base(master.Shape, master.Parameters) { }
}
