using SalesFlow.Export;

namespace SalesFlow;

public abstract partial class PipelineDefinition
{
    /// <summary>
    /// Draws the pipeline as a Mermaid flowchart: stages by display name (won, lost and closed stages marked and
    /// coloured), the initial stage pointed to by a start circle, every transition labelled with its trigger and the
    /// reasons of its guards, internal actions as dotted loops, and return transitions (such as <c>Reopen</c>) as
    /// dashed edges through a "previous stage" choice to every stage the deal can have come from.
    /// </summary>
    /// <remarks>
    /// The graph is read from the Stateless machine the engine runs (its <c>GetInfo()</c>), so it shows what the
    /// engine enforces. Node ids are generated and every label is escaped: any stage name, trigger or reason gives
    /// valid Mermaid.
    /// </remarks>
    /// <returns>The Mermaid text, starting with <c>flowchart TD</c>.</returns>
    public string ToMermaid() => MermaidGraphWriter.Write(PipelineGraph.Of(this));

    /// <summary>
    /// Draws the pipeline as a Mermaid flowchart with one deal on it: its current stage highlighted, and the
    /// transitions, internal actions and returns its history records drawn thick and coloured with their counts
    /// (for example <c>Reopen (back) ×2</c>). Otherwise the same graph as <see cref="ToMermaid()"/>.
    /// </summary>
    /// <param name="deal">The deal; it must run on this pipeline id and version.</param>
    /// <param name="history">The deal's history (from <c>GetHistoryAsync</c>). Moves this version does not have are left out.</param>
    /// <returns>The Mermaid text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deal"/> or <paramref name="history"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The deal runs on another pipeline or version, is in a stage this pipeline does not have, or the history holds a
    /// null entry or an event of another deal.
    /// </exception>
    public string ToMermaid(Deal deal, IReadOnlyList<DealEvent> history) =>
        MermaidGraphWriter.Write(PipelineGraph.Of(this, deal, history));

    /// <summary>
    /// Draws the pipeline in Graphviz DOT: the same graph as <see cref="ToMermaid()"/> (stage names and kinds, the
    /// initial stage, guard reasons on the edges, internal actions and return transitions).
    /// </summary>
    /// <returns>The DOT text of a <c>digraph</c>; render it with <c>dot -Tsvg</c>.</returns>
    public string ToDot() => DotGraphWriter.Write(PipelineGraph.Of(this));

    /// <summary>
    /// Draws the pipeline in Graphviz DOT with one deal on it: the same graph as <see cref="ToMermaid(Deal, IReadOnlyList{DealEvent})"/>.
    /// </summary>
    /// <param name="deal">The deal; it must run on this pipeline id and version.</param>
    /// <param name="history">The deal's history (from <c>GetHistoryAsync</c>). Moves this version does not have are left out.</param>
    /// <returns>The DOT text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deal"/> or <paramref name="history"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The deal runs on another pipeline or version, is in a stage this pipeline does not have, or the history holds a
    /// null entry or an event of another deal.
    /// </exception>
    public string ToDot(Deal deal, IReadOnlyList<DealEvent> history) =>
        DotGraphWriter.Write(PipelineGraph.Of(this, deal, history));
}
