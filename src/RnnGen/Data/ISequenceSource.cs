namespace RnnGen.Data;

/// <summary>
/// An indexed collection of examples that can write one example into a <see cref="SequenceBatch"/>:
/// what <see cref="BatchLoader"/> shuffles, buckets and batches.
/// </summary>
public interface ISequenceSource
{
    /// <summary>The shape of every example.</summary>
    BatchShape Shape { get; }

    /// <summary>Number of examples.</summary>
    int Count { get; }

    /// <summary>Steps of example <paramref name="index"/> (1 or more).</summary>
    int LengthOf(int index);

    /// <summary>Adds example <paramref name="index"/> as one row of <paramref name="batch"/> and returns the row; must not allocate.</summary>
    int AddTo(SequenceBatch batch, int index);
}
