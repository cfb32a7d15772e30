using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;

namespace RnnGen.Generator.Tests.Snapshots;

/// <summary>The emitted source of representative models, compared with the committed snapshots.</summary>
public class EmitterSnapshotTests
{
    [Fact]
    public void Lstm_one_layer() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Lstm, InputSize = 3, HiddenSize = 8)]
        public partial class SignalEncoder;
        """);

    [Fact]
    public void Gru_two_layers_bidirectional() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Gru, InputSize = 5, HiddenSize = 16, Layers = 2, Bidirectional = true,
                  Head = Head.Softmax, OutputSize = 4, Sequence = Sequence.ManyToOne)]
        public partial class IntentClassifier;
        """);

    [Fact]
    public void Rnn_relu_softmax_many_to_many() => Verify("""
        using RnnGen;
        namespace Demo.Tagging;
        public partial class Outer
        {
            [RnnModel(Cell.Rnn, Nonlinearity = Nonlinearity.Relu, InputSize = 10, HiddenSize = 6,
                      Head = Head.Softmax, OutputSize = 3, Sequence = Sequence.ManyToMany)]
            internal partial class Tagger { }
        }
        """);

    [Fact]
    public void Token_lstm_with_padding_two_layers_dropout() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Lstm, Vocabulary = 65, EmbeddingSize = 16, PaddingId = 0, HiddenSize = 32, Layers = 2, Dropout = 0.2,
                  Head = Head.Softmax, OutputSize = 65)]
        public partial class CharLm;
        """);

    [Fact]
    public void Gru_bidirectional_sum_merge_keras_init_many_to_one() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Gru, InputSize = 8, HiddenSize = 12, Bidirectional = true, Merge = Merge.Sum, Initialization = WeightInit.Keras,
                  Head = Head.Sigmoid, OutputSize = 2, Sequence = Sequence.ManyToOne)]
        public partial class Detector;
        """);

    [Fact]
    public void Ctc_recognizer() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Lstm, InputSize = 13, HiddenSize = 24, Bidirectional = true, Head = Head.Ctc, OutputSize = 29)]
        public partial class SpeechRecognizer;
        """);

    [Fact]
    public void Lstm_peepholes_projection_layer_norm_recurrent_dropout() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Lstm, InputSize = 6, HiddenSize = 16, ProjectionSize = 8, Peepholes = true, LayerNorm = true,
                  RecurrentDropout = 0.1, Head = Head.Linear, OutputSize = 1, Sequence = Sequence.ManyToOne)]
        public partial class Forecaster;
        """);

    [Fact]
    public void Gru_reset_before() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Gru, InputSize = 4, HiddenSize = 8, GruVariant = GruVariant.ResetBefore, Bidirectional = true)]
        public partial class ChoEncoder;
        """);

    [Fact]
    public void Gru_additive_attention_classifier() => Verify("""
        using RnnGen;
        namespace Demo;
        [RnnModel(Cell.Gru, InputSize = 16, HiddenSize = 32, Bidirectional = true, Attention = Attention.Additive,
                  Head = Head.Softmax, OutputSize = 4, Sequence = Sequence.ManyToOne)]
        public partial class SentimentClassifier;
        """);

    [Fact]
    public void Output_is_deterministic()
    {
        const string source = "using RnnGen; [RnnModel(Cell.Lstm, InputSize = 2, HiddenSize = 3, Layers = 2)] partial class M;";
        string first = Generated(source);
        string second = Generated(source);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Seq2seq_bidirectional_gru_additive_attention() => Verify("""
        using RnnGen;
        namespace Demo;
        [Seq2SeqModel(SourceVocabulary = 64, SourceEmbeddingSize = 32, TargetVocabulary = 15, TargetEmbeddingSize = 16,
                      EncoderCell = Cell.Gru, EncoderHiddenSize = 64, Bidirectional = true,
                      DecoderCell = Cell.Gru, DecoderHiddenSize = 128, Attention = Attention.Additive, AttentionSize = 64)]
        public partial class DateTranslator;
        """);

    [Fact]
    public void Seq2seq_lstm_bridge_general_attention() => Verify("""
        using RnnGen;
        namespace Demo;
        [Seq2SeqModel(SourceVocabulary = 500, SourceEmbeddingSize = 64, TargetVocabulary = 400, TargetEmbeddingSize = 64,
                      EncoderCell = Cell.Lstm, EncoderHiddenSize = 128, EncoderLayers = 2,
                      DecoderCell = Cell.Lstm, DecoderHiddenSize = 96, Attention = Attention.General, PaddingId = -1)]
        internal partial class Translator;
        """);

    private static void Verify(string source, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilationProblems(output));
        Snapshot.Match(Generated(source), name);
    }

    private static string Generated(string source)
    {
        var (result, _) = GeneratorHarness.Run(source);
        GeneratedSourceResult generated = Assert.Single(result.Results.Single().GeneratedSources);
        return generated.SourceText.ToString();
    }
}
