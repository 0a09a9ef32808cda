using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Authorization;

public sealed class PipelinePermissionsTests
{
    [Fact]
    public void Build_PermissionsNamingUnknownTriggersAndStagesOrNoRoles_ListsEveryProblemWithItsLocation()
    {
        var builder = RenewalPipeline.Builder()
            .Permissions(p => p.Trigger("win", "manager").Stage("closing", "manager").Stage("open").Override(" director").Start(""));

        var problems = builder.Validate();

        problems.Where(p => p.IsError).Select(p => (p.Code, p.Location!.JsonPointer)).Should().BeEquivalentTo(new[]
        {
            ("SF2008", "/permissions/triggers/win"),
            ("SF2009", "/permissions/stages/closing"),
            ("SF1031", "/permissions/stages/open"),
            ("SF1031", "/permissions/override/0"),
            ("SF1031", "/permissions/start/0"),
        });
    }

    [Fact]
    public void PipelineJson_Permissions_AreReadCheckedAndWrittenBack()
    {
        const string json = """
            {
              "format": 1, "id": "p", "version": 1,
              "stages": [ { "id": "open", "guidance": "Call." }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
              "transitions": [ { "trigger": "win", "from": "open", "to": "won" }, { "trigger": "lose", "from": "open", "to": "lost" } ],
              "permissions": {
                "start": [ "seller" ],
                "triggers": { "win": [ "manager", "director" ] },
                "stages": { "open": [ "seller", "manager" ] },
                "override": [ "director" ],
                "manage": [ "admin" ]
              }
            }
            """;

        var read = PipelineJson.Load(json);
        var written = PipelineJson.Export(read.Definition!);
        var again = PipelineJson.Load(written);

        read.Succeeded.Should().BeTrue(string.Join("; ", read.Diagnostics));
        var permissions = read.Definition!.Permissions;
        permissions.Start.Should().Equal("seller");
        permissions.Triggers["win"].Should().Equal("manager", "director");
        permissions.Stages["open"].Should().Equal("seller", "manager");
        permissions.Override.Should().Equal("director");
        permissions.Manage.Should().Equal("admin");
        again.Definition!.Permissions.Should().BeEquivalentTo(permissions);
        PipelineJson.Export(again.Definition).Should().Be(written);
    }

    [Fact]
    public void PipelineJson_BadPermissions_AreDiagnosedWithPointersAndLines()
    {
        const string json = """
            {
              "format": 1, "id": "p", "version": 1,
              "stages": [ { "id": "open" }, { "id": "won", "kind": "won" }, { "id": "lost", "kind": "lost" } ],
              "transitions": [ { "trigger": "win", "from": "open", "to": "won" }, { "trigger": "lose", "from": "open", "to": "lost" } ],
              "permissions": { "triggers": { "Win": [ "manager" ] }, "stages": { "open": [] }, "owners": [ "x" ] }
            }
            """;

        var result = PipelineJson.Load(json);

        result.Succeeded.Should().BeFalse();
        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        errors.Should().OnlyContain(d => d.Location!.JsonPointer.StartsWith("/permissions", StringComparison.Ordinal) && d.Location.Line > 0);
        errors.Select(d => d.Location!.JsonPointer).Should().Contain(["/permissions/stages/open", "/permissions/owners"]);
    }

    [Fact]
    public void None_DeclaresNothing()
    {
        var definition = RenewalPipeline.Build();

        definition.Permissions.Should().BeSameAs(PipelinePermissions.None);
        definition.Permissions.IsEmpty.Should().BeTrue();
    }
}
