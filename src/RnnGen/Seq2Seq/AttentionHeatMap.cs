using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using RnnGen.Runtime;

namespace RnnGen.Seq2Seq;

/// <summary>
/// Renders the attention weights of an encoder–decoder model as a standalone SVG heat map: one column
/// per source token (labels on top, all turned vertical when one does not fit a cell), one row per
/// target token (one decoding step, labels at the left), a colour legend at the right.
/// </summary>
/// <remarks>
/// <para>A cell's fill encodes its weight clamped to [0, 1], from white (0) to dark blue (1) along the
/// ColorBrewer "Blues" colours, with OKLab lightness linear in the weight, so equal weight steps look
/// like equal steps of darkness. Each cell has a
/// <c>&lt;title&gt;</c> tooltip "target → source: 0.123" with the unclamped weight.</para>
/// <para>Labels are XML-escaped and made visible: a space shows as '␣', control characters as their
/// Unicode control pictures ('␉', '␊', …), an empty token as '∅', unpaired surrogates as '�'. Labels
/// longer than <see cref="MaxLabelLength"/> characters are shortened with '…' (the tooltips keep them
/// whole).</para>
/// <para>The cells are the only <c>&lt;rect&gt;</c> elements of the document; each carries
/// <c>data-row</c> and <c>data-column</c>. The root <c>&lt;svg&gt;</c> has
/// <c>class="rnngen-heatmap"</c>, <c>data-rows</c> (target tokens) and <c>data-columns</c> (source
/// tokens). Numbers are written in the invariant culture.</para>
/// </remarks>
public static class AttentionHeatMap
{
    /// <summary>Labels longer than this many characters are shortened with '…'.</summary>
    public const int MaxLabelLength = 32;

    /// <summary>The colour of weight 0.</summary>
    public const string LowColor = "#ffffff";

    /// <summary>The colour of weight 1 (the darkest class of ColorBrewer "Blues").</summary>
    public const string HighColor = "#08306b";

    private const int Cell = 28;
    private const int Margin = 10;
    private const int LabelGap = 6;
    private const int FontSize = 12;
    private const double CharWidth = 0.6 * FontSize; // monospace advance: labels use a monospace font
    private const int TitleFontSize = 15;
    private const int TitleHeight = 26;
    private const int LegendGap = 18;
    private const int LegendBarWidth = 12;
    private const int LegendMinHeight = 100;
    private const int LegendMaxHeight = 240;
    private const int LegendStops = 11;
    private const string GradientId = "rnngen-heatmap-ramp";
    private const string LabelFont = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    private const string TitleFont = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif";

    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    /// <summary>Renders the heat map as an SVG document.</summary>
    /// <param name="sourceTokens">The encoder's tokens: the columns.</param>
    /// <param name="targetTokens">The decoder's tokens: the rows, one per decoding step.</param>
    /// <param name="weights">[targetTokens.Count, sourceTokens.Count], row-major: row t holds the attention of decoding step t over the source.</param>
    /// <param name="title">An optional caption above the map.</param>
    /// <exception cref="ArgumentException">Empty token lists, a null token, a weight count that is not rows × columns, or a NaN weight.</exception>
    public static string ToSvg(IReadOnlyList<string> sourceTokens, IReadOnlyList<string> targetTokens, ReadOnlySpan<float> weights, string? title = null)
    {
        Validate(sourceTokens, targetTokens, weights);
        int rows = targetTokens.Count, columns = sourceTokens.Count;

        // Layout, from estimated label widths (monospace, so characters × advance is close).
        int maxSource = 0, maxTarget = 0;
        for (int c = 0; c < columns; c++)
            maxSource = Math.Max(maxSource, LabelLength(sourceTokens[c]));
        for (int r = 0; r < rows; r++)
            maxTarget = Math.Max(maxTarget, LabelLength(targetTokens[r]));
        bool hasTitle = !string.IsNullOrEmpty(title);
        bool rotate = maxSource * CharWidth > Cell - 4;
        int leftWidth = (int)Math.Ceiling(maxTarget * CharWidth) + LabelGap;
        int headerHeight = rotate ? (int)Math.Ceiling(maxSource * CharWidth) + LabelGap + 2 : FontSize + LabelGap + 2;
        int gridX = Margin + leftWidth;
        int gridY = Margin + (hasTitle ? TitleHeight : 0) + headerHeight;
        int gridWidth = columns * Cell, gridHeight = rows * Cell;
        int legendX = gridX + gridWidth + LegendGap;
        int legendHeight = Math.Clamp(gridHeight, LegendMinHeight, LegendMaxHeight);
        int width = legendX + LegendBarWidth + 4 + (int)Math.Ceiling(3 * CharWidth) + Margin;
        if (hasTitle)
            width = Math.Max(width, 2 * Margin + (int)Math.Ceiling(title!.Length * 0.6 * TitleFontSize));
        int height = Math.Max(gridY + gridHeight, gridY + legendHeight + FontSize / 2) + Margin;

        // About 200 characters per cell plus the tokens in its tooltip (the builder grows past 16 M if needed).
        long estimate = 2048 + (long)rows * columns * (200 + Math.Min(maxSource + maxTarget, 64));
        var sb = new StringBuilder((int)Math.Min(estimate, 1 << 24));
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rnngen-heatmap\" data-rows=\"{rows}\" data-columns=\"{columns}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" style=\"background:#ffffff\" aria-label=\"");
        AppendEscaped(sb, hasTitle ? title! : "Attention heat map");
        sb.Append("\">\n");
        sb.Append("<title>");
        AppendEscaped(sb, hasTitle ? title! : "Attention heat map");
        sb.Append(Inv, $" ({rows} target × {columns} source tokens)</title>\n");

        sb.Append(Inv, $"<defs><linearGradient id=\"{GradientId}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int i = 0; i < LegendStops; i++)
        {
            double t = i / (double)(LegendStops - 1);
            sb.Append(Inv, $"<stop offset=\"{t:0.###}\" stop-color=\"{Ramp[(int)Math.Round(t * 255)]}\"/>");
        }
        sb.Append("</linearGradient></defs>\n");

        if (hasTitle)
        {
            sb.Append(Inv, $"<text class=\"title\" x=\"{Margin}\" y=\"{Margin + TitleFontSize}\" font-family=\"{TitleFont}\" font-size=\"{TitleFontSize}\" font-weight=\"600\" fill=\"#1f2328\">");
            AppendEscaped(sb, title!);
            sb.Append("</text>\n");
        }

        // Column labels: centred above each column, or all turned to read upwards when one is too wide.
        sb.Append(Inv, $"<g class=\"source-labels\" font-family=\"{LabelFont}\" font-size=\"{FontSize}\" fill=\"#1f2328\">\n");
        int labelY = gridY - LabelGap;
        for (int c = 0; c < columns; c++)
        {
            int cx = gridX + c * Cell + Cell / 2;
            if (rotate)
                sb.Append(Inv, $"<text x=\"{cx}\" y=\"{labelY}\" transform=\"rotate(-90 {cx} {labelY})\" dominant-baseline=\"central\">");
            else
                sb.Append(Inv, $"<text x=\"{cx}\" y=\"{labelY}\" text-anchor=\"middle\">");
            AppendLabel(sb, sourceTokens[c]);
            sb.Append("</text>\n");
        }
        sb.Append("</g>\n");

        // Row labels: right-aligned against the grid.
        sb.Append(Inv, $"<g class=\"target-labels\" font-family=\"{LabelFont}\" font-size=\"{FontSize}\" fill=\"#1f2328\" text-anchor=\"end\" dominant-baseline=\"central\">\n");
        for (int r = 0; r < rows; r++)
        {
            sb.Append(Inv, $"<text x=\"{gridX - LabelGap}\" y=\"{gridY + r * Cell + Cell / 2}\">");
            AppendLabel(sb, targetTokens[r]);
            sb.Append("</text>\n");
        }
        sb.Append("</g>\n");

        // Cells.
        sb.Append("<g class=\"cells\" stroke=\"#e1e4e8\" stroke-width=\"0.5\">\n");
        for (int r = 0; r < rows; r++)
        {
            int y = gridY + r * Cell;
            ReadOnlySpan<float> row = weights.Slice(r * columns, columns);
            for (int c = 0; c < columns; c++)
            {
                float w = row[c];
                sb.Append(Inv, $"<rect x=\"{gridX + c * Cell}\" y=\"{y}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{ColorOf(w)}\" data-row=\"{r}\" data-column=\"{c}\"><title>");
                AppendToken(sb, targetTokens[r]);
                sb.Append(" → ");
                AppendToken(sb, sourceTokens[c]);
                sb.Append(Inv, $": {w:0.000}</title></rect>\n");
            }
        }
        sb.Append("</g>\n");

        // Legend: a vertical bar from 0 (bottom) to 1 (top) with three ticks. A path, not a rect, so
        // that the cells stay the only rects.
        int legendBottom = gridY + legendHeight;
        sb.Append(Inv, $"<g class=\"legend\" font-family=\"{LabelFont}\" font-size=\"{FontSize - 1}\" fill=\"#1f2328\" dominant-baseline=\"central\">\n");
        sb.Append(Inv, $"<path d=\"M{legendX} {gridY}h{LegendBarWidth}v{legendHeight}h-{LegendBarWidth}z\" fill=\"url(#{GradientId})\" stroke=\"#8c959f\" stroke-width=\"0.5\"/>\n");
        int textX = legendX + LegendBarWidth + 4;
        sb.Append(Inv, $"<text x=\"{textX}\" y=\"{gridY}\">1.0</text>\n");
        sb.Append(Inv, $"<text x=\"{textX}\" y=\"{gridY + legendHeight / 2.0:0.#}\">0.5</text>\n");
        sb.Append(Inv, $"<text x=\"{textX}\" y=\"{legendBottom}\">0.0</text>\n");
        sb.Append("</g>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Writes <see cref="ToSvg"/> to <paramref name="path"/> (UTF-8, no BOM), atomically: a reader never sees a half-written file.</summary>
    public static void WriteSvg(string path, IReadOnlyList<string> sourceTokens, IReadOnlyList<string> targetTokens, ReadOnlySpan<float> weights, string? title = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string svg = ToSvg(sourceTokens, targetTokens, weights, title);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16, leaveOpen: true);
            writer.Write(svg);
        });
    }

    /// <summary>The fill of a weight: clamped to [0, 1] (−∞ → white, +∞ → dark blue), quantized to 256 levels.</summary>
    internal static string ColorOf(float weight)
    {
        float t = weight >= 1f ? 1f : weight > 0f ? weight : 0f; // NaN is rejected before; this maps it to 0
        return Ramp[(int)MathF.Round(t * 255f)];
    }

    private static void Validate(IReadOnlyList<string> sourceTokens, IReadOnlyList<string> targetTokens, ReadOnlySpan<float> weights)
    {
        ArgumentNullException.ThrowIfNull(sourceTokens);
        ArgumentNullException.ThrowIfNull(targetTokens);
        if (sourceTokens.Count == 0)
            throw new ArgumentException("Expected at least one source token (a column of the heat map), but the list is empty.", nameof(sourceTokens));
        if (targetTokens.Count == 0)
            throw new ArgumentException("Expected at least one target token (a row of the heat map), but the list is empty.", nameof(targetTokens));
        CheckNoNull(sourceTokens, nameof(sourceTokens));
        CheckNoNull(targetTokens, nameof(targetTokens));

        int rows = targetTokens.Count, columns = sourceTokens.Count;
        long expected = (long)rows * columns;
        if (weights.Length != expected)
            throw new ArgumentException(string.Create(Inv,
                $"Expected weights of length {rows}×{columns} = {expected} (target tokens × source tokens) but got {weights.Length}."), nameof(weights));

        for (int i = 0; i < weights.Length; i++)
        {
            if (float.IsNaN(weights[i]))
            {
                int r = i / columns, c = i % columns;
                throw new ArgumentException(string.Create(Inv,
                    $"The weight at row {r} (target token {Quote(targetTokens[r])}), column {c} (source token {Quote(sourceTokens[c])}) is NaN."), nameof(weights));
            }
        }
    }

    private static void CheckNoNull(IReadOnlyList<string> tokens, string argument)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] is null)
                throw new ArgumentException(string.Create(Inv, $"Expected a token at {argument}[{i}], but it is null."), argument);
        }
    }

    // ----- Labels -----

    /// <summary>Characters shown for a token's label (after shortening).</summary>
    private static int LabelLength(string token) => token.Length == 0 ? 1 : Math.Min(token.Length, MaxLabelLength);

    /// <summary>A label, shortened if needed, with the whole token as a tooltip when shortened.</summary>
    private static void AppendLabel(StringBuilder sb, string token)
    {
        if (token.Length <= MaxLabelLength)
        {
            AppendToken(sb, token);
            return;
        }
        sb.Append("<title>");
        AppendToken(sb, token);
        sb.Append("</title>");
        int keep = MaxLabelLength - 1;
        if (char.IsHighSurrogate(token[keep - 1]))
            keep--; // do not split a surrogate pair
        AppendVisible(sb, token, keep, escape: true, showSpaces: true);
        sb.Append('…');
    }

    /// <summary>A whole token, visible and XML-escaped; an empty token shows as '∅'.</summary>
    private static void AppendToken(StringBuilder sb, string token)
    {
        if (token.Length == 0)
            sb.Append('∅');
        else
            AppendVisible(sb, token, token.Length, escape: true, showSpaces: true);
    }

    /// <summary>Free text (the title): XML-escaped, spaces kept, characters XML cannot hold made visible.</summary>
    private static void AppendEscaped(StringBuilder sb, string text) => AppendVisible(sb, text, text.Length, escape: true, showSpaces: false);

    /// <summary>A token for an exception message: quoted and visible, not escaped.</summary>
    private static string Quote(string token)
    {
        var sb = new StringBuilder(token.Length + 2).Append('"');
        if (token.Length == 0)
            sb.Append('∅');
        else
            AppendVisible(sb, token, token.Length, escape: false, showSpaces: true);
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// Appends the first <paramref name="count"/> characters of <paramref name="text"/> as shown: space →
    /// '␣' (if <paramref name="showSpaces"/>), C0 controls → their control pictures (U+2400 + c, e.g.
    /// '␉', '␊'), DEL → '␡', characters XML 1.0 cannot hold (unpaired surrogates, U+FFFE, U+FFFF) → '�';
    /// with <paramref name="escape"/>, the five XML specials as entities.
    /// </summary>
    private static void AppendVisible(StringBuilder sb, string text, int count, bool escape, bool showSpaces)
    {
        for (int i = 0; i < count; i++)
        {
            char ch = text[i];
            if (escape)
            {
                string? entity = ch switch
                {
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '&' => "&amp;",
                    '"' => "&quot;",
                    '\'' => "&apos;",
                    _ => null,
                };
                if (entity is not null)
                {
                    sb.Append(entity);
                    continue;
                }
            }
            if (char.IsHighSurrogate(ch) && i + 1 < count && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(ch).Append(text[i + 1]);
                i++;
                continue;
            }
            sb.Append(ch switch
            {
                ' ' => showSpaces ? '␣' : ' ',
                < ' ' => (char)(0x2400 + ch),
                '\u007F' => '␡',
                '\uFFFE' or '\uFFFF' => '\uFFFD',
                _ when char.IsSurrogate(ch) => '\uFFFD',
                _ => ch,
            });
        }
    }

    // ----- Colour ramp -----

    /// <summary>
    /// ColorBrewer "Blues" (a sequential scheme designed for even perceived steps), starting from pure
    /// white. The ramp follows these colours, interpolated in OKLab.
    /// </summary>
    private static readonly int[] RampStops = [0xffffff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b];

    /// <summary>
    /// 256 fills along <see cref="RampStops"/> (interpolated in OKLab), placed so that OKLab lightness
    /// falls linearly with the weight: equal weight steps look like equal steps of darkness. Index =
    /// round(weight · 255); computed once.
    /// </summary>
    private static readonly string[] Ramp = BuildRamp();

    private static string[] BuildRamp()
    {
        var stops = new (double L, double A, double B)[RampStops.Length];
        for (int i = 0; i < stops.Length; i++)
            stops[i] = ToOkLab(RampStops[i] >> 16, (RampStops[i] >> 8) & 0xFF, RampStops[i] & 0xFF);

        var ramp = new string[256];
        int segment = 0;
        for (int i = 0; i < ramp.Length; i++)
        {
            // The lightness wanted, then the point of the path (lightness falls along it) that has it.
            double lightness = stops[0].L + (stops[^1].L - stops[0].L) * (i / 255.0);
            while (segment < stops.Length - 2 && stops[segment + 1].L > lightness)
                segment++;
            var (from, to) = (stops[segment], stops[segment + 1]);
            double t = Math.Clamp((from.L - lightness) / (from.L - to.L), 0, 1);
            var (r, g, b) = FromOkLab(lightness, from.A + (to.A - from.A) * t, from.B + (to.B - from.B) * t);
            ramp[i] = string.Create(Inv, $"#{r:x2}{g:x2}{b:x2}");
        }
        return ramp;
    }

    private static (double L, double A, double B) ToOkLab(int r8, int g8, int b8)
    {
        double r = ToLinear(r8 / 255.0), g = ToLinear(g8 / 255.0), b = ToLinear(b8 / 255.0);
        double l = Math.Cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
        double m = Math.Cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
        double s = Math.Cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
        return (0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
                1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
                0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s);
    }

    private static (int R, int G, int B) FromOkLab(double lightness, double a, double b)
    {
        double l = lightness + 0.3963377774 * a + 0.2158037573 * b;
        double m = lightness - 0.1055613458 * a - 0.0638541728 * b;
        double s = lightness - 0.0894841775 * a - 1.2914855480 * b;
        l = l * l * l;
        m = m * m * m;
        s = s * s * s;
        double r = 4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s;
        double g = -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s;
        double bl = -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s;
        return (To8(r), To8(g), To8(bl));
    }

    private static double ToLinear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    private static int To8(double linear)
    {
        double c = Math.Clamp(linear, 0, 1);
        c = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.Pow(c, 1 / 2.4) - 0.055;
        return (int)Math.Round(Math.Clamp(c, 0, 1) * 255);
    }
}
