using System;
using System.Linq;
using RnnGen.Data;
using RnnGen.Initialization;

namespace RnnGen.Tests.Data;

public class SplitAndShuffleTests
{
    [Fact]
    public void Permutation_Is_Reproducible_And_Seed_Dependent()
    {
        int[] a = SeededShuffle.Permutation(50, 42), b = SeededShuffle.Permutation(50, 42), c = SeededShuffle.Permutation(50, 43);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 50), a.OrderBy(i => i));
    }

    [Fact]
    public void Shuffle_Resumes_From_A_Saved_State()
    {
        var random = new SeededRandom(5);
        var first = Enumerable.Range(0, 20).ToArray();
        SeededShuffle.Shuffle(first.AsSpan(), ref random);
        var state = random.State;
        var second = Enumerable.Range(0, 20).ToArray();
        SeededShuffle.Shuffle(second.AsSpan(), ref random);

        var restored = new SeededRandom(0) { State = state };
        var again = Enumerable.Range(0, 20).ToArray();
        SeededShuffle.Shuffle(again.AsSpan(), ref restored);
        Assert.Equal(second, again);
    }

    [Theory]
    [InlineData(100, 0.8, 0.1)]
    [InlineData(7, 0.5, 0.25)]
    [InlineData(10, 1.0, 0.0)]
    [InlineData(1, 0.3, 0.3)]
    public void Random_Split_Is_Disjoint_Complete_And_Seeded(int count, double train, double validation)
    {
        var split = DataSplit.Random(count, train, validation, seed: 9);
        var all = split.Train.Concat(split.Validation).Concat(split.Test).OrderBy(i => i);
        Assert.Equal(Enumerable.Range(0, count), all);
        Assert.Equal((int)Math.Round(count * train, MidpointRounding.AwayFromZero), split.Train.Length);
        var again = DataSplit.Random(count, train, validation, seed: 9);
        Assert.Equal(split.Train, again.Train);
        Assert.Equal(split.Validation, again.Validation);
        Assert.Equal(split.Test, again.Test);
    }

    [Fact]
    public void Random_Split_Differs_Across_Seeds_Chronological_Is_Ordered()
    {
        Assert.NotEqual(DataSplit.Random(100, 0.5, 0.2, 1).Train, DataSplit.Random(100, 0.5, 0.2, 2).Train);
        var chrono = DataSplit.Chronological(10, 0.6, 0.2);
        Assert.Equal([0, 1, 2, 3, 4, 5], chrono.Train);
        Assert.Equal([6, 7], chrono.Validation);
        Assert.Equal([8, 9], chrono.Test);
    }

    [Fact]
    public void Bad_Fractions_Are_Rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Random(10, 0.8, 0.3, 0));
        Assert.Equal("validationFraction", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Random(10, -0.1, 0.3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Random(10, double.NaN, 0.3, 0));
    }

    [Fact]
    public void Subset_Of_A_Split_Feeds_A_Loader()
    {
        var data = new SequenceDataset(BatchShape.ForFeatures(1));
        for (int i = 0; i < 30; i++) data.Add([i, i]);
        var split = DataSplit.Random(data.Count, 0.6, 0.2, 4);
        var train = new SequenceSubset(data, split.Train);
        var loader = new BatchLoader(train, 5, seed: 1);
        var batch = loader.CreateBatch();
        var seen = new System.Collections.Generic.List<int>();
        while (loader.Next(batch))
        {
            for (int b = 0; b < batch.Count; b++)
            {
                Assert.Equal(train.SourceIndex(batch.Origins[b]), (int)batch.Inputs[b * 2]);
                seen.Add(train.SourceIndex(batch.Origins[b]));
            }
        }
        Assert.Equal(split.Train, seen.OrderBy(i => i));
    }
}
