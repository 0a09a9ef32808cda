using System.Globalization;
using System.Text;

namespace SalesFlow.Export;

/// <summary>
/// Writes a <see cref="PipelineGraph"/> in Graphviz DOT. Node ids are generated (<c>s0</c> … for stages, <c>i0</c>
/// for the start point, <c>r0</c> … for return choices); every name and reason goes into a quoted, escaped string.
/// </summary>
internal static class DotGraphWriter
{
    private const string Highlight = "#d62728";

    public static string Write(PipelineGraph graph)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"digraph {Quote(graph.Title)} {{\n");
        text.Append(CultureInfo.InvariantCulture, $"    graph [label={Quote(graph.Title)}, labelloc=t, fontname=\"Helvetica\"];\n");
        text.Append("    node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n");
        text.Append("    edge [fontname=\"Helvetica\", fontsize=10];\n");
        text.Append("    i0 [shape=point, width=0.2, style=filled, fillcolor=\"#333333\", color=\"#333333\", label=\"\", tooltip=\"start\"];\n");
        foreach (var stage in graph.Stages)
        {
            var label = stage.Name;
            if (stage.Kind != StageKind.Open)
            {
                label += "\n" + MermaidGraphWriter.KindMark(stage.Kind);
            }

            var current = stage.Index == graph.CurrentIndex;
            if (current)
            {
                label += "\n● current stage";
            }

            var style = stage.Kind switch
            {
                StageKind.Won => ", fillcolor=\"#d9f2d9\", color=\"#2e7d32\", fontcolor=\"#1b5e20\", peripheries=2",
                StageKind.Lost => ", fillcolor=\"#f9dcdc\", color=\"#c62828\", fontcolor=\"#8e0000\", peripheries=2",
                StageKind.Closed => ", fillcolor=\"#e6e6e6\", color=\"#616161\", fontcolor=\"#424242\", peripheries=2",
                _ => string.Empty,
            };
            if (current)
            {
                style += $", color=\"{Highlight}\", penwidth=4";
            }

            text.Append(CultureInfo.InvariantCulture, $"    s{stage.Index} [label={Quote(label)}{style}];\n");
        }

        var returns = graph.Edges.Where(e => e.Kind == TransitionKind.Return).ToList();
        for (var r = 0; r < returns.Count; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"    r{r} [shape=diamond, style=filled, fillcolor=\"#fff8e1\", color=\"#9e9e9e\", fontsize=10, label=\"previous\\nstage\"];\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"    i0 -> s{graph.InitialIndex};\n");
        var returnIndex = 0;
        foreach (var edge in graph.Edges)
        {
            var to = edge.Kind == TransitionKind.Return ? $"r{returnIndex}" : $"s{edge.To}";
            var style = edge.Kind switch
            {
                TransitionKind.Internal => ", style=dotted",
                TransitionKind.Return => ", style=dashed",
                _ => string.Empty,
            };
            text.Append(CultureInfo.InvariantCulture, $"    s{edge.From} -> {to} [label={Quote(EdgeLabel(edge))}{style}{Taken(edge.Taken)}];\n");
            if (edge.Kind != TransitionKind.Return)
            {
                continue;
            }

            foreach (var target in edge.ReturnTargets)
            {
                var label = target.Taken > 0 ? $"label={Quote(MermaidGraphWriter.Times(target.Taken))}, " : string.Empty;
                text.Append(CultureInfo.InvariantCulture, $"    r{returnIndex} -> s{target.Stage} [{label}style=dashed{Taken(target.Taken)}];\n");
            }

            returnIndex++;
        }

        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>
    /// Quotes text as a DOT string: backslashes and quotes escaped, <c>&amp;</c> written as an entity (Graphviz reads
    /// entities in labels), line breaks as <c>\n</c>, other control characters as spaces.
    /// </summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 8).Append('"');
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        foreach (var c in normalized)
        {
            switch (c)
            {
                case '\\':
                    quoted.Append(@"\\");
                    break;
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '&':
                    quoted.Append("&amp;");
                    break;
                case '\n':
                    quoted.Append(@"\n");
                    break;
                case var control when char.IsControl(control):
                    quoted.Append(' ');
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    private static string EdgeLabel(GraphEdge edge)
    {
        var label = new StringBuilder(edge.Kind switch
        {
            TransitionKind.Internal => $"{edge.Trigger} (internal)",
            TransitionKind.Return => $"{edge.Trigger} (back)",
            _ => edge.Trigger,
        });
        if (edge.Taken > 0)
        {
            label.Append(' ').Append(MermaidGraphWriter.Times(edge.Taken));
        }

        foreach (var reason in edge.GuardReasons)
        {
            label.Append('\n').Append('[').Append(reason).Append(']');
        }

        return label.ToString();
    }

    private static string Taken(int count) =>
        count > 0 ? $", color=\"{Highlight}\", fontcolor=\"{Highlight}\", penwidth=3" : string.Empty;
}
