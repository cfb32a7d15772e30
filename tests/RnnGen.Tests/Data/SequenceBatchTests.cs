using System;
using RnnGen.Data;
using RnnGen.Tests.Support;

namespace RnnGen.Tests.Data;

public class SequenceBatchTests
{
    [Fact]
    public void Padding_And_Lengths_Are_Exact()
    {
        var batch = new SequenceBatch(maxBatch: 4, maxSteps: 5, features: 2, TargetLayout.PerStep, targetSize: 1);
        batch.Add([1, 2, 3, 4], [10, 20]);             // 2 steps
        batch.Add([5, 6, 7, 8, 9, 10], [30, 40, 50]);  // 3 steps
        batch.Add([11, 12], [60]);                     // 1 step
        batch.Complete();

        Assert.Equal(3, batch.Count);
        Assert.Equal(3, batch.Steps);
        Assert.Equal([2, 3, 1], batch.Lengths.ToArray());
        Assert.Equal(
            [1, 2, 3, 4, 0, 0,
             5, 6, 7, 8, 9, 10,
             11, 12, 0, 0, 0, 0], batch.Inputs.ToArray());
        Assert.Equal([10, 20, 0, 30, 40, 50, 60, 0, 0], batch.Targets.ToArray());
        Assert.Equal(6, batch.ValidSteps);
        Assert.Equal(1 - 6.0 / 9, batch.PaddingFraction, 12);
        Assert.Equal([-1, -1, -1], batch.Origins.ToArray());
    }

    [Fact]
    public void Refill_Clears_Stale_Values_From_A_Longer_Batch()
    {
        var batch = new SequenceBatch(3, 4, 1, TargetLayout.ClassPerStep, targetSize: 5);
        batch.AddWithClassIds([1, 2, 3, 4], [1, 2, 3, 4]);
        batch.AddWithClassIds([5, 6, 7, 8], [4, 3, 2, 1]);
        batch.Complete();
        batch.Clear();
        batch.AddWithClassIds([9, 9], [2, 2]);
        batch.AddWithClassIds([7], [3]);
        batch.Complete();
        Assert.Equal(2, batch.Steps);
        Assert.Equal([9, 9, 7, 0], batch.Inputs.ToArray());
        Assert.Equal([2, 2, 3, 0], batch.ClassTargets.ToArray());
    }

    [Fact]
    public void Tokens_And_Class_Targets()
    {
        var batch = SequenceBatch.ForTokens(2, 6, TargetLayout.ClassPerSequence, targetSize: 3);
        batch.AddTokens([4, 5, 6], 2);
        batch.AddTokens([7], 0);
        batch.Complete(minSteps: 4);
        Assert.Equal(4, batch.Steps);
        Assert.Equal([4, 5, 6, 0, 7, 0, 0, 0], batch.Tokens.ToArray());
        Assert.Equal([2, 0], batch.ClassTargets.ToArray());
        Assert.Throws<InvalidOperationException>(() => batch.Inputs.Length);
    }

    [Fact]
    public void Per_Sequence_Targets()
    {
        var batch = new SequenceBatch(2, 3, 1, TargetLayout.PerSequence, 2);
        batch.Add([1, 2, 3], [0.5f, 1.5f]);
        batch.Add([4], [2.5f, 3.5f]);
        batch.Complete();
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f], batch.Targets.ToArray());
        Assert.Equal([1, 2, 3, 4, 0, 0], batch.Inputs.ToArray());
    }

    [Fact]
    public void Wrong_Shapes_Name_Argument_Expected_And_Actual()
    {
        var batch = new SequenceBatch(2, 3, 2, TargetLayout.PerSequence, 1);
        var e = Assert.Throws<ArgumentException>(() => batch.Add([1, 2, 3], [1]));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("features = 2", e.Message);
        Assert.Contains("holds 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => batch.Add([1, 2, 3, 4], [1, 2]));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("1 values", e.Message);
        Assert.Contains("holds 2", e.Message);

        e = Assert.Throws<ArgumentException>(() => batch.Add([1, 2, 3, 4, 5, 6, 7, 8], [1]));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("1..3", e.Message);
        Assert.Contains("4 steps", e.Message);

        Assert.Throws<ArgumentException>(() => batch.Add([1, 2], 1)); // class overload on a float-target batch
        var classes = new SequenceBatch(2, 3, 1, TargetLayout.ClassPerSequence, 3);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => classes.Add([1], 3));
        Assert.Equal("classId", range.ParamName);
        Assert.Contains("0..2", range.Message);

        Assert.Throws<InvalidOperationException>(() => batch.Steps);
        batch.Add([1, 2], [1]);
        batch.Add([1, 2], [1]);
        Assert.Throws<InvalidOperationException>(() => batch.Add([1, 2], [1]));
    }

    [Fact]
    public void Refilling_Does_Not_Allocate_After_Warmup()
    {
        var batch = new SequenceBatch(8, 16, 3, TargetLayout.PerStep, 2);
        var tokenBatch = SequenceBatch.ForTokens(8, 16, TargetLayout.ClassPerStep, 10);
        var inputs = new float[16 * 3];
        var targets = new float[16 * 2];
        var tokens = new int[16];
        var ids = new int[16];
        void Fill()
        {
            batch.Clear();
            tokenBatch.Clear();
            for (int b = 0; b < 8; b++)
            {
                int length = 1 + (b * 5) % 16;
                batch.Add(inputs.AsSpan(0, length * 3), targets.AsSpan(0, length * 2));
                tokenBatch.AddTokensWithClassIds(tokens.AsSpan(0, length), ids.AsSpan(0, length));
            }
            batch.Complete();
            tokenBatch.Complete();
        }
        Assert.Equal(0, SteadyState.AllocatedBytes(Fill));
    }
}
