namespace SalesFlow.Storage.Tests.PersonalData;

public sealed class InMemoryPersonalDataLeakTests : PersonalDataLeakScan
{
    [Fact]
    public Task EveryPublicPath_PlantedPersonalValues_AppearInNoCapturedOutput() => ScanEveryPublicPathAsync();

    protected override Task<IDealStore> CreateStoreAsync() => Task.FromResult<IDealStore>(new InMemoryDealStore());

    // The in-memory store has no database to fail.
    protected override Task<IDealStore> BreakAsync(IDealStore store) => throw new NotSupportedException();
}
