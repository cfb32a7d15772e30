using System;
using RnnGen.Tests.Models;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

/// <summary>The trainer with a token-input model: next-token prediction on a repeating pattern.</summary>
public class TokenTrainerTests
{
    private sealed class PatternData : ITrainerData
    {
        private static readonly int[] Pattern = { 3, 5, 7, 9, 2, 4 };

        public int Count => 24;

        public int MaxSteps => 8;

        public void Fill(ReadOnlySpan<int> indices, TrainerBatch batch)
        {
            Assert.True(batch.ReadsTokens);
            Assert.True(batch.Input.IsEmpty);
            Span<int> tokens = batch.Tokens;
            Span<int> targets = batch.ClassTargets;
            for (int b = 0; b < indices.Length; b++)
            {
                for (int t = 0; t < MaxSteps; t++)
                {
                    int position = indices[b] + t;
                    tokens[b * MaxSteps + t] = Pattern[position % Pattern.Length];
                    targets[b * MaxSteps + t] = Pattern[(position + 1) % Pattern.Length];
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Trainer_trains_a_token_model(int threads)
    {
        var model = new TinyCharLm(seed: 1);
        var optimizer = new Adam(TinyCharLm.ParameterCount, learningRate: 0.05f);
        using var trainer = new Trainer(model, optimizer, new TrainingOptions
        {
            Epochs = 30, BatchSize = 8, Seed = 2, MaxGradientNorm = 5f, Threads = threads, ReplicaFactory = () => new TinyCharLm(),
        });
        var data = new PatternData();
        double before = trainer.Evaluate(data).Loss;
        trainer.Fit(data);
        Metrics after = trainer.Evaluate(data);
        Assert.True(after.Loss < before * 0.1, $"loss {before} -> {after.Loss}");
        Assert.True(after.Accuracy > 0.95, $"accuracy {after.Accuracy}");
    }
}
