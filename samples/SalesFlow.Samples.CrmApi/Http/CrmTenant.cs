using System.Security.Claims;
using Microsoft.Extensions.Options;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;

namespace SalesFlow.Samples.CrmApi.Http;

/// <summary>
/// Which company's deals a request works on (configuration section <c>Tenants</c>). The signed-in user's tenant claim
/// (<see cref="ClaimType"/>, <c>tenant</c> by default; the <c>X-Tenant</c> header under the development sign-in) names it.
/// A user without one works on <see cref="Tenants.Default"/> while the host is single-tenant (the default), and gets 403
/// once <see cref="Required"/> is on.
/// </summary>
internal sealed class CrmTenancyOptions
{
    public const string SectionName = "Tenants";

    /// <summary>Gets or sets the claim that names the user's tenant.</summary>
    /// <value>The default value is <c>tenant</c>.</value>
    public string ClaimType { get; set; } = "tenant";

    /// <summary>Gets or sets whether every caller must carry a tenant claim (a multi-tenant host): without one, 403.</summary>
    /// <value>The default value is <see langword="false"/>: a single-tenant host, a caller without the claim works on the default tenant.</value>
    public bool Required { get; set; }
}

/// <summary>
/// The tenant of one request, and the engine and reports that reach only its deals. Every <c>/api</c> endpoint that reads
/// or writes deals takes this, never the host's engine: an id that exists only in another tenant is then simply not found.
/// </summary>
internal sealed class CrmTenant
{
    private readonly TimeProvider _time;

    private CrmTenant(SalesFlowEngine engine, TimeProvider time)
    {
        Engine = engine;
        _time = time;
    }

    /// <summary>Gets the tenant id.</summary>
    public string Id => Engine.TenantId;

    /// <summary>Gets the engine over the tenant's store.</summary>
    public SalesFlowEngine Engine { get; }

    /// <summary>Gets the reports over the tenant's deals: in SQL for the SQLite and PostgreSQL stores, the in-memory reference otherwise.</summary>
    public IDealReports Reports => Engine.Store switch
    {
        SqliteDealStore sqlite => sqlite.Reports(_time),
        PostgreSqlDealStore postgres => postgres.Reports(_time),
        _ => Engine.Reports,
    };

    /// <summary>The tenant named by the signed-in user's claims.</summary>
    /// <exception cref="TenantClaimException">
    /// The claim is missing while tenants are required, appears with two values, or is not a valid tenant id.
    /// </exception>
    public static CrmTenant Of(ClaimsPrincipal? user, SalesFlowEngine hostEngine, CrmTenancyOptions options, TimeProvider time) =>
        new(hostEngine.ForTenant(TenantId(user, options)), time);

    /// <summary>The tenant id the user's claims name, checked.</summary>
    /// <exception cref="TenantClaimException">
    /// The claim is missing while tenants are required, appears with two values, or is not a valid tenant id.
    /// </exception>
    public static string TenantId(ClaimsPrincipal? user, CrmTenancyOptions options)
    {
        var claimType = options.ClaimType;
        var values = (user?.FindAll(claimType) ?? []).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
        switch (values.Count)
        {
            case 0 when options.Required:
                throw new TenantClaimException("Tenant required", $"Your sign-in carries no '{claimType}' claim: this CRM serves several companies and answers only a caller whose company it knows. Ask for a token with your tenant.");
            case 0:
                return Tenants.Default;
            case > 1:
                throw new TenantClaimException("Tenant ambiguous", $"Your sign-in carries {values.Count} different '{claimType}' claims: a request works on one tenant. Ask for a token with one tenant.");
        }

        try
        {
            DealStoreChecks.ValidateTenant(values[0]);
        }
        catch (ArgumentException)
        {
            // The rule, never the value: the claim is the identity provider's data, not something to echo back.
            throw new TenantClaimException("Tenant not valid", $"The '{claimType}' claim of your sign-in is not a tenant id (1 to {Tenants.MaxIdLength} characters, no control characters, no leading or trailing white space).");
        }

        return values[0];
    }
}

/// <summary>Wires tenants into the host: the options, the request's <see cref="CrmTenant"/>, and the check on every <c>/api</c> route.</summary>
internal static class CrmTenancy
{
    /// <summary>Registers the options (section <c>Tenants</c>) and the request's tenant (scoped).</summary>
    public static IServiceCollection AddCrmTenants(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CrmTenancyOptions>()
            .Bind(configuration.GetSection(CrmTenancyOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ClaimType), $"{CrmTenancyOptions.SectionName}:ClaimType must name a claim, for example 'tenant'.")
            .ValidateOnStart();
        services.AddScoped(sp => CrmTenant.Of(
            sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User,
            sp.GetRequiredService<SalesFlowEngine>(),
            sp.GetRequiredService<IOptions<CrmTenancyOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Every endpoint of the group resolves the caller's tenant first, also those that read no deal (the pipelines), so a
    /// caller a multi-tenant host does not place gets 403 on every route alike.
    /// </summary>
    public static RouteGroupBuilder RequireTenant(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter((context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<CrmTenant>();
            return next(context);
        });
        return group;
    }
}

/// <summary>The signed-in user's tenant claim is missing (where required), ambiguous or invalid: 403, nothing read or written.</summary>
internal sealed class TenantClaimException(string title, string message) : Exception(message)
{
    public string Title { get; } = title;
}
