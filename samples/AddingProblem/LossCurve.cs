using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AddingProblem;

/// <summary>A recorded loss curve and a small hand-written SVG line chart (log-scale y) of several of them.</summary>
internal sealed class LossCurve
{
    private static readonly string[] Colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"];
    private readonly List<(int Iteration, double Loss)> _points = new();

    public LossCurve(string name) => Name = name;

    public string Name { get; }
    public double Last => _points.Count == 0 ? double.NaN : _points[^1].Loss;

    public void Add(int iteration, double loss) => _points.Add((iteration, loss));

    public static string ToSvg(IReadOnlyList<LossCurve> curves, double baseline, string title)
    {
        const double Width = 760, Height = 440, Left = 70, Right = 170, Top = 40, Bottom = 50;
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;

        int maxIteration = 1;
        double low = baseline, high = baseline;
        foreach (LossCurve curve in curves)
        {
            foreach (var (iteration, loss) in curve._points)
            {
                maxIteration = Math.Max(maxIteration, iteration);
                if (loss > 0 && double.IsFinite(loss)) { low = Math.Min(low, loss); high = Math.Max(high, loss); }
            }
        }
        double decadeLow = Math.Floor(Math.Log10(low)), decadeHigh = Math.Ceiling(Math.Log10(high));
        if (decadeHigh <= decadeLow) decadeHigh = decadeLow + 1;
        double X(double iteration) => Left + plotWidth * iteration / maxIteration;
        double Y(double loss) => Top + plotHeight * (decadeHigh - Math.Log10(Math.Max(loss, Math.Pow(10, decadeLow)))) / (decadeHigh - decadeLow);
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(Width)}\" height=\"{F(Height)}\" viewBox=\"0 0 {F(Width)} {F(Height)}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"<rect width=\"{F(Width)}\" height=\"{F(Height)}\" fill=\"white\"/>\n");
        svg.Append($"<text x=\"{F(Left)}\" y=\"24\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n");

        // y grid: decades (labelled) and 2·, 5· minor lines
        for (double d = decadeLow; d <= decadeHigh; d++)
        {
            double value = Math.Pow(10, d);
            svg.Append($"<line x1=\"{F(Left)}\" y1=\"{F(Y(value))}\" x2=\"{F(Left + plotWidth)}\" y2=\"{F(Y(value))}\" stroke=\"#ccc\"/>\n");
            svg.Append($"<text x=\"{F(Left - 6)}\" y=\"{F(Y(value) + 4)}\" text-anchor=\"end\">{(d >= -3 ? value.ToString("0.###", CultureInfo.InvariantCulture) : "1e" + d.ToString(CultureInfo.InvariantCulture))}</text>\n");
            if (d < decadeHigh)
            {
                foreach (double minor in new[] { 2.0, 5.0 })
                    svg.Append($"<line x1=\"{F(Left)}\" y1=\"{F(Y(minor * value))}\" x2=\"{F(Left + plotWidth)}\" y2=\"{F(Y(minor * value))}\" stroke=\"#eee\"/>\n");
            }
        }
        // x ticks: five intervals
        for (int k = 0; k <= 5; k++)
        {
            double iteration = maxIteration * k / 5.0;
            svg.Append($"<line x1=\"{F(X(iteration))}\" y1=\"{F(Top + plotHeight)}\" x2=\"{F(X(iteration))}\" y2=\"{F(Top + plotHeight + 5)}\" stroke=\"black\"/>\n");
            svg.Append($"<text x=\"{F(X(iteration))}\" y=\"{F(Top + plotHeight + 18)}\" text-anchor=\"middle\">{F(Math.Round(iteration))}</text>\n");
        }
        svg.Append($"<rect x=\"{F(Left)}\" y=\"{F(Top)}\" width=\"{F(plotWidth)}\" height=\"{F(plotHeight)}\" fill=\"none\" stroke=\"black\"/>\n");
        svg.Append($"<text x=\"{F(Left + plotWidth / 2)}\" y=\"{F(Height - 10)}\" text-anchor=\"middle\">Adam updates</text>\n");
        svg.Append($"<text transform=\"translate(18 {F(Top + plotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">MSE (log scale)</text>\n");

        // baseline
        svg.Append($"<line x1=\"{F(Left)}\" y1=\"{F(Y(baseline))}\" x2=\"{F(Left + plotWidth)}\" y2=\"{F(Y(baseline))}\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n");

        // curves and legend
        double legendY = Top + 10;
        for (int c = 0; c < curves.Count; c++)
        {
            string color = Colors[c % Colors.Length];
            var points = new StringBuilder();
            foreach (var (iteration, loss) in curves[c]._points)
            {
                if (!double.IsFinite(loss)) continue;
                points.Append(F(X(iteration))).Append(',').Append(F(Y(loss))).Append(' ');
            }
            svg.Append($"<polyline points=\"{points.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            double ly = legendY + 20 * c;
            svg.Append($"<line x1=\"{F(Left + plotWidth + 15)}\" y1=\"{F(ly)}\" x2=\"{F(Left + plotWidth + 40)}\" y2=\"{F(ly)}\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            svg.Append($"<text x=\"{F(Left + plotWidth + 46)}\" y=\"{F(ly + 4)}\">{Escape(curves[c].Name)}</text>\n");
        }
        double by = legendY + 20 * curves.Count;
        svg.Append($"<line x1=\"{F(Left + plotWidth + 15)}\" y1=\"{F(by)}\" x2=\"{F(Left + plotWidth + 40)}\" y2=\"{F(by)}\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n");
        svg.Append($"<text x=\"{F(Left + plotWidth + 46)}\" y=\"{F(by + 4)}\">predict 1 ({baseline.ToString("F3", CultureInfo.InvariantCulture)})</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
