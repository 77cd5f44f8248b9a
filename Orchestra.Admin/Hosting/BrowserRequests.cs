namespace Orchestra.Admin.Hosting;

public static class BrowserRequests
{
    /// <summary>A browser navigating to a page: it gets redirects to sign-in and the friendly 404 page.
    /// Everything else (the Blazor hub, form posts, API callers) gets plain status codes.</summary>
    public static bool IsPageRequest(this HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/_blazor")
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}
