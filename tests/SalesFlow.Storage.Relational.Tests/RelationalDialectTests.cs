using System.Data.Common;
using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class RelationalDialectTests
{
    [Theory]
    [InlineData("23505", false, StoreErrorKind.Conflict)]
    [InlineData("23503", false, StoreErrorKind.Failure)]
    [InlineData("23514", false, StoreErrorKind.Failure)]
    [InlineData("40001", false, StoreErrorKind.Transient)]
    [InlineData("40P01", false, StoreErrorKind.Transient)]
    [InlineData("08006", false, StoreErrorKind.Transient)]
    [InlineData("42P01", false, StoreErrorKind.Failure)]
    [InlineData(null, true, StoreErrorKind.Transient)]
    [InlineData(null, false, StoreErrorKind.Failure)]
    public void Classify_ProviderException_BySqlStateAndTransience(string? sqlState, bool transient, StoreErrorKind expected) =>
        PortableDialect.Instance.Classify(new ProviderException(sqlState, transient)).Should().Be(expected);

    [Fact]
    public void Classify_NotAProviderException_TimeoutIsTransientOtherwiseFailure()
    {
        PortableDialect.Instance.Classify(new TimeoutException()).Should().Be(StoreErrorKind.Transient);
        PortableDialect.Instance.Classify(new InvalidOperationException()).Should().Be(StoreErrorKind.Failure);
    }

    [Fact]
    public void Parameter_PrefixesTheMarker() =>
        PortableDialect.Instance.Parameter("id").Should().Be("$id");

    [Fact]
    public void ToStoredAmount_KeepsTheScale() =>
        PortableDialect.Instance.ToStoredAmount(10.500m).Should().Be("10.500");

    private sealed class ProviderException(string? sqlState, bool transient) : DbException("provider says no")
    {
        public override string? SqlState => sqlState;

        public override bool IsTransient => transient;
    }
}
