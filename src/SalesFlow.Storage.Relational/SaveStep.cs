namespace SalesFlow.Storage.Relational;

// Named steps of a store's save transaction, for the stores' internal test seam (fault injection at each step).
internal enum SaveStep
{
    // The connection is open; no transaction has begun.
    BeforeTransaction,

    // A deal's row is written, its events not yet (SQLite; PostgreSQL writes both in one statement).
    AfterDealWritten,

    // A deal's row and its events are written.
    AfterEventsWritten,

    // Every write is done; the commit is next.
    BeforeCommit,
}
