namespace SalesFlow.Storage.Tests.Support;

/// <summary>A database file path in a fresh temporary folder, deleted (with its WAL files) on dispose.</summary>
public sealed class TemporarySqliteFile : IDisposable
{
    private readonly string _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "salesflow-tests", Guid.NewGuid().ToString("N"));

    public TemporarySqliteFile()
    {
        Directory.CreateDirectory(_folder);
        Path = System.IO.Path.Combine(_folder, "deals.db");
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere: the OS temp cleaner takes it later.
        }
    }
}
