namespace SalesFlow.Storage.Tests.Support;

/// <summary>
/// The test classes that use the PostgreSQL server run one at a time: the event feed hands out only events of
/// transactions that have ended on the whole server, so another class's open transaction would hold a feed test back.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresServerTests
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL server";
}
