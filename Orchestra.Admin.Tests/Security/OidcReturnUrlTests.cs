using System.Net;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Security;

/// <summary>
/// The app itself with single sign-on configured, on Kestrel at 127.0.0.1:0. The provider's metadata is given
/// in place (no provider runs): the sign-on redirect to it is all these tests look at.
/// </summary>
public sealed class OidcApp : IAsyncLifetime
{
    public const string AuthorizeEndpoint = "https://idp.example/authorize";

    public PostgresDatabase Database { get; } = new();
    public Uri BaseUrl { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OrchestraAdminOptions).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["POSTGRES_DSN"] = Database.Server.ConnectionStringFor(Database.Name),
            ["WEAVIATE_URL"] = "",
            ["OrchestraAdmin:Oidc:Authority"] = "https://idp.example",
            ["OrchestraAdmin:Oidc:ClientId"] = "orchestra-admin",
            ["OrchestraAdmin:Oidc:ClientSecret"] = "not-a-real-secret",
            ["urls"] = "http://127.0.0.1:0",
        });
        builder.Logging.ClearProviders();
        builder.AddOrchestraAdmin();
        builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o =>
            o.Configuration = new OpenIdConnectConfiguration { AuthorizationEndpoint = AuthorizeEndpoint, Issuer = "https://idp.example" });
        App = builder.Build();
        App.MapOrchestraAdmin();
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// Single sign-on keeps the return address in its (protected) state and sends the browser there after the provider
/// answers: the same open-redirect list as the password sign-in must come back as "/".
/// </summary>
public class OidcReturnUrlTests(OidcApp fixture) : IClassFixture<OidcApp>
{
    /// <summary>Where the browser would go after signing in at the provider: the state's redirect, unprotected with the app's own keys.</summary>
    private async Task<string?> ReturnAddressAfterSignOnAsync(string returnUrl)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseUrl };
        http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var response = await http.GetAsync("login/oidc?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(OidcApp.AuthorizeEndpoint, location.ToString());
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query)["state"].ToString();
        var options = fixture.App.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        return options.StateDataFormat.Unprotect(state)!.RedirectUri;
    }

    [Theory]
    [MemberData(nameof(ReturnUrlTests.OffSite), MemberType = typeof(ReturnUrlTests))]
    public async Task Single_sign_on_never_returns_off_site(string returnUrl) =>
        Assert.Equal("/", await ReturnAddressAfterSignOnAsync(returnUrl));

    [Fact]
    public async Task Single_sign_on_returns_to_the_page_asked_for() =>
        Assert.Equal("/audit?user=olga", await ReturnAddressAfterSignOnAsync("/audit?user=olga"));
}
