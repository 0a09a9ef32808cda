using System.Runtime.CompilerServices;

namespace SalesFlow.Storage.Relational;

// Spares a move the JSON work on deal data it did
// not change. Deal data is read-only by contract (Deal.Data; the engine clones before it changes data), so
// - a data object this store wrote or read keeps the JSON it was written as or read from, and is not serialized again;
// - a load whose row still holds the JSON of a recent load or save of the same deal returns that data object
//   instead of deserializing again (the engine's in-memory store shares data between snapshots the same way).
internal sealed class DealDataCache
{
    // Recent deals, one slot per hash of the id: bounded, lock-free, and a collision only costs a deserialization.
    private const int RecentSlots = 1024;

    private readonly ConditionalWeakTable<object, DataJson> _json = [];
    private readonly RecentData?[] _recent = new RecentData?[RecentSlots];

    /// <summary>The JSON of <paramref name="data"/> as <paramref name="pipeline"/> writes it; serialized only the first time.</summary>
    public string Serialize(PipelineDefinition pipeline, object data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_json.TryGetValue(data, out var known) && ReferenceEquals(known.Pipeline, pipeline))
        {
            return known.Json;
        }

        var json = pipeline.SerializeData(data);
        _json.AddOrUpdate(data, new DataJson(pipeline, json));
        return json;
    }

    /// <summary>The data of a stored row: the object of the deal's last load or save when the JSON is unchanged.</summary>
    public object Deserialize(PipelineDefinition pipeline, string dealId, string json)
    {
        ref var slot = ref _recent[Slot(dealId)];
        var recent = Volatile.Read(ref slot);
        if (recent is not null
            && ReferenceEquals(recent.Pipeline, pipeline)
            && string.Equals(recent.DealId, dealId, StringComparison.Ordinal)
            && string.Equals(recent.Json, json, StringComparison.Ordinal))
        {
            return recent.Data;
        }

        var data = pipeline.DeserializeData(json);
        _json.AddOrUpdate(data, new DataJson(pipeline, json));
        Volatile.Write(ref slot, new RecentData(dealId, pipeline, json, data));
        return data;
    }

    /// <summary>Remembers the data of a committed save, so the deal's next load can return it.</summary>
    public void Saved(PipelineDefinition pipeline, string dealId, string json, object data) =>
        Volatile.Write(ref _recent[Slot(dealId)], new RecentData(dealId, pipeline, json, data));

    private static int Slot(string dealId) => (int)((uint)dealId.GetHashCode() % RecentSlots);

    private sealed record DataJson(PipelineDefinition Pipeline, string Json);

    private sealed record RecentData(string DealId, PipelineDefinition Pipeline, string Json, object Data);
}
