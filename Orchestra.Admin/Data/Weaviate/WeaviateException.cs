using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Orchestra.Admin.Data.Weaviate;

public enum WeaviateErrorKind
{
    /// <summary>No connection: refused, unknown host, network down, no connection within the connect timeout.</summary>
    Unreachable,
    /// <summary>Connected, but no answer within the request timeout.</summary>
    Timeout,
    /// <summary>401: no API key where one is required, or the key was rejected.</summary>
    Unauthorized,
    /// <summary>403: the key's role lacks the permission.</summary>
    Forbidden,
    /// <summary>404.</summary>
    NotFound,
    /// <summary>400, 422 and other 4xx: the server refused the request as asked.</summary>
    Rejected,
    /// <summary>5xx.</summary>
    ServerError,
    /// <summary>HTTP 200 with GraphQL <c>errors</c>.</summary>
    GraphQL,
    /// <summary>An answer that is not the JSON expected.</summary>
    MalformedResponse,
    /// <summary>Calls are paused after repeated failures (circuit breaker open): failed fast, nothing was sent.</summary>
    CircuitOpen,
}

/// <summary>
/// Every failure of a Weaviate call. <see cref="Exception.Message"/> is one sentence for an operator (what
/// failed, with the server's own words where it sent any); never holds the API key.
/// </summary>
public sealed class WeaviateException : Exception
{
    public WeaviateException(WeaviateErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    public WeaviateErrorKind Kind { get; }
    /// <summary>The HTTP status when the server answered.</summary>
    public int? StatusCode { get; init; }
    /// <summary>The server's own message (ErrorResponse / go-openapi message / raw text), when it sent one.</summary>
    public string? ServerMessage { get; init; }
    /// <summary>"GET /v1/meta": the call that failed (path without the query string).</summary>
    public string? Request { get; init; }
    /// <summary>For <see cref="WeaviateErrorKind.CircuitOpen"/>: since when calls are paused.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>For <see cref="WeaviateErrorKind.CircuitOpen"/>: when calls will be tried again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The base URL as shown in messages: "http://host:port" (with its path prefix, if any).</summary>
    internal static string Show(Uri baseUrl) => baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    internal static WeaviateException Unreachable(Uri baseUrl, string reason, Exception inner) =>
        new(WeaviateErrorKind.Unreachable, $"no answer from {Show(baseUrl)}: {reason}", inner);

    internal static WeaviateException TimedOut(Uri baseUrl, TimeSpan timeout, Exception? inner) =>
        new(WeaviateErrorKind.Timeout, $"no answer from {Show(baseUrl)} within {Seconds(timeout)} s", inner);

    internal static WeaviateException Malformed(string request, string problem, Exception? inner = null) =>
        new(WeaviateErrorKind.MalformedResponse, $"Weaviate answered with malformed JSON ({request}: {problem})", inner) { Request = request };

    internal static WeaviateException FromGraphQLErrors(IEnumerable<GraphQLError> errors)
    {
        var messages = errors.Select(e => string.IsNullOrWhiteSpace(e.Message) ? "(an error without a message)" : e.Message.Trim()).Distinct().ToList();
        return new(WeaviateErrorKind.GraphQL, string.Join("; ", messages)) { Request = "POST /v1/graphql", ServerMessage = string.Join("; ", messages) };
    }

    /// <summary>Calls paused by the circuit breaker.</summary>
    internal static WeaviateException CircuitOpen(Uri baseUrl, DateTimeOffset? since, TimeSpan? retryIn, string? lastFailure, Exception inner)
    {
        var why = lastFailure is null ? "after repeated failures" : $"after repeated failures (last: {lastFailure})";
        var sinceText = since is { } s ? $" since {s.UtcDateTime:HH:mm:ss} UTC" : "";
        var retry = retryIn is { } r && r > TimeSpan.FromSeconds(0.5) ? $"retrying in {Math.Ceiling(r.TotalSeconds):0} s" : "retrying soon";
        return new(WeaviateErrorKind.CircuitOpen, $"calls to Weaviate at {Show(baseUrl)} are paused{sinceText} {why}; {retry}", inner)
        {
            Since = since,
            RetryAfter = retryIn,
        };
    }

    /// <summary>
    /// The exception for a non-success answer. The text is the server's own (ErrorResponse <c>error[].message</c>,
    /// else go-openapi's <c>message</c>, else the raw body), else the status; <paramref name="notFound"/> says what was
    /// missing when a 404 has an empty body (as Weaviate sends for unknown classes and objects).
    /// </summary>
    internal static WeaviateException FromResponse(HttpStatusCode status, string? body, string request, bool apiKeySent, string? notFound = null)
    {
        var server = ServerText(body);
        var code = (int)status;
        var statusText = $"{code} {Humanize(status)}".TrimEnd();
        var (kind, message) = code switch
        {
            401 when !apiKeySent => (WeaviateErrorKind.Unauthorized, "this Weaviate requires an API key: set WEAVIATE_API_KEY"),
            401 when server?.Contains("no authentication scheme is configured", StringComparison.OrdinalIgnoreCase) == true =>
                (WeaviateErrorKind.Unauthorized, $"this Weaviate has no authentication configured but an API key was sent: unset WEAVIATE_API_KEY ({server})"),
            401 => (WeaviateErrorKind.Unauthorized, server is null ? "API key rejected" : $"API key rejected: {server}"),
            403 => (WeaviateErrorKind.Forbidden, server is null ? $"permission denied for {request}" : $"permission denied: {server}"),
            404 => (WeaviateErrorKind.NotFound, server ?? notFound ?? $"not found: {request}"),
            >= 500 => (WeaviateErrorKind.ServerError, server ?? $"Weaviate answered {statusText} to {request}"),
            _ => (WeaviateErrorKind.Rejected, server ?? $"Weaviate answered {statusText} to {request}"),
        };
        return new WeaviateException(kind, message) { StatusCode = code, ServerMessage = server, Request = request };
    }

    /// <summary>The server's words in an error body, in the order ENDPOINTS.md gives: error[].message, message, raw text.</summary>
    internal static string? ServerText(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        var trimmed = body.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                // One of Weaviate's error shapes: its messages, or nothing (the status says it then).
                if (WeaviateJson.Deserialize<ErrorResponse>(trimmed) is { } error && (error.Error != null || error.Code != null || error.Message != null))
                    return error.Text is { } text ? Shorten(text) : null;
            }
            catch (JsonException)
            {
                // Not one of Weaviate's JSON shapes: fall back to the raw text.
            }
        }
        // An HTML page is a proxy's, not Weaviate's: the status says more than its markup.
        if (trimmed.StartsWith('<')) return null;
        return Shorten(trimmed);
    }

    /// <summary>Why a connection failed, in lower-case words ("connection refused").</summary>
    internal static string Reason(HttpRequestException e)
    {
        for (Exception? inner = e; inner != null; inner = inner.InnerException)
        {
            if (inner is SocketException s)
            {
                return s.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.NetworkUnreachable or SocketError.NetworkDown => "network unreachable",
                    SocketError.HostUnreachable or SocketError.HostDown => "host unreachable",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.ConnectionAborted => "connection aborted",
                    _ => LowerFirst(s.Message),
                };
            }
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found",
            HttpRequestError.SecureConnectionError => $"TLS handshake failed: {e.InnerException?.Message ?? e.Message}",
            HttpRequestError.ResponseEnded => "the connection closed before a full answer",
            HttpRequestError.InvalidResponse => $"invalid HTTP answer: {e.Message}",
            _ => LowerFirst(e.Message),
        };
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    private static string Shorten(string text)
    {
        const int Max = 500;
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= Max ? oneLine : oneLine[..Max] + "…";
    }

    private static string LowerFirst(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static string Humanize(HttpStatusCode status)
    {
        var name = status.ToString();
        if (int.TryParse(name, out _)) return "";
        return string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString()));
    }
}
