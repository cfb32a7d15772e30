using System;
using System.IO;
using System.Linq;
using RnnGen.Seq2Seq;
using RnnGen.Serialization;
using RnnGen.Tests.Support;
using Xunit.Abstractions;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>
/// The complete encoder–decoder against an independent PyTorch implementation of docs/seq2seq.md
/// (tests/fixtures/seq2seq/make_seq2seq_fixtures.py): loss, every step's logits and every parameter's gradient,
/// with unequal source and target lengths, for each attention kind, both bridge modes and all three cells.
/// </summary>
public class Seq2SeqParityTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("additive_gru_copy")]
    [InlineData("dot_lstm_copy")]
    [InlineData("general_rnn2_bridge_gru")]
    [InlineData("plain_gru_bridge_lstm2")]
    public void Loss_logits_and_every_gradient_match_pytorch(string name)
    {
        Seq2SeqNetwork model = name switch
        {
            "additive_gru_copy" => new TinyAdditiveGru(),
            "dot_lstm_copy" => new TinyDotLstm(),
            "general_rnn2_bridge_gru" => new TinyGeneralBridge(),
            _ => new TinyPlainLstmBridge(),
        };
        using SafeTensorsFile file = SafeTensorsFile.Open(Path.Combine(AppContext.BaseDirectory, "fixtures", "seq2seq", name + ".safetensors"));
        model.Load(file, allowUnexpectedTensors: true);
        int batch = int.Parse(file.Metadata["batch"]), ts = int.Parse(file.Metadata["source_steps"]), ty = int.Parse(file.Metadata["target_steps"]);
        int[] Ints(string tensor) => file.ReadInt64s(tensor).Select(v => (int)v).ToArray();

        Seq2SeqSession session = model.CreateSession(batch, ts, ty);
        session.Forward(Ints("source"), Ints("source_lengths"), Ints("target"), Ints("target_lengths"), batch, ts, ty);
        float loss = session.Loss();
        float expected = file.ReadFloats("loss")[0];
        log.WriteLine($"{name}: loss {loss:R} vs PyTorch {expected:R}");
        Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Abs(expected), $"loss {loss} vs {expected}");
        Reference.AssertClose(log, "logits", session.Logits, file.ReadFloats("logits"));

        model.ZeroGradients();
        session.Backward();
        // The additive attention's query gradient is ~1e-6 at this initialization (four orders below the others): a sum of
        // cancelling terms of size ~1e-2, where float rounding alone is ~1e-10. Elements below 1e-5 are therefore held to
        // 1e-4 × 1e-5 = 1e-9 absolute rather than to their own size; every other element keeps the 1e-4 relative bound.
        foreach (ParameterTensor tensor in model.ParameterTensors)
        {
            Reference.AssertClose(log, "grad." + tensor.Name, model.Gradients.AsSpan(tensor.Offset, tensor.Length), file.ReadFloats("grad." + tensor.Name),
                absoluteFloor: 1e-5);
        }
    }
}
