using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class CallerTests
{
    [Fact]
    public void From_NoHeadersNoUser_IsTheDefaultActorAndNoManager()
    {
        var caller = Caller.From(new DefaultHttpContext());

        caller.Should().Be(new Caller("web-user", IsManager: false));
    }

    [Fact]
    public void From_Headers_TakesTheActorAndTheManagerRole()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[Caller.ActorHeader] = " seller-7 ";
        context.Request.Headers[Caller.RoleHeader] = "Manager";

        Caller.From(context).Should().Be(new Caller("seller-7", IsManager: true));
    }

    [Fact]
    public void From_AuthenticatedUserWithTheRoleClaim_WinsOverTheHeaders()
    {
        var context = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice"), new Claim(ClaimTypes.Role, Caller.ManagerRole)], "test")),
        };
        context.Request.Headers[Caller.ActorHeader] = "mallory";

        Caller.From(context).Should().Be(new Caller("alice", IsManager: true));
    }

    [Fact]
    public void From_OtherRole_IsNoManager()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[Caller.RoleHeader] = "seller";

        Caller.From(context).IsManager.Should().BeFalse();
    }

    [Fact]
    public void From_NoHttpContext_IsTheSystemAndNoManager()
    {
        Caller.From(null).Should().Be(new Caller("system", IsManager: false));
    }
}
