using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using RnnGen.Seq2Seq;

namespace RnnGen.Tests.Seq2Seq;

public sealed class AttentionHeatMapTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rnngen-heatmap-" + Guid.NewGuid().ToString("N"));

    public AttentionHeatMapTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Source = ["25", "th", " ", "of", "June", ",", "2009"];
    private static readonly string[] Target = ["2", "0", "0", "9", "-"];

    /// <summary>Distinct weights in [0, 1] with one clear maximum at (row 3, column 6).</summary>
    private static float[] Weights(int rows, int columns, int maxRow = 3, int maxColumn = 6)
    {
        var w = new float[rows * columns];
        for (int i = 0; i < w.Length; i++)
            w[i] = 0.8f * i / w.Length;
        w[maxRow * columns + maxColumn] = 0.97f;
        return w;
    }

    private static XElement[] Cells(XDocument doc) => doc.Descendants(Svg + "rect").ToArray();

    private static int Attr(XElement e, string name) => int.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);

    /// <summary>WCAG relative luminance of "#rrggbb".</summary>
    private static double Luminance(string hex)
    {
        Assert.Matches("^#[0-9a-f]{6}$", hex);
        double Channel(int offset)
        {
            double c = int.Parse(hex.AsSpan(offset, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }

    [Fact]
    public void Svg_Is_Well_Formed_With_One_Rect_Per_Weight()
    {
        string svg = AttentionHeatMap.ToSvg(Source, Target, Weights(Target.Length, Source.Length), "Attention: \"25th of June, 2009\"");
        var doc = XDocument.Parse(svg);
        XElement root = doc.Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("rnngen-heatmap", (string?)root.Attribute("class"));
        Assert.Equal(Target.Length, Attr(root, "data-rows"));
        Assert.Equal(Source.Length, Attr(root, "data-columns"));

        XElement[] cells = Cells(doc);
        Assert.Equal(Target.Length * Source.Length, cells.Length);
        // Every (row, column) exactly once, in row-major order.
        for (int i = 0; i < cells.Length; i++)
        {
            Assert.Equal(i / Source.Length, Attr(cells[i], "data-row"));
            Assert.Equal(i % Source.Length, Attr(cells[i], "data-column"));
        }
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "Attention: \"25th of June, 2009\"");
        Assert.Contains(doc.Descendants(Svg + "linearGradient"), g => g.Elements(Svg + "stop").Count() > 2); // the legend
    }

    [Fact]
    public void Darkest_Cell_Is_The_Largest_Weight_And_Fills_Clamp()
    {
        float[] weights = Weights(Target.Length, Source.Length, maxRow: 3, maxColumn: 6);
        XElement[] cells = Cells(XDocument.Parse(AttentionHeatMap.ToSvg(Source, Target, weights)));
        double[] luminance = cells.Select(c => Luminance((string)c.Attribute("fill")!)).ToArray();
        int darkest = Array.IndexOf(luminance, luminance.Min());
        Assert.Equal(3 * Source.Length + 6, darkest);
        Assert.Equal(1, luminance.Count(l => l == luminance[darkest]));

        // Darker with every larger weight, white at 0 (and below), dark blue at 1 (and above).
        var sorted = Enumerable.Range(0, weights.Length).OrderBy(i => weights[i]).ToArray();
        for (int k = 1; k < sorted.Length; k++)
            Assert.True(luminance[sorted[k]] <= luminance[sorted[k - 1]]);
        XElement[] clamped = Cells(XDocument.Parse(AttentionHeatMap.ToSvg(["a", "b", "c", "d"], ["x"], [-0.5f, 0f, 1f, float.PositiveInfinity])));
        Assert.Equal([AttentionHeatMap.LowColor, AttentionHeatMap.LowColor, AttentionHeatMap.HighColor, AttentionHeatMap.HighColor],
            clamped.Select(c => (string)c.Attribute("fill")!));
    }

    [Fact]
    public void Ramp_Darkens_Steadily_From_White_To_Dark_Blue()
    {
        Assert.Equal(AttentionHeatMap.LowColor, AttentionHeatMap.ColorOf(0f));
        Assert.Equal(AttentionHeatMap.HighColor, AttentionHeatMap.ColorOf(1f));
        double previous = double.PositiveInfinity;
        for (int level = 0; level <= 255; level++)
        {
            double luminance = Luminance(AttentionHeatMap.ColorOf(level / 255f));
            Assert.True(luminance < previous, $"level {level}");
            previous = luminance;
        }
        // Blue throughout: the blue channel never below red or green.
        for (int level = 0; level <= 255; level++)
        {
            string hex = AttentionHeatMap.ColorOf(level / 255f);
            int r = Convert.ToInt32(hex.Substring(1, 2), 16), g = Convert.ToInt32(hex.Substring(3, 2), 16), b = Convert.ToInt32(hex.Substring(5, 2), 16);
            Assert.True(b >= g && g >= r, hex);
        }
    }

    [Fact]
    public void Tooltips_Name_Target_Source_And_Weight_In_Invariant_Culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            // The tests run in globalization-invariant mode, so make a culture with a decimal comma by hand.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NegativeSign = "~";
            CultureInfo.CurrentCulture = comma;
            XElement[] cells = Cells(XDocument.Parse(AttentionHeatMap.ToSvg(["June", "2009"], ["0", "6"], [0.123f, 0.877f, 0.5f, 0.5f])));
            Assert.Equal("0 → June: 0.123", cells[0].Element(Svg + "title")!.Value);
            Assert.Equal("0 → 2009: 0.877", cells[1].Element(Svg + "title")!.Value);
            Assert.Equal("6 → June: 0.500", cells[2].Element(Svg + "title")!.Value);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Labels_Are_Escaped_And_Spaces_Made_Visible()
    {
        string[] source = ["<", "&", " ", "a\"b'c", "</svg>", "", "\t"];
        string[] target = ["<eos>", "x y"];
        string svg = AttentionHeatMap.ToSvg(source, target, new float[source.Length * target.Length], title: "<b>&</b>");
        var doc = XDocument.Parse(svg);
        string[] columnLabels = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "source-labels").Elements(Svg + "text").Select(t => t.Value).ToArray();
        string[] rowLabels = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "target-labels").Elements(Svg + "text").Select(t => t.Value).ToArray();
        Assert.Equal(["<", "&", "␣", "a\"b'c", "</svg>", "∅", "␉"], columnLabels);
        Assert.Equal(["<eos>", "x␣y"], rowLabels);
        Assert.Equal("<eos> → <: 0.000", Cells(doc)[0].Element(Svg + "title")!.Value);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "<b>&</b>");
        Assert.Equal(source.Length * target.Length, Cells(doc).Length);
    }

    [Fact]
    public void Long_Labels_Are_Shortened_And_Wide_Columns_Turned()
    {
        string longToken = new string('w', 50);
        var doc = XDocument.Parse(AttentionHeatMap.ToSvg([longToken, "b"], ["x"], [0.25f, 0.75f]));
        XElement label = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "source-labels").Elements(Svg + "text").First();
        Assert.Equal(longToken, label.Element(Svg + "title")!.Value);
        Assert.Equal(new string('w', AttentionHeatMap.MaxLabelLength - 1) + "…", string.Concat(label.Nodes().OfType<XText>().Select(t => t.Value)));
        Assert.StartsWith("rotate(-90", (string?)label.Attribute("transform"));

        // Short labels stay horizontal.
        var small = XDocument.Parse(AttentionHeatMap.ToSvg(["a", "b"], ["x"], [0.25f, 0.75f]));
        Assert.DoesNotContain(small.Descendants(Svg + "text"), t => t.Attribute("transform") is not null);
    }

    [Fact]
    public void Bad_Arguments_Throw_With_Clear_Messages()
    {
        string[] five = ["a", "b", "c", "d", "e"], three = ["x", "y", "z"];
        var e = Assert.Throws<ArgumentException>(() => AttentionHeatMap.ToSvg(five, three, new float[14]));
        Assert.Equal("weights", e.ParamName);
        Assert.StartsWith("Expected weights of length 3×5 = 15 (target tokens × source tokens) but got 14.", e.Message);

        e = Assert.Throws<ArgumentException>(() => AttentionHeatMap.ToSvg([], three, ReadOnlySpan<float>.Empty));
        Assert.Equal("sourceTokens", e.ParamName);
        Assert.Contains("at least one source token", e.Message);
        e = Assert.Throws<ArgumentException>(() => AttentionHeatMap.ToSvg(five, [], ReadOnlySpan<float>.Empty));
        Assert.Equal("targetTokens", e.ParamName);
        Assert.Contains("at least one target token", e.Message);
        Assert.Throws<ArgumentNullException>(() => AttentionHeatMap.ToSvg(null!, three, new float[3]));
        e = Assert.Throws<ArgumentException>(() => AttentionHeatMap.ToSvg(["a", null!], ["x"], new float[2]));
        Assert.Contains("sourceTokens[1]", e.Message);

        float[] weights = new float[15];
        weights[2 * 5 + 4] = float.NaN;
        e = Assert.Throws<ArgumentException>(() => AttentionHeatMap.ToSvg(five, three, weights));
        Assert.Equal("weights", e.ParamName);
        Assert.StartsWith("The weight at row 2 (target token \"z\"), column 4 (source token \"e\") is NaN.", e.Message);
    }

    [Fact]
    public void WriteSvg_Writes_The_Same_Document_And_Leaves_No_Temp_Files()
    {
        string path = Path.Combine(_dir, "attention.svg");
        float[] weights = Weights(Target.Length, Source.Length);
        File.WriteAllText(path, "old content");
        AttentionHeatMap.WriteSvg(path, Source, Target, weights, "step 1");
        Assert.Equal(AttentionHeatMap.ToSvg(Source, Target, weights, "step 1"), File.ReadAllText(path));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.NotEqual(0xEF, bytes[0]); // no BOM
        Assert.Equal(Source.Length * Target.Length, Cells(XDocument.Load(path)).Length);

        // A failed call (bad weights) leaves the previous file and nothing else.
        Assert.Throws<ArgumentException>(() => AttentionHeatMap.WriteSvg(path, Source, Target, new float[3]));
        Assert.Equal(["attention.svg"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }
}
