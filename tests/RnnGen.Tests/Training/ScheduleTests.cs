using System;
using RnnGen.Tests.Support;
using RnnGen.Training;
using RnnGen.Training.Schedules;

namespace RnnGen.Tests.Training;

/// <summary>
/// The learning-rate schedules against PyTorch 1.13's schedulers (base lr 0.1, steps 0 … 24). Every expected array
/// was printed by tests/RnnGen.Tests/Training/optimizer_reference.py (section "learning-rate schedules") as the
/// closed form; the script also checks that PyTorch's chained form (the usual step() loop) gives the same float32
/// values for all of these.
/// </summary>
public class ScheduleTests
{
    private static void AssertSchedule(ILearningRateSchedule schedule, float[] expected)
    {
        for (int step = 0; step < expected.Length; step++)
        {
            float actual = schedule.GetLearningRate(step);
            float tolerance = 1e-7f * Math.Abs(expected[step]);
            if (!(Math.Abs(actual - expected[step]) <= tolerance))
                Assert.Fail($"step {step}: expected {expected[step]:R} but got {actual:R}.");
        }
    }

    [Fact]
    public void Constant()
    {
        var schedule = new ConstantSchedule(0.1f);
        Assert.Equal(0.1f, schedule.GetLearningRate(0));
        Assert.Equal(0.1f, schedule.GetLearningRate(long.MaxValue));
    }

    // StepLR(step_size=5, gamma=0.5)
    [Fact]
    public void StepDecay_Halving() => AssertSchedule(new StepDecaySchedule(0.1f, stepSize: 5, gamma: 0.5f),
            [0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.025f, 0.025f, 0.025f, 0.025f, 0.025f, 0.0125f, 0.0125f, 0.0125f, 0.0125f, 0.0125f, 0.00625f, 0.00625f, 0.00625f, 0.00625f, 0.00625f]);

    // StepLR(step_size=3, gamma=0.1)
    [Fact]
    public void StepDecay_Tenfold() => AssertSchedule(new StepDecaySchedule(0.1f, stepSize: 3, gamma: 0.1f),
            [0.1f, 0.1f, 0.1f, 0.01f, 0.01f, 0.01f, 0.001f, 0.001f, 0.001f, 0.0001f, 0.0001f, 0.0001f, 1e-05f, 1e-05f, 1e-05f, 1e-06f, 1e-06f, 1e-06f, 1e-07f, 1e-07f, 1e-07f, 1e-08f, 1e-08f, 1e-08f, 1e-09f]);

    [Fact]
    public void StepDecay_ChangesExactlyAtMultiplesOfStepSize()
    {
        var schedule = new StepDecaySchedule(0.1f, stepSize: 5, gamma: 0.5f);
        Assert.Equal(0.1f, schedule.GetLearningRate(4));
        Assert.Equal(0.05f, schedule.GetLearningRate(5));
        Assert.Equal(0.05f, schedule.GetLearningRate(9));
        Assert.Equal(0.025f, schedule.GetLearningRate(10));
        Assert.Equal(0.1f, new StepDecaySchedule(0.1f, stepSize: 1, gamma: 1f).GetLearningRate(1_000_000));
        Assert.Equal(0f, new StepDecaySchedule(0.1f, stepSize: 1, gamma: 0.5f).GetLearningRate(100_000)); // underflows to 0, no NaN
    }

    // ExponentialLR(gamma=0.9)
    [Fact]
    public void Exponential() => AssertSchedule(new ExponentialSchedule(0.1f, gamma: 0.9f),
            [0.1f, 0.09f, 0.081f, 0.0729f, 0.06561f, 0.059049f, 0.0531441f, 0.04782969f, 0.043046721f, 0.0387420489f, 0.034867844f, 0.0313810596f, 0.0282429536f, 0.0254186583f, 0.0228767925f, 0.0205891132f, 0.0185302019f, 0.0166771817f, 0.0150094635f, 0.0135085172f, 0.0121576655f, 0.0109418989f, 0.00984770902f, 0.00886293812f, 0.00797664431f]);

    // CosineAnnealingLR(T_max=10, eta_min=0.001): past T_max PyTorch's closed form climbs back (period 2·T_max)
    [Fact]
    public void CosineAnnealing_WithMinimum() =>
        AssertSchedule(new CosineAnnealingSchedule(0.1f, maxSteps: 10, minLearningRate: 0.001f),
            [0.1f, 0.0975772976f, 0.0905463412f, 0.07959537f, 0.0657963412f, 0.0505f, 0.0352036588f, 0.02140463f, 0.0104536588f, 0.00342270244f, 0.001f, 0.00342270244f, 0.0104536588f, 0.02140463f, 0.0352036588f, 0.0505f, 0.0657963412f, 0.07959537f, 0.0905463412f, 0.0975772976f, 0.1f, 0.0975772976f, 0.0905463412f, 0.07959537f, 0.0657963412f]);

    // CosineAnnealingLR(T_max=7)
    [Fact]
    public void CosineAnnealing_ToZero() =>
        AssertSchedule(new CosineAnnealingSchedule(0.1f, maxSteps: 7),
            [0.1f, 0.0950484434f, 0.0811744901f, 0.0611260467f, 0.0388739533f, 0.0188255099f, 0.0049515566f, 0f, 0.0049515566f, 0.0188255099f, 0.0388739533f, 0.0611260467f, 0.0811744901f, 0.0950484434f, 0.1f, 0.0950484434f, 0.0811744901f, 0.0611260467f, 0.0388739533f, 0.0188255099f, 0.0049515566f, 0f, 0.0049515566f, 0.0188255099f, 0.0388739533f]);

    [Fact]
    public void CosineAnnealing_Boundaries()
    {
        var schedule = new CosineAnnealingSchedule(0.1f, maxSteps: 10, minLearningRate: 0.001f);
        Assert.Equal(0.1f, schedule.GetLearningRate(0));
        Assert.Equal(0.001f, schedule.GetLearningRate(10));   // exactly eta_min at T_max
        Assert.Equal(0.1f, schedule.GetLearningRate(20));     // and back to base at 2·T_max, as PyTorch
        Assert.Equal(schedule.GetLearningRate(3), schedule.GetLearningRate(17));
        Assert.Equal(0f, new CosineAnnealingSchedule(0.1f, maxSteps: 1).GetLearningRate(1));
    }

    // LinearLR(start_factor=0.25, total_iters=8) = warm-up in front of a constant rate
    [Fact]
    public void LinearWarmup_OfAConstant_IsPyTorchsLinearLR() =>
        AssertSchedule(new LinearWarmupSchedule(new ConstantSchedule(0.1f), warmupSteps: 8, startFactor: 0.25f),

            [0.025f, 0.034375f, 0.04375f, 0.053125f, 0.0625f, 0.071875f, 0.08125f, 0.090625f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f]);

    // SequentialLR([LinearLR(start_factor=0.1, total_iters=5), CosineAnnealingLR(T_max=15, eta_min=0.002)], milestones=[5])
    [Fact]
    public void LinearWarmup_ThenCosine_IsPyTorchsSequentialLR() =>
        AssertSchedule(new LinearWarmupSchedule(new CosineAnnealingSchedule(0.1f, maxSteps: 15, minLearningRate: 0.002f), warmupSteps: 5, startFactor: 0.1f),

            [0.01f, 0.028f, 0.046f, 0.064f, 0.082f, 0.1f, 0.0989292324f, 0.0957637274f, 0.0906418327f, 0.0837873997f, 0.0755f, 0.0661418327f, 0.0561218947f, 0.0458781053f, 0.0358581673f, 0.0265f, 0.0182126003f, 0.0113581673f, 0.00623627258f, 0.00307076756f, 0.002f, 0.00307076756f, 0.00623627258f, 0.0113581673f, 0.0182126003f]);

    [Fact]
    public void LinearWarmup_Boundaries()
    {
        var inner = new StepDecaySchedule(0.1f, stepSize: 2, gamma: 0.5f);
        var schedule = new LinearWarmupSchedule(inner, warmupSteps: 4, startFactor: 0.2f);
        Assert.Equal(0.02f, schedule.GetLearningRate(0));                     // startFactor · inner(0)
        Assert.Equal((float)(0.1 * (0.2 + 0.8 * 3 / 4)), schedule.GetLearningRate(3)); // last warm-up step: below inner(0)
        Assert.Equal(0.1f, schedule.GetLearningRate(4));                      // inner(0): the inner schedule starts here
        Assert.Equal(0.1f, schedule.GetLearningRate(5));
        Assert.Equal(0.05f, schedule.GetLearningRate(6));                     // inner(2)
        var none = new LinearWarmupSchedule(inner, warmupSteps: 0);
        for (int step = 0; step < 10; step++) Assert.Equal(inner.GetLearningRate(step), none.GetLearningRate(step));
        Assert.Equal(0.1f, new LinearWarmupSchedule(inner, warmupSteps: 3, startFactor: 1f).GetLearningRate(1));
    }

    [Fact]
    public void ApplySchedule_SetsTheRateForTheOptimizersNextStep()
    {
        var optimizer = new Sgd(3, 1f);
        var schedule = new StepDecaySchedule(0.1f, stepSize: 2, gamma: 0.5f);
        var p = new float[3];
        var g = new float[] { 1f, 1f, 1f };
        float[] expected = [0.1f, 0.1f, 0.05f, 0.05f, 0.025f];
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], optimizer.ApplySchedule(schedule));
            Assert.Equal(expected[k], optimizer.LearningRate);
            optimizer.Step(p, g);
        }
        // A schedule is a pure function of the step: a resumed optimizer resumes it.
        var resumed = new Sgd(3, 1f);
        resumed.LoadState(4, new System.Collections.Generic.Dictionary<string, float[]>());
        Assert.Equal(0.025f, resumed.ApplySchedule(schedule));
    }

    [Fact]
    public void GetLearningRate_DoesNotAllocate()
    {
        ILearningRateSchedule[] schedules =
        [
            new ConstantSchedule(0.1f), new StepDecaySchedule(0.1f, 3), new ExponentialSchedule(0.1f, 0.9f),
            new CosineAnnealingSchedule(0.1f, 10), new LinearWarmupSchedule(new CosineAnnealingSchedule(0.1f, 10), 5),
        ];
        float sink = 0;
        foreach (ILearningRateSchedule schedule in schedules)
            Assert.Equal(0, SteadyState.AllocatedBytes(() => sink += schedule.GetLearningRate(7)));
        Assert.True(sink > 0);
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        var inner = new ConstantSchedule(0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => inner.GetLearningRate(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(-0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1f, stepSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1f, 2, gamma: -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1f, 2).GetLearningRate(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialSchedule(0.1f, float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(0.1f, maxSteps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(0.1f, 10, minLearningRate: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(inner, warmupSteps: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(inner, 5, startFactor: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(inner, 5, startFactor: 1.5f));
        Assert.Throws<ArgumentNullException>(() => new LinearWarmupSchedule(null!, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(inner, 5).GetLearningRate(-1));
    }
}
