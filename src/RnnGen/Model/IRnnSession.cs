using System;

namespace RnnGen;

/// <summary>
/// A generated model's session seen by generic runtime code (trainers, parity tests, pools):
/// the same members every generated <c>Session</c> has, with cell and head specifics made uniform
/// (a model without cell state reports an empty <see cref="FinalCell"/>, one without a head an
/// empty <see cref="HeadOutput"/>).
/// </summary>
public interface IRnnSession
{
    int MaxBatch { get; }
    int MaxSteps { get; }
    int Batch { get; }
    int Steps { get; }

    /// <summary>Forward from zero states; see the generated method for the full contract.</summary>
    void Forward(ReadOnlySpan<float> input, int batch, int steps, ReadOnlySpan<int> lengths);

    /// <summary>Forward from given initial states [L·D, B, H]; <paramref name="initialCell"/> must be empty for cells without cell state.</summary>
    void Forward(ReadOnlySpan<float> input, int batch, int steps, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell);

    /// <summary>Forward over token ids [B, T] (models declared with Vocabulary/EmbeddingSize).</summary>
    void Forward(ReadOnlySpan<int> tokens, int batch, int steps, ReadOnlySpan<int> lengths);

    /// <summary>Forward over token ids from given initial states.</summary>
    void Forward(ReadOnlySpan<int> tokens, int batch, int steps, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell);

    /// <summary>BPTT from gradients of the outputs and final states (any may be empty).</summary>
    void Backward(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> finalHiddenGradient,
        ReadOnlySpan<float> finalCellGradient, bool computeInputGradient);

    /// <summary>Loss of the last Forward against float targets (Linear: MSE, Sigmoid: BCE). Throws
    /// <see cref="NotSupportedException"/> for softmax heads (class ids) and models without a head.</summary>
    float Loss(ReadOnlySpan<float> targets);

    /// <summary>Cross-entropy of the last Forward against class ids (Softmax heads only).</summary>
    float Loss(ReadOnlySpan<int> classTargets);

    /// <summary>BPTT from the last Loss into the model's gradients (models with a head).</summary>
    void Backward();

    /// <summary>Streaming: advances the first <paramref name="batch"/> sequences one step from their kept state
    /// (feature models: input [batch, I]). Unidirectional models only.</summary>
    void Step(ReadOnlySpan<float> input, int batch);

    /// <summary>Streaming over token ids [batch] (token models).</summary>
    void Step(ReadOnlySpan<int> tokens, int batch);

    /// <summary>Clears the kept streaming state of every sequence.</summary>
    void ResetState();

    /// <summary>Clears the kept streaming state of one sequence.</summary>
    void ResetState(int sequence);

    /// <summary>Rearranges the kept streaming state: row i becomes the old row <c>sourceRows[i]</c>, for
    /// i &lt; sourceRows.Length (beam search keeps the states of the surviving hypotheses).</summary>
    void ReorderState(ReadOnlySpan<int> sourceRows);

    ReadOnlySpan<float> Output { get; }
    ReadOnlySpan<float> FinalHidden { get; }
    ReadOnlySpan<float> FinalCell { get; }
    ReadOnlySpan<float> HeadOutput { get; }
    ReadOnlySpan<float> InputGradient { get; }
    ReadOnlySpan<float> InitialHiddenGradient { get; }
    ReadOnlySpan<float> InitialCellGradient { get; }
}

/// <summary>A generated recurrent model: parameters (<see cref="IRnnModel"/>), its sizes, and sessions.</summary>
public interface IRnnNetwork : IRnnModel
{
    int InputSize { get; }
    int HiddenSize { get; }
    int Layers { get; }
    int Directions { get; }

    /// <summary>Token ids the model reads (<c>Vocabulary</c>), or 0 for a model that reads feature vectors.</summary>
    int Vocabulary { get; }

    /// <summary>The output head (<see cref="RnnGen.Head.None"/> when the model has none).</summary>
    Head Head { get; }

    /// <summary>Outputs of the head, 0 without one.</summary>
    int OutputSize { get; }

    /// <summary>Which steps the head reads.</summary>
    Sequence Sequence { get; }

    /// <summary>Creates a session for batches of up to <paramref name="maxBatch"/> sequences of up to <paramref name="maxSteps"/> steps.</summary>
    IRnnSession CreateSession(int maxBatch, int maxSteps);
}
