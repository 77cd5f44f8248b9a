using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestra.Admin.Hosting;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Orchestra.Admin.Data.Weaviate;

/// <summary>
/// Weaviate over its REST + GraphQL API (registered only when WEAVIATE_URL is set, by
/// <see cref="WeaviateRegistration.AddWeaviateClient"/>). Every failure is a <see cref="WeaviateException"/>
/// whose message an operator can act on; a cancellation by the caller stays an <see cref="OperationCanceledException"/>.
/// Names are validated (<see cref="WeaviateNames"/>) before they go into a URL or a query: a bad one throws
/// <see cref="ArgumentException"/> and sends nothing.
/// </summary>
public interface IWeaviateClient
{
    /// <summary>The WEAVIATE_URL in use.</summary>
    Uri BaseUrl { get; }

    /// <summary>GET /v1/.well-known/live: true on 2xx. Not retried, not paused by the circuit breaker.</summary>
    Task<bool> IsLiveAsync(CancellationToken ct = default);

    /// <summary>GET /v1/.well-known/ready: true on 2xx, false on 503 (alive but not ready) or any other answer; throws when there is no answer. Not retried, not paused by the circuit breaker.</summary>
    Task<bool> IsReadyAsync(CancellationToken ct = default);

    /// <summary>GET /v1/meta.</summary>
    Task<Meta> GetMetaAsync(CancellationToken ct = default);
    /// <summary>
    /// GET /v1/meta as a health check of the API (the key, the server's answers): over the probe's plain client, so it is
    /// neither retried nor counted by the circuit breaker the pages' calls share.
    /// </summary>
    Task<Meta> ProbeMetaAsync(CancellationToken ct = default);

    /// <summary>GET /v1/nodes?output=verbose, or /v1/nodes/{className}?output=verbose for one class's shards.</summary>
    Task<NodesStatusResponse> GetNodesAsync(string? className = null, CancellationToken ct = default);

    /// <summary>GET /v1/cluster/statistics (Raft state of every node).</summary>
    Task<ClusterStatisticsResponse> GetClusterStatisticsAsync(CancellationToken ct = default);

    /// <summary>GET /v1/schema.</summary>
    Task<Schema> GetSchemaAsync(CancellationToken ct = default);

    /// <summary>GET /v1/schema/{className}; null when there is no such class.</summary>
    Task<WeaviateClass?> GetClassAsync(string className, CancellationToken ct = default);

    /// <summary>GET /v1/schema/{className}/shards.</summary>
    Task<IReadOnlyList<ShardStatusGetResponse>> GetShardsAsync(string className, CancellationToken ct = default);

    /// <summary>PUT /v1/schema/{className}/shards/{shardName} with <c>{"status": …}</c>, e.g. READONLY → READY (<see cref="ShardStatuses"/>). Never retried.</summary>
    Task<ShardStatus> UpdateShardStatusAsync(string className, string shardName, string status, CancellationToken ct = default);

    /// <summary>
    /// One page of a cursor listing: GET /v1/objects?class=…&amp;limit=…&amp;after=… (objects in ascending id order;
    /// <paramref name="after"/> null starts from the beginning). The next page is
    /// <see cref="ObjectsListResponse.NextAfter"/>; it is null after the last page.
    /// </summary>
    Task<ObjectsListResponse> ListObjectsAsync(string className, int limit, Guid? after = null, bool includeVector = false, CancellationToken ct = default);

    /// <summary>GET /v1/objects/{className}/{id} (with include=vector by default); null when there is no such object.</summary>
    Task<WeaviateObject?> GetObjectAsync(string className, Guid id, bool includeVector = true, CancellationToken ct = default);

    /// <summary>
    /// POST /v1/graphql as it is. GraphQL errors (sent with HTTP 200) are returned in <see cref="GraphQLResponse.Errors"/>,
    /// not thrown: call <see cref="GraphQLResponse.EnsureNoErrors"/> to throw them. Never retried.
    /// Build query text only with <see cref="GraphQLText"/>.
    /// </summary>
    Task<GraphQLResponse> GraphQLAsync(GraphQLQuery query, CancellationToken ct = default);

    /// <inheritdoc cref="GraphQLAsync(GraphQLQuery, CancellationToken)"/>
    Task<GraphQLResponse> GraphQLAsync(string query, CancellationToken ct = default);

    /// <summary>The number of objects of one class: <c>{ Aggregate { C { meta { count } } } }</c>.</summary>
    Task<long> CountObjectsAsync(string className, CancellationToken ct = default);

    /// <summary>The number of objects of each class, in one query; a class that cannot be counted (e.g. multi-tenant) has its error instead.</summary>
    Task<IReadOnlyList<ClassObjectCount>> CountObjectsAsync(IReadOnlyCollection<string> classNames, CancellationToken ct = default);
}

/// <summary>The client over two HttpClients: <c>api</c> (retry, circuit breaker, timeout) and <c>probe</c> (plain).</summary>
public sealed partial class WeaviateClient(HttpClient api, HttpClient probe, WeaviateOptions options, WeaviateCircuit circuit) : IWeaviateClient
{
    /// <summary>Cursor listings: the server refuses offset + limit beyond QUERY_MAXIMUM_RESULTS (10000 by default).</summary>
    public const int MaxPageSize = 10_000;

    [GeneratedRegex("^[A-Z][A-Z_]{0,63}\\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ShardStatusRegex();

    public Uri BaseUrl { get; } = options.Url ?? throw new InvalidOperationException("Weaviate is not configured (WEAVIATE_URL is not set)");

    private TimeSpan RequestTimeout => TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
    private bool ApiKeySent => !string.IsNullOrEmpty(options.ApiKey);

    public Task<bool> IsLiveAsync(CancellationToken ct = default) => ProbeAsync("v1/.well-known/live", ct);

    // The server compares the path exactly: no query string here, ever.
    public Task<bool> IsReadyAsync(CancellationToken ct = default) => ProbeAsync("v1/.well-known/ready", ct);

    public async Task<Meta> GetMetaAsync(CancellationToken ct = default) => (await GetAsync<Meta>("v1/meta", null, ct))!;

    public async Task<Meta> ProbeMetaAsync(CancellationToken ct = default)
    {
        const string request = "GET /v1/meta";
        var (code, body) = await ProbeSendAsync("v1/meta", readBody: true, ct);
        if (!IsSuccess(code)) throw WeaviateException.FromResponse(code, Text(body), request, ApiKeySent, null);
        return Parse<Meta>(body, request)!;
    }

    public async Task<NodesStatusResponse> GetNodesAsync(string? className = null, CancellationToken ct = default) =>
        className is null
            ? (await GetAsync<NodesStatusResponse>("v1/nodes?output=verbose", null, ct))!
            : (await GetAsync<NodesStatusResponse>($"v1/nodes/{Segment(WeaviateNames.ValidateClassName(className))}?output=verbose", NoClass(className), ct))!;

    public async Task<ClusterStatisticsResponse> GetClusterStatisticsAsync(CancellationToken ct = default) =>
        (await GetAsync<ClusterStatisticsResponse>("v1/cluster/statistics", null, ct))!;

    public async Task<Schema> GetSchemaAsync(CancellationToken ct = default) => (await GetAsync<Schema>("v1/schema", null, ct))!;

    public Task<WeaviateClass?> GetClassAsync(string className, CancellationToken ct = default) =>
        GetAsync<WeaviateClass>($"v1/schema/{Segment(WeaviateNames.ValidateClassName(className))}", NoClass(className), ct, nullWhenNotFound: true);

    public async Task<IReadOnlyList<ShardStatusGetResponse>> GetShardsAsync(string className, CancellationToken ct = default) =>
        await GetAsync<List<ShardStatusGetResponse>>($"v1/schema/{Segment(WeaviateNames.ValidateClassName(className))}/shards", NoClass(className), ct) ?? [];

    public async Task<ShardStatus> UpdateShardStatusAsync(string className, string shardName, string status, CancellationToken ct = default)
    {
        WeaviateNames.ValidateClassName(className);
        if (string.IsNullOrWhiteSpace(shardName) || shardName.Length > 256 || shardName.Any(char.IsControl))
            throw new ArgumentException("a shard name is required (the name GET /v1/schema/{class}/shards lists)", nameof(shardName));
        if (status is null || !ShardStatusRegex().IsMatch(status))
            throw new ArgumentException($"'{status}' is not a shard status: expected e.g. {ShardStatuses.Ready} or {ShardStatuses.ReadOnly}", nameof(status));

        var path = $"v1/schema/{Segment(className)}/shards/{Segment(shardName)}";
        var body = WeaviateJson.Serialize(new ShardStatus { Status = status });
        var (code, answer, request) = await SendAsync(HttpMethod.Put, path, body, ct);
        if (!IsSuccess(code))
            throw WeaviateException.FromResponse(code, Text(answer), request, ApiKeySent, $"no shard '{shardName}' in class '{className}'");
        return Parse<ShardStatus>(answer, request);
    }

    public async Task<ObjectsListResponse> ListObjectsAsync(string className, int limit, Guid? after = null, bool includeVector = false, CancellationToken ct = default)
    {
        WeaviateNames.ValidateClassName(className);
        if (limit is < 1 or > MaxPageSize)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"a page holds from 1 to {MaxPageSize} objects");
        // The cursor rules: class and limit always, after always (empty = from the start), never offset or sort.
        var query = $"class={Segment(className)}&limit={limit.ToString(CultureInfo.InvariantCulture)}&after={after?.ToString("D") ?? ""}";
        if (includeVector) query += "&include=vector";
        return (await GetAsync<ObjectsListResponse>($"v1/objects?{query}", NoClass(className), ct))!;
    }

    public Task<WeaviateObject?> GetObjectAsync(string className, Guid id, bool includeVector = true, CancellationToken ct = default)
    {
        var path = $"v1/objects/{Segment(WeaviateNames.ValidateClassName(className))}/{id:D}" + (includeVector ? "?include=vector" : "");
        return GetAsync<WeaviateObject>(path, $"no object {id:D} in class '{className}'", ct, nullWhenNotFound: true);
    }

    public async Task<GraphQLResponse> GraphQLAsync(GraphQLQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (string.IsNullOrWhiteSpace(query.Query)) throw new ArgumentException("the GraphQL query is empty", nameof(query));
        var (code, answer, request) = await SendAsync(HttpMethod.Post, "v1/graphql", WeaviateJson.Serialize(query), ct);
        if (!IsSuccess(code)) throw WeaviateException.FromResponse(code, Text(answer), request, ApiKeySent);
        if (IsBlank(answer)) throw WeaviateException.Malformed(request, "empty body");
        try
        {
            return GraphQLResponse.Parse(answer);
        }
        catch (JsonException e)
        {
            throw WeaviateException.Malformed(request, e.Message, e);
        }
    }

    public Task<GraphQLResponse> GraphQLAsync(string query, CancellationToken ct = default) => GraphQLAsync(new GraphQLQuery(query), ct);

    public async Task<long> CountObjectsAsync(string className, CancellationToken ct = default)
    {
        var counts = await CountObjectsAsync([className], ct);
        var count = counts[0];
        if (count.Count is { } n) return n;
        throw new WeaviateException(WeaviateErrorKind.GraphQL, count.Error ?? $"no count for class '{className}'") { Request = "POST /v1/graphql" };
    }

    public async Task<IReadOnlyList<ClassObjectCount>> CountObjectsAsync(IReadOnlyCollection<string> classNames, CancellationToken ct = default)
    {
        var names = classNames.Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return [];
        var response = await GraphQLAsync(GraphQLText.AggregateCount(names), ct);
        var errors = response.Errors ?? [];
        // No data at all: the query as a whole failed (e.g. it did not validate).
        if (response.Data is not { } data || !data.TryGetProperty("Aggregate", out var aggregate) || aggregate.ValueKind != JsonValueKind.Object)
        {
            if (errors.Count > 0) throw WeaviateException.FromGraphQLErrors(errors);
            throw WeaviateException.Malformed("POST /v1/graphql", "no data.Aggregate in the answer");
        }

        var counts = new List<ClassObjectCount>(names.Count);
        foreach (var name in names)
        {
            var own = errors.Where(e => e.Path is { Count: >= 2 } p && p[1].ValueKind == JsonValueKind.String && p[1].GetString() == name).ToList();
            if (own.Count > 0)
            {
                counts.Add(new(name, null, string.Join("; ", own.Select(e => e.Message))));
                continue;
            }
            if (aggregate.TryGetProperty(name, out var classCounts) && ReadCount(classCounts) is { } count)
                counts.Add(new(name, count, null));
            else if (errors.Count > 0)
                counts.Add(new(name, null, string.Join("; ", errors.Select(e => e.Message).Distinct())));
            else
                throw WeaviateException.Malformed("POST /v1/graphql", $"no Aggregate.{name}[0].meta.count in the answer");
        }
        return counts;
    }

    /// <summary>Aggregate without groupBy answers one group: <c>[{"meta":{"count":3}}]</c>; an empty list counts nothing.</summary>
    private static long? ReadCount(JsonElement groups)
    {
        if (groups.ValueKind != JsonValueKind.Array) return null;
        if (groups.GetArrayLength() == 0) return 0;
        var first = groups[0];
        if (first.ValueKind != JsonValueKind.Object || !first.TryGetProperty("meta", out var meta) || meta.ValueKind != JsonValueKind.Object
            || !meta.TryGetProperty("count", out var value) || value.ValueKind != JsonValueKind.Number) return null;
        if (value.TryGetInt64(out var count)) return count;
        if (value.TryGetDouble(out var real) && real >= 0 && real == Math.Floor(real)) return (long)real;
        return null;
    }

    private async Task<bool> ProbeAsync(string path, CancellationToken ct) => IsSuccess((await ProbeSendAsync(path, readBody: false, ct)).Code);

    /// <summary>A GET over the probe's plain client, under the request timeout; failures as <see cref="WeaviateException"/>.</summary>
    private async Task<(HttpStatusCode Code, byte[] Body)> ProbeSendAsync(string path, bool readBody, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await probe.GetAsync(path, readBody ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return (response.StatusCode, readBody ? await response.Content.ReadAsByteArrayAsync(timeout.Token) : []);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
        {
            throw WeaviateException.TimedOut(BaseUrl, RequestTimeout, e);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    private async Task<T?> GetAsync<T>(string pathAndQuery, string? notFound, CancellationToken ct, bool nullWhenNotFound = false) where T : class
    {
        var (code, answer, request) = await SendAsync(HttpMethod.Get, pathAndQuery, null, ct);
        if (code == HttpStatusCode.NotFound && nullWhenNotFound) return null;
        if (!IsSuccess(code)) throw WeaviateException.FromResponse(code, Text(answer), request, ApiKeySent, notFound);
        return Parse<T>(answer, request);
    }

    /// <summary>
    /// Sends through the API pipeline and reads the whole answer as UTF-8 bytes (parsed from those directly: a
    /// 1 MB search answer is not decoded to a string first); a failure to get one becomes a <see cref="WeaviateException"/>.
    /// </summary>
    private async Task<(HttpStatusCode Code, byte[] Body, string Request)> SendAsync(HttpMethod method, string pathAndQuery, string? jsonBody, CancellationToken ct)
    {
        var request = $"{method.Method} /{pathAndQuery.Split('?')[0]}";
        using var message = new HttpRequestMessage(method, pathAndQuery);
        if (jsonBody != null)
        {
            message.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(jsonBody));
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        try
        {
            using var response = await api.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if ((int)response.StatusCode >= 500 && WeaviateException.ServerText(Text(body)) is { } serverText)
                circuit.ServerFailed((int)response.StatusCode, serverText);
            return (response.StatusCode, body, request);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>A transport failure in operator words; null for what is not one (a bug: let it through).</summary>
    private WeaviateException? Map(Exception e) => e switch
    {
        BrokenCircuitException broken => CircuitOpen(broken),
        TimeoutRejectedException => WeaviateException.TimedOut(BaseUrl, RequestTimeout, e),
        HttpRequestException h => WeaviateException.Unreachable(BaseUrl, WeaviateException.Reason(h), h),
        // SocketsHttpHandler.ConnectTimeout: a cancellation that wraps a TimeoutException.
        OperationCanceledException { InnerException: TimeoutException } =>
            WeaviateException.Unreachable(BaseUrl, $"no connection within {options.ConnectTimeoutSeconds} s", e),
        _ => null,
    };

    private WeaviateException CircuitOpen(BrokenCircuitException e)
    {
        var (since, retryIn, last) = circuit.Snapshot();
        return WeaviateException.CircuitOpen(BaseUrl, since, retryIn, last, e);
    }

    private static T Parse<T>(byte[] body, string request) where T : class
    {
        if (IsBlank(body)) throw WeaviateException.Malformed(request, "empty body");
        try
        {
            return WeaviateJson.Deserialize<T>(body) ?? throw WeaviateException.Malformed(request, "null instead of an object");
        }
        catch (JsonException e)
        {
            throw WeaviateException.Malformed(request, e.Message, e);
        }
    }

    private static bool IsBlank(byte[] body) => body.AsSpan().Trim(" \t\r\n"u8).IsEmpty;

    private static string Text(byte[] body) => Encoding.UTF8.GetString(body);

    private static bool IsSuccess(HttpStatusCode code) => (int)code is >= 200 and < 300;

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string NoClass(string className) => $"no class '{className}' in Weaviate's schema";
}
