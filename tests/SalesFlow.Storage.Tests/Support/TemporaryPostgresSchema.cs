using Npgsql;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>A random schema name for one test, dropped (with everything in it) on dispose, so tests run in parallel and leave nothing behind.</summary>
public sealed class TemporaryPostgresSchema : IAsyncDisposable
{
    public string ConnectionString { get; } = PostgresEnvironment.RequireConnectionString();

    public string Name { get; } = "sf_test_" + Guid.NewGuid().ToString("N");

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Name}\" CASCADE");
    }
}
