using System.Net;
using System.Reflection;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.Admin.Tests.Security;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>An app of its own with configured accounts, persisted data-protection keys and tight per-user limits.</summary>
public class SignInApp : IAsyncLifetime
{
    public const string OperatorName = "olga";
    public const string OperatorPassword = "olga-Pa55word";
    public const string ViewerName = "vic";
    public const string ViewerPassword = "vic-Pa55word";
    public const int AttemptsPerUser = 3;

    private readonly PostgresDatabase database = new EmptyStackDatabase();
    public PostgresDatabase Database => database;
    public string KeysDirectory { get; } = Directory.CreateTempSubdirectory("orchestra-e2e-keys-").FullName;
    public RunningApp App { get; private set; } = null!;

    protected virtual int AttemptsPerIp => 1000;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        App = await StartAsync();
    }

    public Task<RunningApp> StartAsync()
    {
        var environment = new Dictionary<string, string?>
        {
            ["POSTGRES_DSN"] = AppFixture.StackDsn(database.Server.ConnectionStringFor(database.Name)),
            ["WEAVIATE_URL"] = null,
            ["ORCHESTRA_ADMIN_DEV_LOGIN"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["ASPNETCORE_URLS"] = null,
            ["ORCHESTRA_ADMIN_USERS"] = $"{OperatorName}:Operator:{PasswordHashing.Hash(OperatorPassword)};{ViewerName}:Viewer:{PasswordHashing.Hash(ViewerPassword)}",
            ["OrchestraAdmin__Auth__KeysDirectory"] = KeysDirectory,
            ["OrchestraAdmin__Auth__LoginAttemptsPerUser"] = AttemptsPerUser.ToString(),
            ["OrchestraAdmin__Auth__LoginAttemptsPerIp"] = AttemptsPerIp.ToString(),
        };
        AddEnvironment(environment);
        return RunningApp.StartAsync("signin-app", environment);
    }

    /// <summary>Settings a derived fixture adds to the app's environment.</summary>
    protected virtual void AddEnvironment(Dictionary<string, string?> environment) { }

    /// <summary>Restarts the app process (same keys, same database): what an operator's browser sees after a deploy.</summary>
    public async Task RestartAsync()
    {
        await App.DisposeAsync();
        App = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (App != null) await App.DisposeAsync();
        await database.DisposeAsync();
        try { Directory.Delete(KeysDirectory, recursive: true); } catch (IOException) { }
    }

    // The app applies its own schema at start-up; the stack's tables are not needed to sign in.
    private sealed class EmptyStackDatabase : PostgresDatabase
    {
        protected override bool ApplySchemas => false;
    }
}

public sealed class TightIpLimitApp : SignInApp
{
    public const int Limit = 4;
    protected override int AttemptsPerIp => Limit;
}

/// <summary>A browser-like HTTP client: cookies kept, redirects not followed (so they can be asserted).</summary>
public sealed partial class BrowserlikeClient : IDisposable
{
    private readonly HttpClient http;
    public CookieContainer Cookies { get; } = new();

    /// <param name="forwardedFor">Sent as X-Forwarded-For on every request, as a reverse proxy in front of the app would.</param>
    public BrowserlikeClient(Uri baseUrl, string? forwardedFor = null)
    {
        http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseUrl };
        http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        if (forwardedFor != null) http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(path);

    public Task<HttpResponseMessage> PostAsync(string path, HttpContent? content = null) => http.PostAsync(path, content);

    /// <summary>Fills and posts the sign-in form as a browser would (with its antiforgery token).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string userName, string password, string returnUrl = "/")
    {
        var form = await (await http.GetAsync("/login")).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(form).Groups["token"].Value;
        Assert.NotEmpty(token);
        return await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName,
            ["Password"] = password,
            ["ReturnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = token,
        }));
    }

    /// <summary>Presses Sign out in the top bar (of the audit page) as a browser would, the form's antiforgery token with it.</summary>
    public async Task<HttpResponseMessage> SignOutAsync()
    {
        var page = await (await http.GetAsync("/audit")).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(page).Groups["token"].Value;
        Assert.NotEmpty(token);
        return await http.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
    }

    public string? AuthCookie(Uri baseUrl) => Cookies.GetCookies(baseUrl)[AuthSetup.CookieName]?.Value;

    public void Dispose() => http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"(?<token>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public class SignInHttpTests(SignInApp fixture) : IClassFixture<SignInApp>
{
    private BrowserlikeClient NewClient() => new(fixture.App.BaseUrl);

    private static bool IsSignInRedirect(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location?.ToString().Contains("/login") == true;

    /// <summary>Every routable page of the app, found by reflection, so a new page cannot be forgotten.</summary>
    public static TheoryData<string, bool> Pages()
    {
        var data = new TheoryData<string, bool>();
        foreach (var type in typeof(AuthSetup).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t)))
        foreach (var route in type.GetCustomAttributes<RouteAttribute>())
        {
            var path = Regex.Replace(route.Template, "{[^}]+}", m => m.Value.Contains(":guid") ? Guid.Empty.ToString() : "x");
            data.Add(path, type.GetCustomAttribute<AllowAnonymousAttribute>() != null);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_needs_a_signed_in_user_except_the_public_ones(string path, bool isPublic)
    {
        using var client = NewClient();
        using var anonymous = await client.GetAsync(path);
        if (isPublic)
        {
            Assert.False(IsSignInRedirect(anonymous), $"{path} is marked public but sends to sign-in");
            return;
        }
        Assert.True(IsSignInRedirect(anonymous), $"{path} answered {(int)anonymous.StatusCode} without sign-in");
        Assert.EndsWith("returnUrl=" + Uri.EscapeDataString(path), anonymous.Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(SignInApp.ViewerName, SignInApp.ViewerPassword)).StatusCode);
        using var signedIn = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public void The_public_list_is_exactly_sign_in_not_found_and_error()
    {
        Assert.Equal(["/error", "/login", "/not-found"], Pages().Where(p => (bool)p[1]).Select(p => (string)p[0]).Order());
    }

    [Fact]
    public async Task The_blazor_hub_and_sign_out_refuse_anonymous_callers_while_health_stays_open()
    {
        using var client = NewClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/_blazor/negotiate?negotiateVersion=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/_blazor")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await client.PostAsync("/logout")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/favicon.svg")).StatusCode);
    }

    [Fact]
    public async Task Without_WEAVIATE_URL_readyz_says_Weaviate_is_not_configured_and_the_app_is_still_ready()
    {
        using var client = NewClient();
        using var response = await client.GetAsync("/readyz");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var weaviate = json.RootElement.GetProperty("weaviate");
        Assert.Equal("not configured", weaviate.GetProperty("status").GetString());
        Assert.Contains("WEAVIATE_URL", weaviate.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Sign_in_sets_a_strict_http_only_cookie_and_goes_back_to_the_page_asked_for()
    {
        using var client = NewClient();
        using var response = await client.SignInAsync(SignInApp.OperatorName, SignInApp.OperatorPassword, "/audit?user=olga");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/audit?user=olga", response.Headers.Location!.ToString());
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthSetup.CookieName + "="));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/audit")).StatusCode);
    }

    /// <summary>The usual open-redirect list (<see cref="ReturnUrlTests.OffSite"/>): signed in and sent to the Overview,
    /// never a 500 (<c>/\t/evil.example</c> used to make LocalRedirect throw), and the sign-in page carries "/" on.</summary>
    [Theory]
    [MemberData(nameof(ReturnUrlTests.OffSite), MemberType = typeof(ReturnUrlTests))]
    public async Task The_return_address_never_leaves_the_site(string returnUrl)
    {
        using var client = NewClient();
        using var response = await client.SignInAsync(SignInApp.OperatorName, SignInApp.OperatorPassword, returnUrl);
        if (returnUrl.Contains('\0'))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // ASP.NET refuses a NUL in any form value, before the sign-in
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/", response.Headers.Location!.ToString());
        }

        using var page = await client.GetAsync("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("name=\"ReturnUrl\" value=\"/\"", await page.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(SignInApp.OperatorName, "N0t-her-Pa55")]
    [InlineData("nobody", "N0t-her-Pa55")]
    [InlineData("Tr0ub4dor3-typed-as-the-name", "N0t-her-Pa55")]
    [InlineData(SignInApp.OperatorName, "")]
    public async Task A_wrong_password_or_unknown_user_gets_the_same_generic_answer_and_no_cookie(string user, string password)
    {
        using var client = NewClient();
        using var response = await client.SignInAsync(user, password);
        Assert.True(IsSignInRedirect(response));
        Assert.Contains("error=invalid", response.Headers.Location!.ToString());
        // Not in the address (proxy logs, the browser's history): the name is often a password typed into the wrong field.
        Assert.DoesNotContain("userName", response.Headers.Location.ToString());
        Assert.DoesNotContain(Uri.EscapeDataString(user), response.Headers.Location.ToString());
        Assert.Null(client.AuthCookie(fixture.App.BaseUrl));
        var page = await (await client.GetAsync(response.Headers.Location.ToString())).Content.ReadAsStringAsync();
        Assert.Contains("User name or password is wrong.", page);
        if (password.Length > 0) Assert.DoesNotContain(password, page); // the password is never sent back
        Assert.Contains($"value=\"{user}\"", page); // the user name is kept in its field
    }

    [Fact]
    public async Task Repeated_failures_for_one_user_are_throttled_even_with_the_right_password()
    {
        using var client = NewClient();
        const string user = SignInApp.ViewerName + "-throttle-probe"; // its own name: other tests keep signing in as vic
        for (var i = 0; i < SignInApp.AttemptsPerUser; i++)
            Assert.Contains("error=invalid", (await client.SignInAsync(user, "wrong")).Headers.Location!.ToString());
        Assert.Contains("error=throttled", (await client.SignInAsync(user, "wrong")).Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_tampered_cookie_is_rejected()
    {
        using var client = NewClient();
        await client.SignInAsync(SignInApp.OperatorName, SignInApp.OperatorPassword);
        var cookie = client.AuthCookie(fixture.App.BaseUrl)!;
        var tampered = cookie[..20] + (cookie[20] == 'A' ? 'B' : 'A') + cookie[21..];

        using var forged = NewClient();
        forged.Cookies.Add(fixture.App.BaseUrl, new Cookie(AuthSetup.CookieName, tampered));
        Assert.True(IsSignInRedirect(await forged.GetAsync("/")));
    }

    /// <summary>A cookie made with the app's own keys as a password sign-in makes it (valid, or expired by its ticket), or with <paramref name="identity"/>.</summary>
    private string CookieSignedWithTheAppsKeys(DateTimeOffset expires, ClaimsIdentity? identity = null)
    {
        var provider = DataProtectionProvider.Create(new DirectoryInfo(fixture.KeysDirectory), b => b.SetApplicationName("orchestra-admin"));
        var protector = provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Cookies", "v2");
        identity ??= new ClaimsIdentity([new Claim(ClaimTypes.Name, SignInApp.OperatorName), new Claim(ClaimTypes.Role, AdminRoles.Operator),
            new Claim(AuthSetup.AuthMethodClaim, "password"), SignIns.NewIdClaim()], "Cookies");
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity),
            new AuthenticationProperties { IssuedUtc = expires.AddHours(-8), ExpiresUtc = expires }, "Cookies");
        return new TicketDataFormat(protector).Protect(ticket);
    }

    [Fact]
    public async Task An_expired_cookie_or_one_without_a_sign_in_id_is_rejected_and_a_current_one_with_the_same_keys_accepted()
    {
        using var current = NewClient();
        current.Cookies.Add(fixture.App.BaseUrl, new Cookie(AuthSetup.CookieName, CookieSignedWithTheAppsKeys(DateTimeOffset.UtcNow.AddHours(1))));
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/")).StatusCode);

        using var withoutSignInId = NewClient();
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, SignInApp.OperatorName), new Claim(ClaimTypes.Role, AdminRoles.Operator)], "Cookies");
        withoutSignInId.Cookies.Add(fixture.App.BaseUrl, new Cookie(AuthSetup.CookieName, CookieSignedWithTheAppsKeys(DateTimeOffset.UtcNow.AddHours(1), identity)));
        Assert.True(IsSignInRedirect(await withoutSignInId.GetAsync("/"))); // one the app cannot sign out

        using var expired = NewClient();
        expired.Cookies.Add(fixture.App.BaseUrl, new Cookie(AuthSetup.CookieName, CookieSignedWithTheAppsKeys(DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.True(IsSignInRedirect(await expired.GetAsync("/")));
    }
}

/// <summary>Sign-ins survive a restart of the app: the data-protection keys are kept in the configured folder.</summary>
public class SignInAcrossRestartTests(SignInApp fixture) : IClassFixture<SignInApp>
{
    [Fact]
    public async Task A_signed_in_browser_stays_signed_in_after_the_app_restarts()
    {
        using var client = new BrowserlikeClient(fixture.App.BaseUrl);
        await client.SignInAsync(SignInApp.OperatorName, SignInApp.OperatorPassword);
        var cookie = client.AuthCookie(fixture.App.BaseUrl)!;

        await fixture.RestartAsync();

        using var after = new BrowserlikeClient(fixture.App.BaseUrl);
        after.Cookies.Add(fixture.App.BaseUrl, new Cookie(AuthSetup.CookieName, cookie));
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/")).StatusCode);
    }
}

public class SignInIpLimitTests(TightIpLimitApp fixture) : IClassFixture<TightIpLimitApp>
{
    [Fact]
    public async Task Every_attempt_from_one_address_counts_and_the_excess_is_refused()
    {
        using var client = new BrowserlikeClient(fixture.App.BaseUrl);
        // Different user names, so the per-user limit never applies: only the per-IP one.
        for (var i = 0; i < TightIpLimitApp.Limit; i++)
            Assert.DoesNotContain("throttled", (await client.SignInAsync($"user{i}", "wrong")).Headers.Location!.ToString());
        var refused = await client.SignInAsync(SignInApp.OperatorName, SignInApp.OperatorPassword);
        Assert.Equal(HttpStatusCode.SeeOther, refused.StatusCode);
        Assert.Equal("/login?error=throttled", refused.Headers.Location!.ToString());
        Assert.Null(client.AuthCookie(fixture.App.BaseUrl));
    }
}
