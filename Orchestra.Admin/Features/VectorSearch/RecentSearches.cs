using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Npgsql;

namespace Orchestra.Admin.Features.VectorSearch;

public sealed record RecentSearch(long Id, DateTimeOffset SearchedAt, SearchRequest Request);

public interface IRecentSearches
{
    Task RememberAsync(string actor, SearchRequest request, CancellationToken ct = default);
    Task<IReadOnlyList<RecentSearch>> ListAsync(string actor, CancellationToken ct = default);
}

/// <summary>Each operator's newest searches in orchestra_admin.recent_searches; older ones are deleted on the way.</summary>
public sealed class RecentSearches(NpgsqlDataSource dataSource) : IRecentSearches
{
    public const int KeptPerOperator = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private sealed record Row
    {
        public long Id { get; init; }
        public DateTime SearchedAt { get; init; }
        public string Request { get; init; } = "";
    }

    public async Task RememberAsync(string actor, SearchRequest request, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var json = JsonSerializer.Serialize(request, Json);
        // The same search again moves to the top instead of filling the list with copies.
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM orchestra_admin.recent_searches WHERE actor = @actor AND request = @json::jsonb
            """, new { actor, json }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO orchestra_admin.recent_searches (actor, class_name, mode, request)
            VALUES (@actor, @className, @mode, @json::jsonb)
            """, new { actor, className = request.ClassName, mode = request.Mode.ToString(), json }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM orchestra_admin.recent_searches
            WHERE actor = @actor
              AND id NOT IN (SELECT id FROM orchestra_admin.recent_searches WHERE actor = @actor
                             ORDER BY searched_at DESC, id DESC LIMIT @kept)
            """, new { actor, kept = KeptPerOperator }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<RecentSearch>> ListAsync(string actor, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT id, searched_at, request::text AS request FROM orchestra_admin.recent_searches
            WHERE actor = @actor ORDER BY searched_at DESC, id DESC LIMIT @kept
            """, new { actor, kept = KeptPerOperator }, cancellationToken: ct));
        return rows.Select(r => new RecentSearch(r.Id, new DateTimeOffset(DateTime.SpecifyKind(r.SearchedAt, DateTimeKind.Utc)),
            JsonSerializer.Deserialize<SearchRequest>(r.Request, Json)!)).ToList();
    }
}
