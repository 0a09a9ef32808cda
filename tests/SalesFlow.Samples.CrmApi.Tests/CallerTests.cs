using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class CallerTests
{
    [Fact]
    public void From_SignedInUser_IsTheActorAndKeepsTheRoles()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, " alice "), new Claim(ClaimTypes.Role, "manager")], "test"));

        var caller = Caller.From(new DefaultHttpContext { User = user });

        caller.Actor.Should().Be("alice");
        caller.User.Should().BeSameAs(user);
        caller.User.IsInRole("manager").Should().BeTrue();
    }

    [Fact]
    public void From_UserWithoutAName_IsTheSubject()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "user-42")], "jwt"));

        Caller.From(new DefaultHttpContext { User = user }).Actor.Should().Be("user-42");
    }

    [Fact]
    public void From_NoSignedInUser_IsTheSystemWithoutRoles()
    {
        Caller.From(new DefaultHttpContext()).Actor.Should().Be(Caller.SystemActor);
        Caller.From(null).User.Identity.Should().BeNull();
    }
}
