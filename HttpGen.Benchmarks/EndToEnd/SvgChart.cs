using System.Globalization;
using System.Net;
using System.Text;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>A horizontal bar chart as SVG text: a title, then one bar per row, grouped, with its value printed.</summary>
internal static class SvgChart
{
    private const int Width = 760;
    private const int LabelWidth = 250;
    private const int BarHeight = 18;
    private const int Gap = 6;

    public static string Render(string title, string unit, IReadOnlyList<(string Group, string Label, double Value, bool Highlight)> rows)
    {
        double max = rows.Count == 0 ? 1 : rows.Max(r => double.IsFinite(r.Value) ? r.Value : 0);
        max = max <= 0 ? 1 : max;
        int groups = rows.Select(r => r.Group).Distinct().Count();
        int height = 40 + (rows.Count * (BarHeight + Gap)) + (groups * 22) + 10;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" font-family="sans-serif" font-size="12">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""  <rect width="{Width}" height="{height}" fill="white"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""  <text x="10" y="22" font-size="15" font-weight="bold">{Escape(title)} ({Escape(unit)})</text>""").Append('\n');
        int y = 40;
        string? group = null;
        foreach ((string g, string label, double value, bool highlight) in rows)
        {
            if (g != group)
            {
                group = g;
                y += 4;
                svg.Append(CultureInfo.InvariantCulture, $"""  <text x="10" y="{y + 12}" font-weight="bold">{Escape(g)}</text>""").Append('\n');
                y += 18;
            }

            double width = double.IsFinite(value) ? Math.Max(1, (Width - LabelWidth - 90) * value / max) : 0;
            string text = double.IsFinite(value) ? Format(value) : "n/a";
            svg.Append(CultureInfo.InvariantCulture, $"""  <text x="{LabelWidth - 8}" y="{y + 13}" text-anchor="end">{Escape(label)}</text>""").Append('\n');
            svg.Append(CultureInfo.InvariantCulture, $"""  <rect x="{LabelWidth}" y="{y}" width="{width:F1}" height="{BarHeight}" fill="{(highlight ? "#2b6cb0" : "#a0aec0")}"/>""").Append('\n');
            svg.Append(CultureInfo.InvariantCulture, $"""  <text x="{LabelWidth + width + 6:F1}" y="{y + 13}">{text}</text>""").Append('\n');
            y += BarHeight + Gap;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Format(double value) =>
        value >= 1_000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
        : value.ToString("F1", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
