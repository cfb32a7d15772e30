using System;
using System.IO;
using System.Linq;
using System.Text;
using RnnGen.Text.Readers;

namespace RnnGen.Tests.Text;

public sealed class ReaderTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "rnngen-text-readers-" + Guid.NewGuid().ToString("N"));

    public ReaderTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void Csv_HandlesRfc4180Quoting_HeaderNames_AndLineNumbers()
    {
        string path = Write("reviews.csv",
            "id,label,text\r\n" +
            "1,pos,\"Great, really \"\"great\"\" film\"\r\n" +
            "2,neg,\"two\r\nlines\"\r\n" +
            "\r\n" +
            "3,pos,plain text\n" +
            "4,\"neg\",\"\"\n");
        var rows = DelimitedTextReader.ReadLabeled(path,
            new DelimitedTextOptions { HasHeader = true, TextColumnName = "text", LabelColumnName = "label" });
        Assert.Equal(4, rows.Count);
        Assert.Equal(new LabeledText("Great, really \"great\" film", "pos", 2), rows[0]);
        Assert.Equal(new LabeledText("two\r\nlines", "neg", 3), rows[1]);
        Assert.Equal(new LabeledText("plain text", "pos", 6), rows[2]);
        Assert.Equal(new LabeledText("", "neg", 7), rows[3]);
    }

    [Fact]
    public void Tsv_ByColumnIndex_WithoutHeader()
    {
        var rows = DelimitedTextReader.ReadLabeled(new StringReader("neg\tbad, bad movie\tx\npos\t\"quoted\ttab\"\ty\n"), "data.tsv",
            new DelimitedTextOptions { Delimiter = '\t', TextColumn = 1, LabelColumn = 0 });
        Assert.Equal(["bad, bad movie", "quoted\ttab"], rows.Select(r => r.Text));
        Assert.Equal(["neg", "pos"], rows.Select(r => r.Label));
        var raw = DelimitedTextReader.ReadLabeled(new StringReader("5\" screen\tpos\n"), "raw.tsv",
            new DelimitedTextOptions { Delimiter = '\t', Quoting = false });
        Assert.Equal("5\" screen", raw[0].Text);
    }

    [Theory]
    [InlineData("a,pos\nb,neg,extra\n", 2, "expected 2 fields")]
    [InlineData("a,pos\n\"open quote,neg\nc,pos\n", 2, "unterminated quoted field")]
    [InlineData("a,pos\n\"closed\"x,neg\n", 2, "after the closing quote")]
    [InlineData("a,pos\n\nb,\n", 3, "missing label")]
    [InlineData("only\n", 1, "expected at least 2 fields")]
    public void Csv_RejectsMalformedRows_WithFileAndLine(string content, int line, string message)
    {
        string path = Write("bad.csv", content);
        var e = Assert.Throws<InvalidDataException>(() => DelimitedTextReader.ReadLabeled(path, DelimitedTextOptions.Csv));
        Assert.StartsWith($"bad.csv, line {line}: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Csv_UnknownHeaderColumn_IsReported()
    {
        var e = Assert.Throws<InvalidDataException>(() => DelimitedTextReader.ReadLabeled(new StringReader("text,label\na,b\n"), "h.csv",
            new DelimitedTextOptions { HasHeader = true, LabelColumnName = "sentiment" }));
        Assert.Contains("h.csv, line 1: the header has no column 'sentiment'", e.Message);
    }

    private const string Conll =
        "-DOCSTART- -X- -X- O\n" +
        "\n" +
        "# sent_id = 1\n" +
        "EU NNP B-NP B-ORG\n" +
        "rejects VBZ B-VP O\n" +
        "German JJ B-NP B-MISC\n" +
        "\n" +
        "\n" +
        "Peter NNP B-NP B-PER\n" +
        "Blackburn NNP I-NP I-PER\n";

    [Fact]
    public void Conll_ReadsSentences_SkippingCommentsAndDocstart()
    {
        var sentences = ConllReader.Read(Write("train.conll", Conll));
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["EU", "rejects", "German"], sentences[0].Tokens);
        Assert.Equal(["B-ORG", "O", "B-MISC"], sentences[0].Tags);
        Assert.Equal(4, sentences[0].Line);
        Assert.Equal(["Peter", "Blackburn"], sentences[1].Tokens);
        Assert.Equal(["B-PER", "I-PER"], sentences[1].Tags);
        Assert.Equal(9, sentences[1].Line);
        var pos = ConllReader.Read(new StringReader(Conll), "x", new ConllOptions { TagColumn = 1 });
        Assert.Equal(["NNP", "VBZ", "JJ"], pos[0].Tags);
        var tabs = ConllReader.Read(new StringReader("1\tNew York\tPROPN\n2\tis\tAUX\n"), "u.conllu",
            new ConllOptions { TokenColumn = 1, TagColumn = 2, TabSeparated = true });
        Assert.Equal(["New York", "is"], tabs[0].Tokens);
        Assert.Equal(["PROPN", "AUX"], tabs[0].Tags);
    }

    [Theory]
    [InlineData("EU B-ORG\nrejects\n", 2, "missing tag")]
    [InlineData("EU NNP B-ORG\n\nrejects O\n", 3, "expected 3 columns (like line 1), but found 2")]
    public void Conll_RejectsMalformedLines_WithFileAndLine(string content, int line, string message)
    {
        string path = Write("bad.conll", content);
        var e = Assert.Throws<InvalidDataException>(() => ConllReader.Read(path));
        Assert.StartsWith($"bad.conll, line {line}: ", e.Message);
        Assert.Contains(message, e.Message);
    }
}
