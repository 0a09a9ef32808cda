namespace SalesFlow.Storage.Relational.Tests;

public sealed class StoredEnumsTests
{
    [Fact]
    public void ToText_EveryEventKind_ParsesBackToItself()
    {
        foreach (var kind in Enum.GetValues<DealEventKind>())
        {
            var text = StoredEnums.ToText(kind);

            StoredEnums.ParseEventKind(text).Should().Be(kind);
            text.Should().Be(kind.ToString(), "kinds are stored by name");
        }
    }

    [Fact]
    public void ToText_Migrated_IsStoredByName()
    {
        StoredEnums.ToText(DealEventKind.Migrated).Should().Be("Migrated");
    }

    [Fact]
    public void ToText_EveryStageKind_ParsesBackToItself()
    {
        foreach (var kind in Enum.GetValues<StageKind>())
        {
            StoredEnums.ParseStageKind(StoredEnums.ToText(kind)).Should().Be(kind);
        }
    }

    [Fact]
    public void ParseEventKind_UnknownName_ThrowsInvalidDataException()
    {
        FluentActions.Invoking(() => StoredEnums.ParseEventKind("Teleported")).Should().Throw<InvalidDataException>().WithMessage("*Teleported*");
    }
}
