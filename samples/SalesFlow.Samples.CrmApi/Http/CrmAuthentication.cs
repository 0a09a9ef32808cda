using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace SalesFlow.Samples.CrmApi.Http;

/// <summary>
/// How callers sign in. Production: JWT bearer tokens (<c>Authentication:Jwt:SigningKey</c>, <c>Issuer</c>,
/// <c>Audience</c>; the token's <c>name</c> is the actor, its <c>role</c> claims the roles, its <c>tenant</c> claim the
/// company whose deals the caller works on, see <see cref="CrmTenant"/>). Development, and only when
/// <c>Authentication:Headers:Enabled</c> is true: the <c>X-Actor</c>, <c>X-Role</c> and <c>X-Tenant</c> headers sign the
/// caller in, so the board page and curl work without an identity provider. A request with <c>Authorization: Bearer</c>
/// always goes to JWT. Every <c>/api</c> endpoint needs a signed-in caller (401 otherwise).
/// </summary>
internal static class CrmAuthentication
{
    public const string Scheme = "Crm";
    public const string HeadersScheme = "Headers";
    public const string ActorHeader = "X-Actor";
    public const string RoleHeader = "X-Role";
    public const string TenantHeader = "X-Tenant";
    public const string DefaultHeaderActor = "web-user";

    public static IServiceCollection AddCrmAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var headersEnabled = configuration.GetValue("Authentication:Headers:Enabled", defaultValue: false);
        var jwt = configuration.GetSection("Authentication:Jwt");
        var signingKey = jwt["SigningKey"];
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or development headers", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !headersEnabled
                    ? JwtBearerDefaults.AuthenticationScheme
                    : HeadersScheme)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeadersScheme, null);
        authentication.AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                // Without a key no token validates: the API then accepts only the development headers, if enabled.
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey is { Length: >= 32 } key ? key : Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))),
                ValidIssuer = jwt["Issuer"] ?? "salesflow-crm",
                ValidAudience = jwt["Audience"] ?? "salesflow-crm",
                NameClaimType = "name",
                RoleClaimType = "role",
            };
        });
        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// Development sign-in from headers: <c>X-Actor</c> (else <c>web-user</c>), <c>X-Role</c> (comma-separated roles) and
    /// <c>X-Tenant</c> (the tenant claim, <c>Tenants:ClaimType</c>; none without the header).
    /// </summary>
    internal sealed class HeaderAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<CrmTenancyOptions> tenancy)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var actor = Request.Headers[ActorHeader].ToString().Trim() is { Length: > 0 } named ? named : DefaultHeaderActor;
            var claims = new List<Claim> { new(ClaimTypes.Name, actor) };
            foreach (var value in Request.Headers[RoleHeader])
            {
                claims.AddRange((value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(role => new Claim(ClaimTypes.Role, role.ToLowerInvariant())));
            }

            // Each X-Tenant header is one claim, as it came: two headers make an ambiguous tenant (403), not a chosen one.
            claims.AddRange(Request.Headers[TenantHeader].Where(value => !string.IsNullOrEmpty(value)).Select(value => new Claim(tenancy.Value.ClaimType, value!)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, HeadersScheme));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, HeadersScheme)));
        }
    }
}
