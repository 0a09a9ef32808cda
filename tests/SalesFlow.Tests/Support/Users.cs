using System.Security.Claims;

namespace SalesFlow.Tests.Support;

/// <summary>Signed-in callers with roles, as a host's authentication would hand them over.</summary>
public static class Users
{
    public static ClaimsPrincipal InRoles(string name, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));
}
