using System.Data.Common;

namespace SalesFlow.Storage.Relational;

/// <summary>Runs store commands whose rows become objects.</summary>
public static class StoreCommands
{
    /// <summary>Executes a command and reads every row it returns.</summary>
    /// <typeparam name="T">What a row becomes.</typeparam>
    /// <param name="command">The command, with its connection, transaction and parameters set.</param>
    /// <param name="read">Reads the current row.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows read, in the order returned.</returns>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(read);
        var items = new List<T>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(read(reader));
            }
        }

        return items;
    }
}
