using System;
using System.Collections.Generic;
using RnnGen.Tests.Support;
using RnnGen.Training;
using static RnnGen.Tests.Training.OptimizerReferenceTests;

namespace RnnGen.Tests.Training;

/// <summary>
/// <see cref="Adagrad"/> against <c>torch.optim.Adagrad</c> (torch 1.13, float32): the first three steps and the
/// "sum" state after them, printed by tests/RnnGen.Tests/Training/optimizer_reference.py (section
/// "RMSprop and Adagrad") for the configuration named in the comment.
/// </summary>
public class AdagradTests
{
    private const int P = 19;

    // run("Adagrad defaults (lr=0.01)", lambda ps: torch.optim.Adagrad(ps), ["sum"])
    [Fact]
    public void Defaults()
    {
        var adagrad = new Adagrad(P);
        Assert.Equal(0.01f, adagrad.LearningRate);
        Assert.Equal(1e-10f, adagrad.Epsilon);
        Assert.Equal(new[] { "sum" }, adagrad.State.Keys);
        RmsPropTests.RunThreeSteps(adagrad, [
            [-1.11500001f, -1.00999999f, -0.86500001f, -0.75999999f, -0.63499999f, -0.49000001f, -0.38499999f, -0.25f, -0.115000002f, -0.00999999978f, 0.135000005f, 0.25999999f, 0.36500001f, 0.50999999f, 0.61500001f, 0.74000001f, 0.88499999f, 0.99000001f, 1.125f],
            [-1.11128604f, -1.01928473f, -0.869472146f, -0.754855037f, -0.644701421f, -0.49000001f, -0.377928913f, -0.25999999f, -0.112574644f, -0.00142507069f, 0.126055732f, 0.263713896f, 0.355715245f, 0.505527854f, 0.620144963f, 0.730298579f, 0.88499999f, 0.997071087f, 1.11500001f],
            [-1.11311173f, -1.01441813f, -0.878200889f, -0.754855037f, -0.637738287f, -0.497071087f, -0.376188129f, -0.251425058f, -0.116939001f, 0.00181935774f, 0.116927028f, 0.261888146f, 0.360581875f, 0.496799141f, 0.620144963f, 0.737261713f, 0.877928913f, 0.998811841f, 1.12357497f],
        ]);
        RmsPropTests.AssertState(adagrad, "sum",
            [0.1171875f, 0.1484375f, 0.08203125f, 0.1328125f, 0.12890625f, 0.0703125f, 0.12890625f, 0.1328125f, 0.08203125f, 0.1484375f, 0.1171875f, 0.1171875f, 0.1484375f, 0.08203125f, 0.1328125f, 0.12890625f, 0.0703125f, 0.12890625f, 0.1328125f]);
    }

    // run("Adagrad lr=0.1 lr_decay=0.5 weight_decay=0.1 initial_accumulator_value=0.25 eps=1e-6", …, ["sum"])
    [Fact]
    public void LearningRateDecay_WeightDecay_InitialAccumulator()
    {
        var adagrad = new Adagrad(P, 0.1f, learningRateDecay: 0.5f, weightDecay: 0.1f, initialAccumulatorValue: 0.25f, epsilon: 1e-6f);
        Assert.All(adagrad.State["sum"], s => Assert.Equal(0.25f, s)); // filled at construction, as PyTorch does
        RmsPropTests.RunThreeSteps(adagrad, [
            [-1.06023526f, -1.0049938f, -0.835886002f, -0.792905629f, -0.625f, -0.457094401f, -0.414113998f, -0.245006248f, -0.0785166919f, -0.0351122804f, 0.134950355f, 0.299847037f, 0.344091445f, 0.514833987f, 0.565000117f, 0.723484397f, 0.894611597f, 0.942653835f, 1.1030488f],
            [-1.03809702f, -1.03099036f, -0.833300173f, -0.763960719f, -0.648408175f, -0.451607972f, -0.382601798f, -0.265645891f, -0.0702751875f, -0.00115997344f, 0.117236517f, 0.310683548f, 0.307374716f, 0.500172317f, 0.578676224f, 0.688288927f, 0.883091092f, 0.959136724f, 1.06955433f],
            [-1.03513336f, -1.00742018f, -0.847954631f, -0.757791877f, -0.623013914f, -0.464020401f, -0.374536902f, -0.238573864f, -0.0804245174f, 0.0087229833f, 0.0908271819f, 0.302780539f, 0.31945014f, 0.475123137f, 0.574163795f, 0.702511847f, 0.859581113f, 0.956488073f, 1.08593571f],
        ]);
        RmsPropTests.AssertState(adagrad, "sum",
            [0.485703379f, 0.380017072f, 0.323379874f, 0.383419842f, 0.38428098f, 0.328756064f, 0.390229464f, 0.392158628f, 0.337773114f, 0.40067333f, 0.376801819f, 0.350439161f, 0.421326697f, 0.358627558f, 0.41113463f, 0.405637741f, 0.344073951f, 0.397869766f, 0.393592566f]);
    }

    [Fact]
    public void LoadState_ResumesExactly_IncludingTheDecayedRate()
    {
        static Adagrad Make() => new(P, 0.1f, learningRateDecay: 0.5f, weightDecay: 0.1f, initialAccumulatorValue: 0.25f, epsilon: 1e-6f);
        var reference = Make();
        float[] p = Params0();
        reference.Step(p, Grad(0));
        var saved = new Dictionary<string, float[]> { ["sum"] = (float[])reference.State["sum"].Clone() };
        float[] resumedParams = (float[])p.Clone();
        reference.Step(p, Grad(1));
        reference.Step(p, Grad(2));

        var resumed = Make();
        resumed.LoadState(1, saved); // the step count drives lr / (1 + (t − 1)·lrDecay)
        resumed.Step(resumedParams, Grad(1));
        resumed.Step(resumedParams, Grad(2));
        Assert.Equal(p, resumedParams);
        Assert.Throws<ArgumentException>(() => resumed.LoadState(1, new Dictionary<string, float[]>()));
        Assert.Throws<ArgumentException>(() => resumed.LoadState(1, new Dictionary<string, float[]> { ["sum"] = new float[P - 1] }));
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(P, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(P, learningRateDecay: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(P, weightDecay: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(P, initialAccumulatorValue: -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(P, epsilon: float.PositiveInfinity));
        var adagrad = new Adagrad(P);
        Assert.Throws<ArgumentException>(() => adagrad.Step(new float[P], new float[P + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => adagrad.LearningRate = -1f);
    }

    [Fact]
    public void Step_DoesNotAllocate()
    {
        const int n = 1001;
        var p = new float[n];
        var g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (i % 5 - 2) * 0.01f;
        IOptimizer[] optimizers = [new Adagrad(n), new Adagrad(n, 0.1f, learningRateDecay: 0.01f, weightDecay: 1e-4f, initialAccumulatorValue: 0.1f)];
        foreach (IOptimizer optimizer in optimizers)
            Assert.Equal(0, SteadyState.AllocatedBytes(() => optimizer.Step(p, g)));
    }
}
