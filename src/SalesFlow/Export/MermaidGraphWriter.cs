using System.Globalization;
using System.Text;

namespace SalesFlow.Export;

/// <summary>
/// Writes a <see cref="PipelineGraph"/> as a Mermaid flowchart. A flowchart rather than a state diagram because
/// only flowcharts can style single edges (thick <c>==&gt;</c> links and <c>linkStyle</c>), which the graph of a
/// deal needs to show the moves it took. Node ids are generated (<c>s0</c>, <c>s1</c> … for stages, <c>i0</c> for
/// the start, <c>r0</c> … for return choices), so no name can collide with a Mermaid keyword, and every label is
/// quoted and escaped with Mermaid entity codes (<c>#59;</c>), so any stage name, trigger or reason is valid.
/// </summary>
internal static class MermaidGraphWriter
{
    private const string Break = "<br/>";
    private const string Highlight = "#d62728";

    public static string Write(PipelineGraph graph)
    {
        var text = new StringBuilder();
        var links = 0;
        var takenLinks = new List<int>();
        text.Append("flowchart TD\n");

        text.Append("    i0((\" \"))\n");
        foreach (var stage in graph.Stages)
        {
            var label = Escape(stage.Name);
            if (stage.Kind != StageKind.Open)
            {
                label += Break + Escape(KindMark(stage.Kind));
            }

            if (stage.Index == graph.CurrentIndex)
            {
                label += Break + Escape("● current stage");
            }

            var (open, close) = stage.Kind == StageKind.Open ? ("[\"", "\"]") : ("([\"", "\"])");
            text.Append(CultureInfo.InvariantCulture, $"    s{stage.Index}{open}{label}{close}\n");
        }

        var returns = graph.Edges.Where(e => e.Kind == TransitionKind.Return).ToList();
        for (var r = 0; r < returns.Count; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"    r{r}{{\"{Escape("previous stage")}\"}}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"    i0 --> s{graph.InitialIndex}\n");
        links++;

        var returnIndex = 0;
        foreach (var edge in graph.Edges)
        {
            var label = EdgeLabel(edge);
            var arrow = edge.Taken > 0 ? "==>" : edge.Kind == TransitionKind.Transition ? "-->" : "-.->";
            var to = edge.Kind == TransitionKind.Return ? $"r{returnIndex}" : $"s{edge.To}";
            text.Append(CultureInfo.InvariantCulture, $"    s{edge.From} {arrow}|\"{label}\"| {to}\n");
            if (edge.Taken > 0)
            {
                takenLinks.Add(links);
            }

            links++;
            if (edge.Kind != TransitionKind.Return)
            {
                continue;
            }

            foreach (var target in edge.ReturnTargets)
            {
                if (target.Taken > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    r{returnIndex} ==>|\"{Escape(Times(target.Taken))}\"| s{target.Stage}\n");
                    takenLinks.Add(links);
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"    r{returnIndex} -.-> s{target.Stage}\n");
                }

                links++;
            }

            returnIndex++;
        }

        text.Append("    classDef start fill:#333333,stroke:#333333\n");
        text.Append("    classDef won fill:#d9f2d9,stroke:#2e7d32,color:#1b5e20\n");
        text.Append("    classDef lost fill:#f9dcdc,stroke:#c62828,color:#8e0000\n");
        text.Append("    classDef closed fill:#e6e6e6,stroke:#616161,color:#424242\n");
        text.Append("    classDef choice fill:#fff8e1,stroke:#9e9e9e\n");
        text.Append("    class i0 start\n");
        foreach (var kind in new[] { StageKind.Won, StageKind.Lost, StageKind.Closed })
        {
            if (graph.Stages.Where(s => s.Kind == kind).Select(s => $"s{s.Index}").ToList() is { Count: > 0 } ids)
            {
                text.Append(CultureInfo.InvariantCulture, $"    class {string.Join(',', ids)} {kind.ToString().ToLowerInvariant()}\n");
            }
        }

        if (returns.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"    class {string.Join(',', Enumerable.Range(0, returns.Count).Select(r => $"r{r}"))} choice\n");
        }

        if (graph.IsDealGraph)
        {
            text.Append(CultureInfo.InvariantCulture, $"    style s{graph.CurrentIndex} stroke:{Highlight},stroke-width:4px\n");
            if (takenLinks.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"    linkStyle {string.Join(',', takenLinks)} stroke:{Highlight},stroke-width:3px,color:{Highlight}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Escapes text for a quoted Mermaid label: letters and digits of any script, spaces and a few harmless marks stay;
    /// every other character becomes a numeric entity code (<c>#59;</c> for <c>;</c>), a line break becomes
    /// <c>&lt;br/&gt;</c>, and other control characters become spaces.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (rune.Value == '\n')
            {
                escaped.Append(Break);
            }
            else if (Rune.IsControl(rune))
            {
                escaped.Append(' ');
            }
            else if (IsPlain(rune))
            {
                escaped.Append(rune.ToString());
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"#{rune.Value};");
            }
        }

        return escaped.ToString();
    }

    // Mermaid marks entities internally with 'ﬂ°' … '¶ß' and undoes that on the rendered text, so 'ﬂ' is escaped too.
    private static bool IsPlain(Rune rune) =>
        rune.Value switch
        {
            ' ' or '.' or ',' or '(' or ')' or '[' or ']' or '-' or '_' or '/' or '\'' or '?' or '!' or '+' => true,
            0xFB02 => false,
            _ => Rune.IsLetterOrDigit(rune),
        };

    private static string EdgeLabel(GraphEdge edge)
    {
        var head = edge.Kind switch
        {
            TransitionKind.Internal => $"{edge.Trigger} (internal)",
            TransitionKind.Return => $"{edge.Trigger} (back)",
            _ => edge.Trigger,
        };
        if (edge.Taken > 0)
        {
            head += " " + Times(edge.Taken);
        }

        var label = new StringBuilder(Escape(head));
        foreach (var reason in edge.GuardReasons)
        {
            label.Append(Break).Append(Escape($"[{reason}]"));
        }

        return label.ToString();
    }

    internal static string KindMark(StageKind kind) => $"«{kind.ToString().ToLowerInvariant()}»";

    internal static string Times(int count) => string.Create(CultureInfo.InvariantCulture, $"×{count}");
}
