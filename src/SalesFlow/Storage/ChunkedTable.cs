namespace SalesFlow;

/// <summary>
/// An append-only table of slots in fixed chunks: a slot never moves once its chunk exists, so readers index it
/// without a lock while writers add chunks under one. Used by <see cref="InMemoryDealStore"/> for its event feed.
/// </summary>
/// <typeparam name="T">The slot type.</typeparam>
internal sealed class ChunkedTable<T>
{
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly object _grow = new();
    private T[]?[] _chunks = new T[]?[64];

    /// <summary>Gets the slot at an index, adding its chunk when it has none yet.</summary>
    public ref T Slot(long index) => ref (Chunk(index) ?? AddChunk(index >> ChunkBits))[Offset(index)];

    /// <summary>Gets the chunk that holds an index, or <see langword="null"/> when no slot that far was ever added.</summary>
    public T[]? Chunk(long index)
    {
        var chunks = Volatile.Read(ref _chunks);
        var chunk = index >> ChunkBits;
        return chunk < chunks.Length ? Volatile.Read(ref chunks[chunk]) : null;
    }

    /// <summary>Gets an index's place within its chunk.</summary>
    public static int Offset(long index) => (int)(index & (ChunkSize - 1));

    private T[] AddChunk(long chunkIndex)
    {
        lock (_grow)
        {
            var chunks = _chunks;
            if (chunkIndex >= chunks.Length)
            {
                var grown = new T[]?[Math.Max(chunks.Length * 2, chunkIndex + 1)];
                Array.Copy(chunks, grown, chunks.Length);
                Volatile.Write(ref _chunks, grown);
                chunks = grown;
            }

            if (chunks[chunkIndex] is not { } chunk)
            {
                chunk = new T[ChunkSize];
                Volatile.Write(ref chunks[chunkIndex], chunk);
            }

            return chunk;
        }
    }
}
