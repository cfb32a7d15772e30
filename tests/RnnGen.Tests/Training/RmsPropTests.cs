using System;
using System.Collections.Generic;
using RnnGen.Tests.Support;
using RnnGen.Training;
using static RnnGen.Tests.Training.OptimizerReferenceTests;

namespace RnnGen.Tests.Training;

/// <summary>
/// <see cref="RmsProp"/> against <c>torch.optim.RMSprop</c> (torch 1.13, float32): the first three steps and the state
/// after them. Every expected array was printed by tests/RnnGen.Tests/Training/optimizer_reference.py (section
/// "RMSprop and Adagrad"), for the configuration named in the comment, from params0() and grad(k).
/// </summary>
public class RmsPropTests
{
    private const int P = 19;

    internal static void RunThreeSteps(IOptimizer optimizer, float[][] expected)
    {
        float[] p = Params0();
        for (int k = 0; k < 3; k++)
        {
            optimizer.Step(p, Grad(k));
            Assert.Equal(k + 1, optimizer.StepCount);
            AssertClose(expected[k], p, $"after step {k + 1}");
        }
    }

    internal static void AssertState(IOptimizer optimizer, string name, float[] expected) =>
        AssertClose(expected, optimizer.State[name], name, absolute: 1e-9f);

    // run("RMSprop lr=0.01 (defaults alpha=0.99 eps=1e-8)", …, ["square_avg"])
    [Fact]
    public void Defaults()
    {
        var rms = new RmsProp(P, 0.01f);
        Assert.Equal(0.99f, rms.Alpha);
        Assert.Equal(1e-8f, rms.Epsilon);
        Assert.Equal(new[] { "square_avg" }, rms.State.Keys);
        RunThreeSteps(rms, [
            [-1.02499998f, -1.0999999f, -0.775000095f, -0.849999964f, -0.724999845f, -0.400000036f, -0.474999964f, -0.25f, -0.0250000432f, -0.0999999568f, 0.224999845f, 0.349999964f, 0.275000095f, 0.599999905f, 0.525000036f, 0.650000155f, 0.974999964f, 0.900000036f, 1.125f],
            [-0.987699807f, -1.19291162f, -0.819901407f, -0.798360229f, -0.822042584f, -0.400000036f, -0.404111862f, -0.349999964f, -0.000631544739f, -0.01413697f, 0.135467619f, 0.387300134f, 0.18208836f, 0.555098593f, 0.576639771f, 0.552957416f, 0.974999964f, 0.970888138f, 1.0250001f],
            [-1.00612307f, -1.14403272f, -0.907375336f, -0.798360229f, -0.752220988f, -0.471065104f, -0.386576533f, -0.26413697f, -0.0446204133f, 0.0184920542f, 0.0440892875f, 0.368876934f, 0.230967224f, 0.467624664f, 0.576639771f, 0.622779012f, 0.903934896f, 0.988423467f, 1.11086309f],
        ]);
        AssertState(rms, "square_avg",
            [0.00115087884f, 0.00147149991f, 0.000816812506f, 0.00130517571f, 0.00128203514f, 0.000696128875f, 0.00127037498f, 0.00132460927f, 0.000807484379f, 0.00146761315f, 0.0011695351f, 0.00115087884f, 0.00147149991f, 0.000816812506f, 0.00130517571f, 0.00128203514f, 0.000696128875f, 0.00127037498f, 0.00132460927f]);
    }

    // run("RMSprop lr=0.005 alpha=0.9 momentum=0.5", …, ["square_avg", "momentum_buffer"])
    [Fact]
    public void Momentum()
    {
        var rms = new RmsProp(P, 0.005f, alpha: 0.9f, momentum: 0.5f);
        RunThreeSteps(rms, [
            [-1.10918856f, -1.01581132f, -0.859188616f, -0.765811384f, -0.640811384f, -0.484188616f, -0.390811384f, -0.25f, -0.109188616f, -0.0158113837f, 0.140811384f, 0.265811384f, 0.359188616f, 0.515811384f, 0.609188616f, 0.734188616f, 0.890811384f, 0.984188616f, 1.125f],
            [-1.09513986f, -1.03849983f, -0.858655035f, -0.765265524f, -0.66410166f, -0.476282924f, -0.387246281f, -0.265811384f, -0.0972538069f, -0.00997583382f, 0.134431362f, 0.27986002f, 0.336500108f, 0.516344965f, 0.609734476f, 0.71089834f, 0.898717105f, 0.987753689f, 1.10918856f],
            [-1.09128737f, -1.04179633f, -0.872481108f, -0.764992595f, -0.66442585f, -0.48408258f, -0.382494688f, -0.259975821f, -0.0987691209f, -0.00161797181f, 0.116663538f, 0.283712536f, 0.333203644f, 0.502518892f, 0.610007405f, 0.71057415f, 0.89091742f, 0.992505252f, 1.11502409f],
        ]);
        AssertState(rms, "square_avg",
            [0.00970703084f, 0.0135703124f, 0.00786718726f, 0.0110742189f, 0.0121914065f, 0.00636328105f, 0.0110781239f, 0.0129296873f, 0.00697656209f, 0.0131992185f, 0.0114882812f, 0.00970703084f, 0.0135703124f, 0.00786718726f, 0.0110742189f, 0.0121914065f, 0.00636328105f, 0.0110781239f, 0.0129296873f]);
        AssertState(rms, "momentum_buffer",
            [-0.770502985f, 0.659293175f, 2.76521969f, -0.0545848608f, 0.0648393631f, 1.55993295f, -0.950318396f, -1.16711009f, 0.303062439f, -1.67157245f, 3.5535655f, -0.770502985f, 0.659293175f, 2.76521969f, -0.0545848608f, 0.0648393631f, 1.55993295f, -0.950318396f, -1.16711009f]);
    }

    // run("RMSprop lr=0.01 centered=True weight_decay=0.1 eps=1e-6", …, ["square_avg", "grad_avg"])
    [Fact]
    public void CenteredWithWeightDecay()
    {
        var rms = new RmsProp(P, 0.01f, epsilon: 1e-6f, weightDecay: 0.1f, centered: true);
        RunThreeSteps(rms, [
            [-1.02449858f, -1.10046339f, -0.774500966f, -0.850499511f, -0.624990702f, -0.399500489f, -0.475499034f, -0.14953661f, -0.024500072f, -0.100498393f, 0.225483596f, 0.350500256f, 0.274502456f, 0.600490332f, 0.52449888f, 0.649503589f, 0.97549367f, 0.899499118f, 1.02450526f],
            [-0.9766922f, -1.2003336f, -0.767407954f, -0.774942279f, -0.72548908f, -0.382721007f, -0.393962264f, -0.248865306f, -0.000190744177f, -0.0138787255f, 0.130542681f, 0.380732596f, 0.183388695f, 0.515037f, 0.558592498f, 0.556984305f, 0.905490935f, 0.941307306f, 0.930431187f],
            [-0.969276428f, -1.11685169f, -0.83089447f, -0.753827989f, -0.638869584f, -0.435818315f, -0.366916507f, -0.159819782f, -0.0425751954f, 0.0184593759f, 0.0396219417f, 0.348673016f, 0.224678487f, 0.424159944f, 0.5445472f, 0.606520057f, 0.815645218f, 0.933028102f, 0.988366306f],
        ]);
        AssertState(rms, "square_avg",
            [0.00229483563f, 0.00135766936f, 0.000744976685f, 0.00134829758f, 0.00138842815f, 0.000791327795f, 0.0014229106f, 0.00143916742f, 0.000873315556f, 0.00153428549f, 0.0012998865f, 0.000991364592f, 0.00168906758f, 0.0011128562f, 0.00159002957f, 0.00154484902f, 0.000965330109f, 0.00146422617f, 0.00143796299f]);
        AssertState(rms, "grad_avg",
            [-0.0067688711f, -0.000826017174f, -0.000498126785f, -0.00114544923f, -0.00136922987f, -0.00123096409f, -0.00188199361f, -0.00191068137f, -0.00196595793f, -0.00261943485f, 0.0042262217f, -0.00270255958f, 0.00326655875f, 0.00349319726f, 0.0028969713f, 0.00252262992f, 0.00276612933f, 0.00216216128f, 0.00177855394f]);
    }

    // run("RMSprop lr=0.02 alpha=0.8 eps=1e-4 weight_decay=0.05 momentum=0.9 centered=True", …,
    //     ["square_avg", "momentum_buffer", "grad_avg"])
    [Fact]
    public void EverythingAtOnce()
    {
        var rms = new RmsProp(P, 0.02f, alpha: 0.8f, epsilon: 1e-4f, weightDecay: 0.05f, momentum: 0.9f, centered: true);
        RunThreeSteps(rms, [
            [-1.0750339f, -1.04983389f, -0.825073957f, -0.799954593f, -0.674603164f, -0.450058758f, -0.42494601f, -0.200980395f, -0.0750487372f, -0.0499334186f, 0.174778759f, 0.299958378f, 0.325086802f, 0.549875319f, 0.575036347f, 0.700124681f, 0.924913168f, 0.950041652f, 1.07522118f],
            [-1.00426161f, -1.14581168f, -0.786743164f, -0.814566374f, -0.770223796f, -0.39923206f, -0.434129536f, -0.206005082f, -0.0156859737f, -0.0545521006f, 0.176078811f, 0.365053266f, 0.229842097f, 0.563079536f, 0.550808311f, 0.604332626f, 0.95432651f, 0.932034016f, 0.979240417f],
            [-0.942440629f, -1.20028663f, -0.790639639f, -0.821684361f, -0.818975449f, -0.384749115f, -0.430216402f, -0.169284001f, 0.0149386749f, -0.0410678908f, 0.129062876f, 0.40957889f, 0.166437373f, 0.529233277f, 0.524981081f, 0.54663682f, 0.939178824f, 0.91818732f, 0.927173615f],
        ]);
        AssertState(rms, "square_avg",
            [0.022547543f, 0.0235211775f, 0.0125929918f, 0.0182925947f, 0.0242563654f, 0.0114748441f, 0.0200351626f, 0.0258982163f, 0.0121932095f, 0.0236385316f, 0.0239140205f, 0.0147602716f, 0.0261334628f, 0.0180497486f, 0.0193088539f, 0.0239375122f, 0.0140525289f, 0.0181314163f, 0.023608556f]);
        AssertState(rms, "momentum_buffer",
            [-3.09105039f, 2.72374868f, 0.194823503f, 0.355898678f, 2.43758392f, -0.724146724f, -0.195656955f, -1.83605397f, -1.53123248f, -0.674210489f, 2.3507967f, -2.22628069f, 3.17023611f, 1.69231308f, 1.29136276f, 2.88479137f, 0.757384539f, 0.692335665f, 2.60334086f]);
        AssertState(rms, "grad_avg",
            [-0.073342897f, 0.00224321475f, 0.0239319764f, -0.0093452977f, -0.0190990623f, 0.00270720734f, -0.0306408629f, -0.0377678946f, -0.0185572524f, -0.051944986f, 0.078459017f, -0.0398497991f, 0.0357991159f, 0.057229802f, 0.0241083782f, 0.0144443223f, 0.0360425711f, 0.00282067689f, -0.00690582534f]);
    }

    [Fact]
    public void LoadState_ResumesExactly()
    {
        static RmsProp Make() => new(P, 0.02f, alpha: 0.8f, epsilon: 1e-4f, weightDecay: 0.05f, momentum: 0.9f, centered: true);
        var reference = Make();
        float[] p = Params0();
        reference.Step(p, Grad(0));
        var saved = new Dictionary<string, float[]>();
        foreach (KeyValuePair<string, float[]> entry in reference.State) saved[entry.Key] = (float[])entry.Value.Clone();
        float[] resumedParams = (float[])p.Clone();
        reference.Step(p, Grad(1));
        reference.Step(p, Grad(2));

        var resumed = Make();
        resumed.LoadState(1, saved);
        resumed.Step(resumedParams, Grad(1));
        resumed.Step(resumedParams, Grad(2));
        Assert.Equal(p, resumedParams);
        Assert.Equal(3, resumed.StepCount);
        Assert.Throws<ArgumentException>(() => new RmsProp(P).LoadState(1, saved)); // extra buffers
    }

    [Fact]
    public void StateNamesFollowTheOptions()
    {
        Assert.Equal(new[] { "square_avg", "momentum_buffer" }, new RmsProp(P, momentum: 0.9f).State.Keys);
        Assert.Equal(new[] { "square_avg", "grad_avg" }, new RmsProp(P, centered: true).State.Keys);
        Assert.Equal(0.01f, new RmsProp(P).LearningRate); // PyTorch's default
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(P, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(P, alpha: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(P, alpha: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(P, epsilon: -1e-8f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(P, weightDecay: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(P, momentum: float.PositiveInfinity));
        var rms = new RmsProp(P);
        Assert.Throws<ArgumentException>(() => rms.Step(new float[P], new float[P - 1]));
        Assert.Throws<ArgumentException>(() => rms.Step(new float[P + 1], new float[P]));
        Assert.Throws<ArgumentOutOfRangeException>(() => rms.LearningRate = float.NaN);
    }

    [Fact]
    public void Step_DoesNotAllocate()
    {
        const int n = 1001;
        var p = new float[n];
        var g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (i % 5 - 2) * 0.01f;
        IOptimizer[] optimizers =
        [
            new RmsProp(n), new RmsProp(n, momentum: 0.9f), new RmsProp(n, weightDecay: 0.1f, momentum: 0.5f, centered: true),
        ];
        foreach (IOptimizer optimizer in optimizers)
            Assert.Equal(0, SteadyState.AllocatedBytes(() => optimizer.Step(p, g)));
    }
}
