using System.Data.Common;

namespace SalesFlow.Storage.Internal;

// Shared by the SQLite and PostgreSQL stores (compiled into both): row and batch helpers that do not depend on the dialect.
internal static class StoreRows
{
    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The data JSON of every deal of an import batch; lists every deal whose pipeline is not registered.</summary>
    public static string[] SerializeImportData(PipelineRegistry pipelines, IReadOnlyList<DealImport> batch)
    {
        var data = new string[batch.Count];
        var problems = new List<string>();
        for (var i = 0; i < batch.Count; i++)
        {
            var deal = batch[i].Deal;
            if (pipelines.TryGet(deal.PipelineId, deal.PipelineVersion, out var pipeline))
            {
                data[i] = pipeline.SerializeData(deal.Data);
            }
            else
            {
                problems.Add($"Deal '{deal.Id}' runs on pipeline '{deal.PipelineId}' v{deal.PipelineVersion}, which is not registered.");
            }
        }

        return problems.Count > 0 ? throw new DealImportException(problems) : data;
    }
}
