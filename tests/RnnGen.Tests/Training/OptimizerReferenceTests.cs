using System;
using System.Collections.Generic;
using RnnGen.Training;

namespace RnnGen.Tests.Training;

/// <summary>
/// First three optimizer steps against PyTorch 1.13 (float32). Every expected array was printed by
/// tests/RnnGen.Tests/Training/optimizer_reference.py, function run(), for the optimizer named in the comment, e.g.
/// <c>run("SGD lr=0.1", lambda ps: torch.optim.SGD(ps, lr=0.1), [])</c>; inputs are params0() and grad(k) there
/// (reproduced exactly by <see cref="Params0"/> and <see cref="Grad"/>).
/// </summary>
public class OptimizerReferenceTests
{
    private const int P = 19; // more than one Vector<float>, so the SIMD body and the scalar tail both run

    // def params0(): [(i - 9) * 0.125 for i in range(P)]
    internal static float[] Params0()
    {
        var p = new float[P];
        for (int i = 0; i < P; i++) p[i] = (i - 9) * 0.125f;
        return p;
    }

    // def grad(k): [(((i * 7 + k * 3) % 11) - 5) * 0.0625 for i in range(P)]
    internal static float[] Grad(int k)
    {
        var g = new float[P];
        for (int i = 0; i < P; i++) g[i] = (((i * 7 + k * 3) % 11) - 5) * 0.0625f;
        return g;
    }

    private static float[] RunThreeSteps(IOptimizer optimizer, float[][] expected)
    {
        float[] p = Params0();
        for (int k = 0; k < 3; k++)
        {
            optimizer.Step(p, Grad(k));
            Assert.Equal(k + 1, optimizer.StepCount);
            AssertClose(expected[k], p, $"after step {k + 1}");
        }
        return p;
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what,
        float absolute = 1e-6f, float relative = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = absolute + relative * Math.Abs(expected[i]);
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"{what}: element {i} expected {expected[i]:R} but got {actual[i]:R} (tolerance {tolerance:G3}).");
        }
    }

    [Fact]
    public void Sgd_Plain() => RunThreeSteps(new Sgd(P, 0.1f), SgdPlain);

    [Fact]
    public void Sgd_MomentumWithDampening_FirstBufferIsTheGradient()
    {
        var sgd = new Sgd(P, 0.1f, momentum: 0.9f, dampening: 0.5f);
        RunThreeSteps(sgd, SgdMomentumDampening);
        AssertClose(SgdMomentumDampeningMomentumBuffer, sgd.State["momentum_buffer"], "momentum_buffer");
    }

    [Fact]
    public void Sgd_NesterovWithWeightDecay()
    {
        var sgd = new Sgd(P, 0.05f, momentum: 0.8f, nesterov: true, weightDecay: 0.01f);
        RunThreeSteps(sgd, SgdNesterovWeightDecay);
        AssertClose(SgdNesterovWeightDecayMomentumBuffer, sgd.State["momentum_buffer"], "momentum_buffer");
    }

    [Fact]
    public void Adam_WithL2WeightDecay()
    {
        var adam = new Adam(P, 0.01f, weightDecay: 0.1f);
        RunThreeSteps(adam, AdamWeightDecay);
        AssertClose(AdamWeightDecayExpAvg, adam.State["exp_avg"], "exp_avg");
        AssertClose(AdamWeightDecayExpAvgSq, adam.State["exp_avg_sq"], "exp_avg_sq", absolute: 1e-10f);
    }

    [Fact]
    public void Adam_Defaults() => RunThreeSteps(new Adam(P), AdamDefaults);

    [Fact]
    public void AdamW_DefaultWeightDecayIsPyTorchs()
    {
        var adamW = new AdamW(P, 0.01f);
        Assert.Equal(0.01f, adamW.WeightDecay);
        RunThreeSteps(adamW, AdamWDefaultDecay);
        AssertClose(AdamWDefaultDecayExpAvg, adamW.State["exp_avg"], "exp_avg");
        AssertClose(AdamWDefaultDecayExpAvgSq, adamW.State["exp_avg_sq"], "exp_avg_sq", absolute: 1e-10f);
    }

    [Fact]
    public void AdamW_CustomBetasEpsilonDecay() =>
        RunThreeSteps(new AdamW(P, 0.02f, beta1: 0.8f, beta2: 0.99f, epsilon: 1e-6f, weightDecay: 0.1f), AdamWCustom);

    [Fact]
    public void LoadState_ResumesExactlyWhereACheckpointLeftOff()
    {
        var reference = new Adam(P, 0.01f, weightDecay: 0.1f);
        float[] p = Params0();
        reference.Step(p, Grad(0));
        var saved = new Dictionary<string, float[]>();
        foreach (KeyValuePair<string, float[]> entry in reference.State) saved[entry.Key] = (float[])entry.Value.Clone();
        float[] savedParams = (float[])p.Clone();
        reference.Step(p, Grad(1));
        reference.Step(p, Grad(2));

        var resumed = new Adam(P, 0.01f, weightDecay: 0.1f);
        resumed.LoadState(reference.StepCount - 2, saved);
        resumed.Step(savedParams, Grad(1));
        resumed.Step(savedParams, Grad(2));
        Assert.Equal(p, savedParams);
        Assert.Equal(3, resumed.StepCount);
    }

    [Fact]
    public void LoadState_RejectsMissingExtraOrMisSizedBuffers()
    {
        var sgd = new Sgd(P, 0.1f, momentum: 0.9f);
        var missing = new Dictionary<string, float[]>();
        Assert.Contains("momentum_buffer", Assert.Throws<ArgumentException>(() => sgd.LoadState(1, missing)).Message);
        var extra = new Dictionary<string, float[]> { ["momentum_buffer"] = new float[P], ["exp_avg"] = new float[P] };
        Assert.Contains("exp_avg", Assert.Throws<ArgumentException>(() => sgd.LoadState(1, extra)).Message);
        var small = new Dictionary<string, float[]> { ["momentum_buffer"] = new float[P - 1] };
        string message = Assert.Throws<ArgumentException>(() => sgd.LoadState(1, small)).Message;
        Assert.Contains($"{P}", message);
        Assert.Contains($"{P - 1}", message);
        Assert.Empty(new Sgd(P, 0.1f).State);
    }

    [Fact]
    public void Step_ValidatesLengths()
    {
        var adam = new Adam(P);
        var ex = Assert.Throws<ArgumentException>(() => adam.Step(new float[P - 1], new float[P]));
        Assert.Equal("parameters", ex.ParamName);
        Assert.Contains($"{P}", ex.Message);
        Assert.Contains($"{P - 1}", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => adam.Step(new float[P], new float[P + 1]));
        Assert.Equal("gradients", ex.ParamName);
        Assert.Contains($"{P + 1}", ex.Message);
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void Constructors_RejectInvalidHyperparameters()
    {
        Assert.Throws<ArgumentException>(() => new Sgd(P, 0.1f, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd(P, 0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(P, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-1, 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(P, beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(P, beta2: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(P, epsilon: float.NaN));
        var adam = new Adam(P);
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = float.NaN);
        adam.LearningRate = 0.5f;
        Assert.Equal(0.5f, adam.LearningRate);
    }

    // SGD lr=0.1
    private static readonly float[][] SgdPlain =
    [
        new float[] { -1.09375f, -1.01250005f, -0.862500012f, -0.78125f, -0.631250024f, -0.481249988f, -0.400000006f, -0.25f, -0.100000001f, -0.0187500007f, 0.131249994f, 0.28125f, 0.362500012f, 0.512499988f, 0.59375f, 0.743749976f, 0.893750012f, 0.975000024f, 1.125f },
        new float[] { -1.08124995f, -1.04375005f, -0.868750036f, -0.762499988f, -0.65625f, -0.481249988f, -0.375f, -0.268750012f, -0.09375f, 0.0124999993f, 0.118749991f, 0.293749988f, 0.331250012f, 0.506249964f, 0.612500012f, 0.71875f, 0.893750012f, 1f, 1.10625005f },
        new float[] { -1.08749998f, -1.0250001f, -0.893750012f, -0.762499988f, -0.631250024f, -0.5f, -0.368750006f, -0.237500012f, -0.106250003f, 0.0249999985f, 0.0874999911f, 0.287499994f, 0.350000024f, 0.481249958f, 0.612500012f, 0.743749976f, 0.875f, 1.00625002f, 1.13750005f },
    ];
    // SGD lr=0.1 momentum=0.9 dampening=0.5
    private static readonly float[][] SgdMomentumDampening =
    [
        new float[] { -1.09375f, -1.01250005f, -0.862500012f, -0.78125f, -0.631250024f, -0.481249988f, -0.400000006f, -0.25f, -0.100000001f, -0.0187500007f, 0.131249994f, 0.28125f, 0.362500012f, 0.512499988f, 0.59375f, 0.743749976f, 0.893750012f, 0.975000024f, 1.125f },
        new float[] { -1.05937505f, -1.03937507f, -0.854375005f, -0.800000012f, -0.649375021f, -0.464374989f, -0.409999996f, -0.259375006f, -0.0743750036f, -0.0199999996f, 0.130624995f, 0.315625012f, 0.335625023f, 0.520624995f, 0.574999988f, 0.725624979f, 0.910625041f, 0.965000033f, 1.11562502f },
        new float[] { -1.03156257f, -1.05418754f, -0.859562516f, -0.816875041f, -0.653187513f, -0.458562493f, -0.415874988f, -0.25218749f, -0.057562504f, -0.0148749985f, 0.114437498f, 0.343437523f, 0.320812523f, 0.515437484f, 0.558124959f, 0.721812487f, 0.916437566f, 0.959125042f, 1.12281251f },
    ];
    private static readonly float[] SgdMomentumDampeningMomentumBuffer = [ -0.278124988f, 0.148125008f, 0.0518750027f, 0.168749988f, 0.0381250083f, -0.0581249893f, 0.0587499887f, -0.071875006f, -0.168124989f, -0.0512500107f, 0.161874995f, -0.278124988f, 0.148125008f, 0.0518750027f, 0.168749988f, 0.0381250083f, -0.0581249893f, 0.0587499887f, -0.071875006f ];
    // SGD lr=0.05 momentum=0.8 nesterov=True weight_decay=0.01
    private static readonly float[][] SgdNesterovWeightDecay =
    [
        new float[] { -1.09586251f, -1.01034999f, -0.862962484f, -0.777450025f, -0.630062521f, -0.482674986f, -0.397162497f, -0.249775007f, -0.102387503f, -0.0168750007f, 0.130512506f, 0.27790001f, 0.363412499f, 0.510800004f, 0.596312523f, 0.743700027f, 0.891087472f, 0.976599991f, 1.12398756f },
        new float[] { -1.07326627f, -1.0412457f, -0.863530815f, -0.76963532f, -0.653795481f, -0.476080567f, -0.382185042f, -0.266345203f, -0.0886303559f, 0.00526518654f, 0.121105045f, 0.2988199f, 0.330840439f, 0.508555293f, 0.602450848f, 0.718290687f, 0.896005511f, 0.989901066f, 1.10574102f },
        new float[] { -1.06528664f, -1.03605425f, -0.883553505f, -0.770501852f, -0.639945447f, -0.487444639f, -0.374392986f, -0.243836567f, -0.0913358256f, 0.0217158478f, 0.0903972834f, 0.304773033f, 0.334005386f, 0.486506134f, 0.599557817f, 0.730114222f, 0.88261497f, 0.995666623f, 1.12622321f },
    ];
    private static readonly float[] SgdNesterovWeightDecayMomentumBuffer = [ -0.264199555f, 0.117604762f, 0.198860973f, 0.0312840492f, -0.0255784541f, 0.0556777865f, -0.111899152f, -0.168761656f, -0.0875054002f, -0.255082339f, 0.375555128f, -0.230688632f, 0.15111573f, 0.232371956f, 0.0647950098f, 0.00793249905f, 0.089188762f, -0.0783881992f, -0.135250688f ];
    // Adam lr=0.01 weight_decay=0.1
    private static readonly float[][] AdamWeightDecay =
    [
        new float[] { -1.11500001f, -1.00999999f, -0.86500001f, -0.75999999f, -0.624148011f, -0.49000001f, -0.38499999f, -0.24000001f, -0.115000002f, -0.00999999978f, 0.13499999f, 0.25999999f, 0.36500001f, 0.50999999f, 0.61500001f, 0.74000001f, 0.88499999f, 0.99000001f, 1.11500001f },
        new float[] { -1.10552585f, -1.01817608f, -0.857506275f, -0.758956134f, -0.631589353f, -0.481933445f, -0.382979959f, -0.246343687f, -0.106531024f, -0.00705091003f, 0.130274609f, 0.268759012f, 0.355426282f, 0.507483423f, 0.61101985f, 0.730532885f, 0.885083616f, 0.986797094f, 1.10567629f },
        new float[] { -1.09760916f, -1.01677608f, -0.85680753f, -0.756829679f, -0.629063249f, -0.479712307f, -0.379745901f, -0.242766961f, -0.102966554f, -0.0028156247f, 0.122948959f, 0.273451418f, 0.350889772f, 0.500861108f, 0.607003272f, 0.726865947f, 0.879360437f, 0.98372817f, 1.10299969f },
    ];
    private static readonly float[] AdamWeightDecayExpAvg = [ -0.0605152585f, -0.00787176006f, -0.00294756074f, -0.0120670637f, -0.0144332265f, -0.00971683301f, -0.0188323017f, -0.0210234374f, -0.0164878108f, -0.0255980082f, 0.0409677476f, -0.0232599117f, 0.0293767601f, 0.0342148356f, 0.0251451991f, 0.0226028282f, 0.0274658371f, 0.0183779709f, 0.0158292614f ];
    private static readonly float[] AdamWeightDecayExpAvgSq = [ 0.000238449356f, 0.000129015956f, 7.26192739e-05f, 0.000131416455f, 0.000133221547f, 7.8098441e-05f, 0.000138375239f, 0.00014098885f, 8.7314249e-05f, 0.000149071711f, 0.000127626205f, 0.00010027027f, 0.000171123713f, 0.000108932698f, 0.000159937466f, 0.000155049624f, 9.39850506e-05f, 0.00014634231f, 0.000142719233f ];
    // Adam defaults (lr=1e-3)
    private static readonly float[][] AdamDefaults =
    [
        new float[] { -1.12399995f, -1.00100005f, -0.874000013f, -0.750999987f, -0.625999987f, -0.499000013f, -0.375999987f, -0.25f, -0.123999998f, -0.000999999931f, 0.126000002f, 0.250999987f, 0.374000013f, 0.500999987f, 0.624000013f, 0.749000013f, 0.875999987f, 0.999000013f, 1.125f },
        new float[] { -1.12310135f, -1.00193977f, -0.873733699f, -0.751191497f, -0.626884341f, -0.498329967f, -0.375947356f, -0.250744134f, -0.1231694f, -0.000706438732f, 0.125633895f, 0.251898557f, 0.373060316f, 0.501266301f, 0.623808503f, 0.748115659f, 0.876670063f, 0.999052644f, 1.1242559f },
        new float[] { -1.12253523f, -1.00226319f, -0.874191046f, -0.751339555f, -0.626929939f, -0.498415828f, -0.37579602f, -0.250492126f, -0.122870848f, -0.000284428883f, 0.12493521f, 0.252464712f, 0.372736841f, 0.500808954f, 0.623660445f, 0.748070061f, 0.876584172f, 0.99920398f, 1.1245079f },
    ];
    // AdamW lr=0.01 (default weight_decay=0.01)
    private static readonly float[][] AdamWDefaultDecay =
    [
        new float[] { -1.11488748f, -1.00989997f, -0.86491251f, -0.759925008f, -0.634937465f, -0.489950001f, -0.384962499f, -0.249974996f, -0.1149875f, -0.00999999978f, 0.134987503f, 0.259974986f, 0.364962518f, 0.509949982f, 0.614937484f, 0.739925027f, 0.884912491f, 0.989899993f, 1.12488747f },
        new float[] { -1.10579026f, -1.01919603f, -0.86216265f, -0.76176399f, -0.643717766f, -0.483200431f, -0.384397686f, -0.257391363f, -0.106670022f, -0.00706338789f, 0.131312966f, 0.268934757f, 0.355528951f, 0.512562335f, 0.612960994f, 0.731007218f, 0.891524553f, 0.990327299f, 1.11733353f },
        new float[] { -1.10001791f, -1.02232873f, -0.866649747f, -0.763168097f, -0.644109428f, -0.484010756f, -0.382845789f, -0.2548455f, -0.103673838f, -0.00284258323f, 0.124312952f, 0.274569541f, 0.352258772f, 0.507937729f, 0.61141938f, 0.730478048f, 0.89057672f, 0.991741717f, 1.11974192f },
    ];
    private static readonly float[] AdamWDefaultDecayExpAvg = [ -0.030312499f, 0.0194999985f, 0.0205000006f, 0.00843749847f, 0.00256249867f, 0.00356250023f, -0.00850000139f, -0.0143749993f, -0.0133749982f, -0.0254375003f, 0.0374375023f, -0.030312499f, 0.0194999985f, 0.0205000006f, 0.00843749847f, 0.00256249867f, 0.00356250023f, -0.00850000139f, -0.0143749993f ];
    private static readonly float[] AdamWDefaultDecayExpAvgSq = [ 0.000116976669f, 0.000148308623f, 8.19961133e-05f, 0.000132582136f, 0.000128835949f, 7.02422185e-05f, 0.000128718806f, 0.00013277735f, 8.19024135e-05f, 0.000148269581f, 0.000117164076f, 0.000116976669f, 0.000148308623f, 8.19961133e-05f, 0.000132582136f, 0.000128835949f, 7.02422185e-05f, 0.000128718806f, 0.00013277735f ];
    // AdamW lr=0.02 betas=(0.8,0.99) eps=1e-6 weight_decay=0.1
    private static readonly float[][] AdamWCustom =
    [
        new float[] { -1.10275006f, -1.01799989f, -0.853250146f, -0.768499911f, -0.643749714f, -0.479000121f, -0.394249916f, -0.249500006f, -0.104750082f, -0.0199998952f, 0.144749686f, 0.269499958f, 0.354250163f, 0.518999875f, 0.60375011f, 0.728500307f, 0.893249929f, 0.978000104f, 1.12275004f },
        new float[] { -1.08300519f, -1.03518713f, -0.847320974f, -0.76966095f, -0.660714924f, -0.465439737f, -0.391239226f, -0.264675051f, -0.0884985328f, -0.0129616093f, 0.136040211f, 0.286500335f, 0.334318429f, 0.522184551f, 0.599844635f, 0.70879066f, 0.904065847f, 0.978266358f, 1.10483062f },
        new float[] { -1.07094967f, -1.03836441f, -0.856500208f, -0.770076692f, -0.658998966f, -0.46812281f, -0.386394382f, -0.257838547f, -0.0840960667f, -0.00353286695f, 0.120381512f, 0.295816809f, 0.328402251f, 0.510266364f, 0.596689939f, 0.707767606f, 0.898643792f, 0.98037225f, 1.10892808f },
    ];
}
