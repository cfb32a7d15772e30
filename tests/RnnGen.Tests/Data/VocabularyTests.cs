using System;
using System.IO;
using System.Linq;
using RnnGen.Data;

namespace RnnGen.Tests.Data;

public sealed class VocabularyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rnngen-vocab-" + Guid.NewGuid().ToString("N"));

    public VocabularyTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Corpus =
    [
        "The cat sat on the mat.",
        "The dog didn't sit; the cat did!",
        "Café naïve — 東京 😀 end_of_line",
    ];

    [Fact]
    public void Word_Tokenizer_Splits_Words_And_Punctuation()
    {
        var tokenizer = new WordTokenizer(lowerCase: true);
        Assert.Equal(["the", "dog", "didn't", "sit", ";", "the", "cat", "did", "!"], tokenizer.Tokenize(Corpus[1]));
        Assert.Equal(["café", "naïve", "—", "東京", "😀", "end_of_line"], tokenizer.Tokenize(Corpus[2]));
        Assert.Equal(["Hello", ",", "World", "'"], new WordTokenizer(lowerCase: false).Tokenize("Hello,World'"));
    }

    [Fact]
    public void Specials_Come_First_And_Unknowns_Map_To_Unk()
    {
        var vocab = Vocabulary.BuildWords(Corpus);
        Assert.Equal(["<pad>", "<unk>", "<sos>", "<eos>"], vocab.Tokens.Take(4));
        Assert.Equal(0, vocab.IdOf("<pad>"));
        Assert.Equal("the", vocab.TokenOf(4)); // most frequent
        Assert.Equal(Vocabulary.UnknownId, vocab.IdOf("zebra"));
        int[] ids = vocab.Encode("The zebra sat.", addStart: true, addEnd: true);
        Assert.Equal(Vocabulary.StartId, ids[0]);
        Assert.Equal(Vocabulary.EndId, ids[^1]);
        Assert.Equal(Vocabulary.UnknownId, ids[2]);
        Assert.Equal("the <unk> sat .", vocab.Decode(ids));
        Assert.Equal("<sos> the <unk> sat . <eos>", vocab.Decode(ids, skipSpecials: false));
    }

    [Fact]
    public void Encode_Decode_Roundtrips_Known_Text()
    {
        var words = Vocabulary.BuildWords(Corpus);
        Assert.Equal("the cat sat on the mat .", words.Decode(words.Encode(Corpus[0])));
        var chars = Vocabulary.BuildCharacters(Corpus);
        foreach (string text in Corpus)
            Assert.Equal(text, chars.Decode(chars.Encode(text)));
        Assert.Equal(4, chars.Encode("😀東京!").Length); // code points, not UTF-16 units
        var e = Assert.Throws<ArgumentException>(() => chars.Decode([4, chars.Count]));
        Assert.Equal("ids", e.ParamName);
        Assert.Contains($"ids[1] = {chars.Count}", e.Message);
    }

    [Fact]
    public void Min_Count_And_Max_Size_Limit_The_Vocabulary()
    {
        var vocab = Vocabulary.BuildWords(Corpus, minCount: 2);
        Assert.Equal(["the", "cat"], vocab.Tokens.Skip(4)); // the ×4, cat ×2, everything else once
        var small = Vocabulary.BuildWords(Corpus, maxSize: 5);
        Assert.Equal(["<pad>", "<unk>", "<sos>", "<eos>", "the"], small.Tokens);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.BuildWords(Corpus, maxSize: 3));
        Assert.Equal("maxSize", e.ParamName);
    }

    [Fact]
    public void Save_Load_Roundtrip_Is_Equal()
    {
        var chars = Vocabulary.BuildCharacters(["a\tb\nc\\d\r", .. Corpus], lowerCase: true);
        var words = Vocabulary.BuildWords(Corpus, maxSize: 10);
        foreach (var vocab in new[] { chars, words })
        {
            string path = Path.Combine(_dir, "vocab.txt");
            vocab.Save(path);
            vocab.Save(path); // overwrite
            var loaded = Vocabulary.Load(path);
            Assert.Equal(vocab, loaded);
            Assert.Equal(vocab.Kind, loaded.Kind);
            Assert.Equal(vocab.LowerCase, loaded.LowerCase);
            Assert.Equal(vocab.Encode(Corpus[1]), loaded.Encode(Corpus[1]));
        }
        Assert.Equal(10, words.Count);
        Assert.Single(Directory.GetFiles(_dir)); // no temporary files left
    }

    [Theory]
    [InlineData("rnngen-vocabulary 2", 1)]
    [InlineData("kind sentence", 2)]
    [InlineData("size x", 4)]
    [InlineData("<pad>", 5)]
    [InlineData("<unk>\t0", 5)]
    [InlineData("the\tmany", 9)]
    [InlineData("bad\\qescape\t1", 9)]
    public void Damaged_File_Names_File_And_Line(string replacement, int line)
    {
        var vocab = Vocabulary.BuildWords(Corpus);
        string path = Path.Combine(_dir, "damaged.txt");
        vocab.Save(path);
        string[] lines = File.ReadAllLines(path);
        lines[line - 1] = replacement;
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"line {line}:", e.Message);
    }

    [Fact]
    public void Truncated_Or_Invalid_Utf8_File_Is_Reported()
    {
        var vocab = Vocabulary.BuildWords(Corpus);
        string path = Path.Combine(_dir, "truncated.txt");
        vocab.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line", e.Message);

        bytes[bytes.Length - 8] = 0xFF;
        File.WriteAllBytes(path, bytes);
        e = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void Token_Ids_Feed_A_Token_Batch()
    {
        var vocab = Vocabulary.BuildCharacters(Corpus);
        var data = new SequenceDataset(BatchShape.ForTokens(TargetLayout.ClassPerStep, vocab.Count));
        foreach (string text in Corpus)
        {
            int[] ids = vocab.Encode(text, addStart: true, addEnd: true);
            data.AddTokensWithClassIds(ids[..^1], ids[1..]); // next-character targets
        }
        var loader = new BatchLoader(data, 3, shuffle: false);
        var batch = loader.CreateBatch();
        Assert.True(loader.Next(batch));
        Assert.Equal(Vocabulary.StartId, batch.Tokens[0]);
        Assert.Equal(Vocabulary.PadId, batch.Tokens[batch.Lengths[0]]); // corpus[0] is the shortest
        Assert.Equal(Corpus[0], vocab.Decode(batch.Tokens.Slice(0, batch.Lengths[0])));
    }
}
