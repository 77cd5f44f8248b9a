using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Hosting;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>What an export wrote, line by line.</summary>
internal sealed record ExportedLine(Guid Id, string Collection, JsonNode? Data, JsonNode? Metadata, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, string Text);

internal static class ExportHelpers
{
    private static readonly string[] Keys = ["id", "collection", "data", "metadata", "created_at", "updated_at"];

    public static DocumentsExporter Exporter(PostgresDatabase db, int maxDocuments = DocumentsOptions.DefaultExportMaxDocuments,
        int exportTimeoutSeconds = DocumentsOptions.DefaultExportTimeoutSeconds, int statementTimeoutSeconds = 5)
    {
        var options = TestServices.Options(db, statementTimeoutSeconds);
        options.Documents = new DocumentsOptions { ExportMaxDocuments = maxDocuments, ExportTimeoutSeconds = exportTimeoutSeconds };
        return new DocumentsExporter(TestServices.QueryRunner(db.DataSource, options), db.DataSource,
            Microsoft.Extensions.Options.Options.Create(options), NullLogger<DocumentsExporter>.Instance);
    }

    /// <summary>Runs an export into memory: the text and the count the writer returned.</summary>
    public static async Task<(string Text, long Rows)> ExportAsync(DocumentsExporter exporter, string collection, DocumentFilter filter,
        DocumentSort sort = DocumentSort.CreatedAt, bool descending = true)
    {
        await using var run = await exporter.StartAsync(collection, filter, sort, descending);
        var memory = new MemoryStream();
        var writer = PipeWriter.Create(memory);
        var rows = await run.WriteAsync(writer);
        await writer.CompleteAsync();
        return (Encoding.UTF8.GetString(memory.ToArray()), rows);
    }

    /// <summary>Every line parsed (and checked: one JSON object with exactly the six keys, in order; the text ends with a newline).</summary>
    public static List<ExportedLine> Lines(string text)
    {
        if (text.Length == 0) return [];
        Assert.EndsWith("\n", text);
        var lines = new List<ExportedLine>();
        foreach (var line in text[..^1].Split('\n'))
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            Assert.Equal(Keys, doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            var o = JsonNode.Parse(line)!.AsObject();
            lines.Add(new ExportedLine(
                o["id"]!.GetValue<Guid>(),
                o["collection"]!.GetValue<string>(),
                o["data"]?.DeepClone(),
                o["metadata"]?.DeepClone(),
                Time(o["created_at"]),
                Time(o["updated_at"]),
                line));
        }
        return lines;
    }

    private static DateTimeOffset? Time(JsonNode? node)
    {
        if (node is null) return null;
        var text = node.GetValue<string>();
        Assert.EndsWith("+00:00", text); // the export's transaction writes UTC
        return DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ids the grid shows for this filter and order, walking every page (100 a page).</summary>
    public static async Task<List<Guid>> PageIdsAsync(DocumentsService service, string collection, DocumentFilter filter, DocumentSort sort, bool descending)
    {
        var ids = new List<Guid>();
        DocumentCursor? after = null;
        do
        {
            var page = await service.PageAsync(new DocumentPageRequest(collection, filter, sort, descending, 100, after));
            ids.AddRange(page.Rows.Select(r => r.Id));
            after = page.Next;
        } while (after != null);
        return ids;
    }
}

/// <summary>The export's writer against the seeded fixture: the grid's filters and order, exactly; the cap; bad input; the timeout.</summary>
public class DocumentsExportWriterTests(DocumentsDatabase db) : IClassFixture<DocumentsDatabase>
{
    private DocumentsService Service => new(TestServices.QueryRunner(db));

    public static TheoryData<string> FilterNames() => new(Filters.Keys);

    private static readonly Dictionary<string, DocumentFilter> Filters = new()
    {
        ["none"] = new DocumentFilter(),
        ["data containment"] = new DocumentFilter { DataContains = """{"status":"active"}""" },
        ["data containment, array"] = new DocumentFilter { DataContains = """{"tags":["x"]}""" },
        ["metadata containment"] = new DocumentFilter { MetadataContains = """{"source":"import"}""" },
        ["jsonpath predicate"] = new DocumentFilter { JsonPath = "$.score > 5" },
        ["jsonpath exists"] = new DocumentFilter { JsonPath = "$.nested.k", JsonPathMode = JsonPathMode.Exists },
        ["key exists"] = new DocumentFilter { KeyExists = "note" },
        ["created range"] = new DocumentFilter { CreatedFrom = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero), CreatedTo = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero) },
        ["updated from, other offset"] = new DocumentFilter { UpdatedFrom = new DateTimeOffset(2024, 5, 1, 2, 0, 0, TimeSpan.FromHours(2)) },
        ["text with wildcards"] = new DocumentFilter { Text = "50%" },
        ["text, injection"] = new DocumentFilter { Text = "'; DROP TABLE documents; --" },
        ["combined"] = new DocumentFilter { DataContains = """{"status":"active"}""", KeyExists = "score", JsonPath = "$.score >= 3", Text = "s" },
    };

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task The_export_holds_exactly_the_documents_of_the_grid_in_its_order(string name)
    {
        var filter = Filters[name];
        var exporter = ExportHelpers.Exporter(db);
        foreach (var collection in new[] { "shop", "other" })
        foreach (var sort in new[] { DocumentSort.CreatedAt, DocumentSort.UpdatedAt })
        foreach (var descending in new[] { true, false })
        {
            var (text, rows) = await ExportHelpers.ExportAsync(exporter, collection, filter, sort, descending);
            var lines = ExportHelpers.Lines(text);
            Assert.Equal(await ExportHelpers.PageIdsAsync(Service, collection, filter, sort, descending), lines.Select(l => l.Id).ToList());
            Assert.Equal(lines.Count, rows);
            Assert.All(lines, l => Assert.Equal(collection, l.Collection));
        }
    }

    [Fact]
    public async Task An_id_filter_exports_that_document_only()
    {
        var s3 = await db.IdOfAsync("s3");
        var (text, _) = await ExportHelpers.ExportAsync(ExportHelpers.Exporter(db), "shop", new DocumentFilter { Id = s3.ToString() });
        Assert.Equal([s3], ExportHelpers.Lines(text).Select(l => l.Id));
        var (other, _) = await ExportHelpers.ExportAsync(ExportHelpers.Exporter(db), "other", new DocumentFilter { Id = s3.ToString() });
        Assert.Empty(other);
    }

    [Theory]
    [InlineData("paged", DocumentSort.CreatedAt, true)]
    [InlineData("paged", DocumentSort.UpdatedAt, false)]
    [InlineData("nulls", DocumentSort.CreatedAt, true)]
    [InlineData("nulls", DocumentSort.CreatedAt, false)]
    [InlineData("nulls", DocumentSort.UpdatedAt, true)]
    public async Task Ties_and_null_times_come_in_the_grids_order(string collection, DocumentSort sort, bool descending)
    {
        var (text, _) = await ExportHelpers.ExportAsync(ExportHelpers.Exporter(db), collection, new DocumentFilter(), sort, descending);
        var expected = await ExportHelpers.PageIdsAsync(Service, collection, new DocumentFilter(), sort, descending);
        Assert.Equal(expected, ExportHelpers.Lines(text).Select(l => l.Id).ToList());
        Assert.True(expected.Count >= 30);
    }

    [Fact]
    public async Task Each_line_is_the_stored_document_with_its_metadata_and_utc_times_and_null_for_null()
    {
        var (text, _) = await ExportHelpers.ExportAsync(ExportHelpers.Exporter(db), "shop", new DocumentFilter(), DocumentSort.CreatedAt, false);
        var lines = ExportHelpers.Lines(text);
        await using var conn = await db.OpenOtherConnectionAsync();
        var stored = (await conn.QueryAsync<(Guid Id, string Data, string? Metadata, DateTime? Created, DateTime? Updated)>(
            "SELECT id, data::text, metadata::text, created_at, updated_at FROM documents WHERE collection = 'shop'")).ToDictionary(r => r.Id);
        Assert.Equal(stored.Count, lines.Count);
        foreach (var line in lines)
        {
            var row = stored[line.Id];
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(row.Data), line.Data), line.Text);
            Assert.True(JsonNode.DeepEquals(row.Metadata == null ? null : JsonNode.Parse(row.Metadata), line.Metadata), line.Text);
            Assert.Equal(row.Created, line.CreatedAt?.UtcDateTime);
            Assert.Equal(row.Updated, line.UpdatedAt?.UtcDateTime);
        }
        // s6 has NULL metadata; its hostile key and value are just data.
        var s6 = lines.Single(l => l.Data!["name"]!.GetValue<string>() == "s6");
        Assert.Contains("\"metadata\" : null", s6.Text);
        Assert.Equal(1, s6.Data!["'; DROP TABLE documents; --"]!.GetValue<int>());
        Assert.Equal("2024-01-01T00:00:00+00:00", JsonNode.Parse(lines[0].Text)!["created_at"]!.GetValue<string>());

        // NULL timestamps stay null in the line (the order treats them as the oldest).
        var (nulls, _) = await ExportHelpers.ExportAsync(ExportHelpers.Exporter(db), "nulls", new DocumentFilter(), DocumentSort.CreatedAt, false);
        var nullLines = ExportHelpers.Lines(nulls);
        Assert.Equal(10, nullLines.TakeWhile(l => l.CreatedAt == null).Count());
        Assert.All(nullLines.Skip(10), l => Assert.NotNull(l.CreatedAt));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(101)]
    public async Task The_cap_limits_the_export_to_the_first_documents_of_the_grid(int cap)
    {
        var exporter = ExportHelpers.Exporter(db, maxDocuments: cap);
        Assert.Equal(cap, exporter.MaxDocuments);
        var (text, rows) = await ExportHelpers.ExportAsync(exporter, "paged", new DocumentFilter(), DocumentSort.UpdatedAt, true);
        var all = await ExportHelpers.PageIdsAsync(Service, "paged", new DocumentFilter(), DocumentSort.UpdatedAt, true);
        Assert.Equal(100, all.Count);
        Assert.Equal(all.Take(cap), ExportHelpers.Lines(text).Select(l => l.Id));
        Assert.Equal(Math.Min(cap, 100), rows);
    }

    public static TheoryData<string, string> BadFilters() => new()
    {
        { "dataContains", """{"a": 1 "b": 2}""" },
        { "metadataContains", "[1]" },
        { "jsonPath", "$.a ==" },
        { "jsonPath", "$.a" },        // a path in predicate mode
        { "id", "not-a-uuid" },
        { "created", "range" },
        { "collection", "" },
    };

    [Theory]
    [MemberData(nameof(BadFilters))]
    public async Task Bad_input_throws_before_any_output_and_before_the_table_is_touched(string field, string value)
    {
        var filter = field switch
        {
            "dataContains" => new DocumentFilter { DataContains = value },
            "metadataContains" => new DocumentFilter { MetadataContains = value },
            "jsonPath" => new DocumentFilter { JsonPath = value },
            "id" => new DocumentFilter { Id = value },
            "created" => new DocumentFilter { CreatedFrom = DateTimeOffset.UtcNow, CreatedTo = DateTimeOffset.UtcNow.AddDays(-1) },
            _ => new DocumentFilter(),
        };
        var collection = field == "collection" ? value : "shop";
        // Any statement on documents would wait for the lock and time out (QueryTimeoutException) after 2 s.
        await using var locked = await DocumentsLock.TakeAsync(db);
        var exporter = ExportHelpers.Exporter(db, exportTimeoutSeconds: 2, statementTimeoutSeconds: 2);
        // StartAsync is what hands out the run that writes: when it throws, nothing can have been written.
        var e = await Assert.ThrowsAsync<FilterInputException>(() => exporter.StartAsync(collection, filter, DocumentSort.CreatedAt, true));
        Assert.Equal(field, e.Field);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public async Task Json_that_only_postgresql_rejects_is_a_filter_error_before_any_output()
    {
        var exporter = ExportHelpers.Exporter(db);
        var e = await Assert.ThrowsAsync<FilterInputException>(() => exporter.StartAsync("shop", new DocumentFilter { DataContains = """{"a": 1e999999}""" }, DocumentSort.CreatedAt, true));
        Assert.Equal("dataContains", e.Field);
        Assert.Contains("value overflows numeric format", e.Message);
        // The connection went back to the pool in a usable state.
        var (text, _) = await ExportHelpers.ExportAsync(exporter, "shop", new DocumentFilter());
        Assert.Equal(6, ExportHelpers.Lines(text).Count);
    }

    [Fact]
    public async Task The_export_runs_under_its_own_timeout_not_the_pages()
    {
        // Export timeout 1 s, page timeout 30 s: a blocked export stops after about 1 s.
        await using (await DocumentsLock.TakeAsync(db))
        {
            var exporter = ExportHelpers.Exporter(db, exportTimeoutSeconds: 1, statementTimeoutSeconds: 30);
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<QueryTimeoutException>(() => exporter.StartAsync("shop", new DocumentFilter(), DocumentSort.CreatedAt, true));
            Assert.Equal(TimeSpan.FromSeconds(1), e.Timeout);
            Assert.Equal("documents/export", e.QueryName);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        }

        // Page timeout 1 s, export timeout 10 s: an export that waits 2.5 s for a lock completes.
        var locked = await DocumentsLock.TakeAsync(db);
        var release = Task.Delay(2500).ContinueWith(_ => locked.DisposeAsync().AsTask()).Unwrap();
        var (text, _) = await ExportHelpers.ExportAsync(ExportHelpers.Exporter(db, exportTimeoutSeconds: 10, statementTimeoutSeconds: 1), "shop", new DocumentFilter());
        await release;
        Assert.Equal(6, ExportHelpers.Lines(text).Count);
    }

    [Fact]
    public async Task The_shared_builder_composes_the_page_and_the_export_from_the_same_filter_lines()
    {
        var filter = new DocumentFilter { DataContains = """{"status":"active"}""", KeyExists = "score", Text = "5%", JsonPath = "$.score > 1", CreatedTo = DateTimeOffset.UtcNow };
        var service = Service;
        var page = await service.BuildAsync(new DocumentPageRequest("shop", filter, DocumentSort.UpdatedAt, false), default);
        var export = await service.BuildExportAsync("shop", filter, DocumentSort.UpdatedAt, false, 10, default);
        var where = await service.FiltersAsync("shop", filter, default);
        foreach (var line in where.Lines)
        {
            Assert.Contains(line, page.Sql);
            Assert.Contains(line, export.Sql);
        }
        const string order = "ORDER BY COALESCE(d.updated_at, '-infinity'::timestamptz) ASC, d.id ASC";
        Assert.Contains(order, page.Sql);
        Assert.Contains(order, export.Sql);
        Assert.EndsWith("LIMIT @limit", export.Sql);
        Assert.Equal(10, export.Parameters.Get<int>("limit"));
        Assert.DoesNotContain("@cursor", export.Sql);
    }
}

/// <summary>URL building and reading, no database.</summary>
public class DocumentsExportUrlTests
{
    private static IQueryCollection QueryOf(string url) =>
        new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x/" + url).Query));

    [Fact]
    public void Every_filter_goes_through_the_url_and_back_unchanged()
    {
        var filter = new DocumentFilter
        {
            DataContains = """{"status":"a&b=c","n":[1, 2]}""",
            MetadataContains = """{"source":"import #1"}""",
            JsonPath = "$.score > 5 && $.name like_regex \"^a+\"",
            JsonPathMode = JsonPathMode.Predicate,
            KeyExists = " spaced key?",
            Id = "3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b",
            CreatedFrom = new DateTimeOffset(2024, 5, 1, 2, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567),
            CreatedTo = new DateTimeOffset(2024, 5, 31, 23, 59, 59, TimeSpan.Zero),
            UpdatedFrom = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(-5)),
            UpdatedTo = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Text = "50%_off + more",
        };
        foreach (var (sort, descending) in new[] { (DocumentSort.CreatedAt, true), (DocumentSort.UpdatedAt, false) })
        {
            var url = DocumentsExport.Url("shop", filter, sort, descending);
            Assert.StartsWith("documents/shop/export?", url);
            Assert.DoesNotContain(" ", url);
            Assert.DoesNotContain("+", url); // a '+' would read as a space
            var parsed = DocumentsExport.Parse(QueryOf(url));
            Assert.Equal(filter, parsed.Filter);
            Assert.Equal((sort, descending), (parsed.Sort, parsed.Descending));
        }
        Assert.Equal(JsonPathMode.Exists, DocumentsExport.Parse(QueryOf(DocumentsExport.Url("x", filter with { JsonPathMode = JsonPathMode.Exists }, DocumentSort.CreatedAt, true))).Filter.JsonPathMode);
    }

    [Fact]
    public void Blank_filters_are_left_out_and_the_order_is_always_stated()
    {
        Assert.Equal("documents/shop/export?sort=created&order=desc", DocumentsExport.Url("shop", new DocumentFilter(), DocumentSort.CreatedAt, true));
        Assert.Equal("documents/shop/export?sort=updated&order=asc",
            DocumentsExport.Url("shop", new DocumentFilter { DataContains = "  ", JsonPath = " ", Id = "", Text = "" }, DocumentSort.UpdatedAt, false));
        Assert.Equal("documents/shop/export?createdFrom=2024-05-01T00%3A00%3A00.0000000Z&sort=created&order=desc",
            DocumentsExport.Url("shop", new DocumentFilter { CreatedFrom = new DateTimeOffset(2024, 5, 1, 2, 0, 0, TimeSpan.FromHours(2)) }, DocumentSort.CreatedAt, true));
        // A key or text of spaces is a real filter (the grid runs it).
        Assert.Contains("key=%20", DocumentsExport.Url("shop", new DocumentFilter { KeyExists = " " }, DocumentSort.CreatedAt, true));
    }

    [Fact]
    public void The_collection_is_one_escaped_path_segment()
    {
        Assert.Equal("documents/a%2Fb%20c%3F%25%C3%A9/export?sort=created&order=desc",
            DocumentsExport.Url("a/b c?%é", new DocumentFilter(), DocumentSort.CreatedAt, true));
    }

    [Theory]
    [InlineData("sort=name", "sort")]
    [InlineData("order=up", "order")]
    [InlineData("jsonpath=%24.a&jsonpathMode=maybe", "jsonpathMode")]
    [InlineData("createdFrom=yesterday", "createdFrom")]
    [InlineData("updatedTo=2024-13-01", "updatedTo")]
    [InlineData("createdfrom=2024-01-01&bogus=1", "bogus")]
    [InlineData("data=%7B%7D&data=%7B%7D", "data")]
    public void Bad_parameters_name_themselves(string query, string field)
    {
        var e = Assert.Throws<FilterInputException>(() => DocumentsExport.Parse(QueryOf("documents/x/export?" + query)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Times_read_in_round_trip_form_or_shorter_iso_8601_and_without_an_offset_as_utc()
    {
        DateTimeOffset? Read(string value) => DocumentsExport.Parse(QueryOf("documents/x/export?createdFrom=" + Uri.EscapeDataString(value))).Filter.CreatedFrom;
        var may1 = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(may1, Read("2024-05-01T00:00:00.0000000Z"));
        Assert.Equal(may1, Read("2024-05-01T02:00:00.0000000+02:00"));
        Assert.Equal(may1, Read("2024-05-01T00:00:00Z"));
        Assert.Equal(may1, Read("2024-05-01T00:00:00"));
        Assert.Equal(may1, Read("2024-05-01"));
        Assert.Equal(may1.AddTicks(5), Read("2024-05-01T00:00:00.0000005Z"));
        Assert.Equal(TimeSpan.Zero, Read("2024-05-01")!.Value.Offset);
    }

    [Theory]
    [InlineData("events", "events-20250102T030405Z.ndjson")]
    [InlineData("a/b c\"é\r\n", "a_b_c____-20250102T030405Z.ndjson")]
    [InlineData("..", "documents-20250102T030405Z.ndjson")]
    [InlineData("", "documents-20250102T030405Z.ndjson")]
    public void The_file_name_is_safe(string collection, string expected) =>
        Assert.Equal(expected, DocumentsExport.FileName(collection, new DateTimeOffset(2025, 1, 2, 4, 4, 5, TimeSpan.FromHours(1))));

    [Fact]
    public void The_cap_is_stated_for_the_page()
    {
        Assert.Equal("at most 100,000 documents", DocumentsExport.CapNote(DocumentsOptions.DefaultExportMaxDocuments));
        Assert.Equal("at most 1 document", DocumentsExport.CapNote(1));
        Assert.Equal(100_000, DocumentsExport.MaxDocuments(new OrchestraAdminOptions()));
        Assert.Equal(300, new OrchestraAdminOptions().Documents.ExportTimeoutSeconds);
    }

    [Theory]
    [InlineData("ExportMaxDocuments", "0", "must be at least 1 (is 0)")]
    [InlineData("ExportTimeoutSeconds", "0", "must be at least 1 (is 0)")]
    [InlineData("ExportWriteTimeoutSeconds", "0", "must be at least 1 (is 0)")]
    [InlineData("ExportMaxConcurrent", "0", "must be from 1 to 100 (is 0)")]
    [InlineData("ExportMaxConcurrent", "101", "must be from 1 to 100 (is 101)")]
    [InlineData("ExportMaxConcurrentPerUser", "0", "must be from 1 to ExportMaxConcurrent (4) (is 0)")]
    [InlineData("ExportMaxConcurrentPerUser", "5", "must be from 1 to ExportMaxConcurrent (4) (is 5)")]
    public void Bad_settings_stop_start_up(string key, string value, string problem)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["POSTGRES_DSN"] = "Host=127.0.0.1;Username=u;Database=d",
            [$"OrchestraAdmin:Documents:{key}"] = value,
        }).Build();
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(configuration));
        Assert.Equal($"OrchestraAdmin:Documents:{key} {problem}", e.Message);
    }
}

/// <summary>
/// The app itself (AddOrchestraAdmin + MapOrchestraAdmin, as Program.cs runs them) on Kestrel at 127.0.0.1:0 in this
/// process, against its own database: the seeded shop collection, a collection with an awkward name, and "bulk",
/// 50,000 documents of about 1 KB (≈ 55 MB of NDJSON). Two accounts: a Viewer (who exports) and an Operator.
/// </summary>
public class ExportApp : IAsyncLifetime
{
    public const string UserName = "viv";
    public const string Password = "viv-Pa55word-export";
    public const string OperatorName = "opal";
    public const string OperatorPassword = "opal-Pa55word-export";
    public const string OddCollection = "tenant/a b?%é";
    public const int BulkDocuments = 50_000;
    public const int Cap = 60_000;

    public ExportDatabase Database { get; } = new();
    public Uri BaseUrl { get; private set; } = null!;
    private WebApplication? app;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OrchestraAdminOptions).Assembly.GetName().Name, // its static web assets manifest
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settings = new Dictionary<string, string?>
        {
            ["POSTGRES_DSN"] = Database.Server.ConnectionStringFor(Database.Name),
            ["WEAVIATE_URL"] = "",
            [AccountsLoader.UsersKey] = $"{UserName}:Viewer:{PasswordHashing.Hash(Password)};{OperatorName}:Operator:{PasswordHashing.Hash(OperatorPassword)}",
            [AccountsLoader.DevLoginKey] = "false",
            ["OrchestraAdmin:Documents:ExportMaxDocuments"] = Cap.ToString(),
            ["OrchestraAdmin:Documents:ExportTimeoutSeconds"] = "120",
            ["urls"] = "http://127.0.0.1:0",
        };
        AddSettings(settings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddOrchestraAdmin();
        app = builder.Build();
        app.MapOrchestraAdmin();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>Settings a derived fixture adds or replaces.</summary>
    protected virtual void AddSettings(IDictionary<string, string?> settings) { }

    /// <summary>The app's services (e.g. to read what it was configured with).</summary>
    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("The app is not running.");

    /// <summary>A client signed in through the sign-in form (cookie kept), as a browser is: the Viewer unless another account is given.</summary>
    public async Task<HttpClient> SignedInClientAsync(string userName = UserName, string password = Password)
    {
        var client = Client();
        var form = await client.GetStringAsync("login");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\"[^>]*value=\"(?<t>[^\"]+)\"").Groups["t"].Value;
        Assert.NotEmpty(token);
        using var response = await client.PostAsync("login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName, ["Password"] = password, ["ReturnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.ToString());
        return client;
    }

    public HttpClient Client() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseUrl, Timeout = TimeSpan.FromMinutes(3) };

    public async Task DisposeAsync()
    {
        if (app != null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}

public sealed class ExportDatabase : PostgresDatabase
{
    protected override async Task SeedAsync()
    {
        await using var conn = await OpenOtherConnectionAsync("test-seed");
        await conn.ExecuteAsync("""
            INSERT INTO documents (collection, data, metadata, created_at, updated_at)
            SELECT 'shop', jsonb_build_object('name', 's' || g, 'status', CASE WHEN g % 2 = 0 THEN 'active' ELSE 'archived' END, 'score', g),
                   jsonb_build_object('batch', g % 3), '2024-01-01T00:00:00Z'::timestamptz + (g % 4) * interval '1 day',
                   '2024-02-01T00:00:00Z'::timestamptz + g * interval '1 minute'
            FROM generate_series(1, 20) AS g;

            INSERT INTO documents (collection, data, created_at)
            SELECT @odd, jsonb_build_object('n', g), '2024-03-01T00:00:00Z'::timestamptz + g * interval '1 hour'
            FROM generate_series(1, 3) AS g;

            INSERT INTO documents (collection, data, metadata, created_at, updated_at)
            SELECT 'bulk',
                   jsonb_build_object('n', g, 'kind', 'k' || (g % 7), 'tags', jsonb_build_array('t' || (g % 5), 't' || (g % 11)),
                                      'body', repeat(md5(g::text), 30)),
                   jsonb_build_object('batch', g / 1000),
                   '2024-01-01T00:00:00Z'::timestamptz + (g / 3) * interval '1 second',
                   '2024-06-01T00:00:00Z'::timestamptz
            FROM generate_series(1, 50000) AS g;
            """, new { odd = ExportApp.OddCollection }, commandTimeout: 300);
        await conn.ExecuteAsync("ANALYZE documents");
    }
}

/// <summary>The real endpoint in the real app: sign-in, the contract (headers, lines, errors) and streaming at size.</summary>
public class DocumentsExportEndpointTests(ExportApp fixture) : IClassFixture<ExportApp>
{
    [Fact]
    public async Task Without_sign_in_the_export_is_refused()
    {
        using var client = fixture.Client();
        using var response = await client.GetAsync(DocumentsExport.Url("shop", new DocumentFilter(), DocumentSort.CreatedAt, true));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_signed_in_user_gets_the_filtered_documents_as_ndjson_with_the_cap_and_a_file_name()
    {
        using var client = await fixture.SignedInClientAsync();
        var filter = new DocumentFilter { DataContains = """{"status":"active"}""", JsonPath = "$.score > 4", CreatedTo = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero) };
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var response = await client.GetAsync(DocumentsExport.Url("shop", filter, DocumentSort.UpdatedAt, false));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(ExportApp.Cap.ToString(), Assert.Single(response.Headers.GetValues(DocumentsExport.LimitHeader)));
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        var fileName = Regex.Match(disposition.FileName!.Trim('"'), @"^shop-(\d{8}T\d{6}Z)\.ndjson$");
        Assert.True(fileName.Success, disposition.FileName);
        var stamp = DateTimeOffset.ParseExact(fileName.Groups[1].Value, "yyyyMMdd'T'HHmmss'Z'", null, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(stamp, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        var lines = ExportHelpers.Lines(await response.Content.ReadAsStringAsync());
        // active (g even), score > 4, created on Jan 1 or 2 (g % 4 is 0 or 1): g = 8, 12, 16, 20; by updated_at ascending.
        Assert.Equal(["s8", "s12", "s16", "s20"], lines.Select(l => l.Data!["name"]!.GetValue<string>()));
        var service = new DocumentsService(TestServices.QueryRunner(fixture.Database));
        Assert.Equal(await ExportHelpers.PageIdsAsync(service, "shop", filter, DocumentSort.UpdatedAt, false), lines.Select(l => l.Id).ToList());
    }

    [Fact]
    public async Task A_collection_name_with_slash_space_and_percent_round_trips_through_the_url()
    {
        using var client = await fixture.SignedInClientAsync();
        using var response = await client.GetAsync(DocumentsExport.Url(ExportApp.OddCollection, new DocumentFilter(), DocumentSort.CreatedAt, false));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = ExportHelpers.Lines(await response.Content.ReadAsStringAsync());
        Assert.Equal([1, 2, 3], lines.Select(l => l.Data!["n"]!.GetValue<int>()));
        Assert.All(lines, l => Assert.Equal(ExportApp.OddCollection, l.Collection));
        Assert.Matches("^\"?tenant_a_b___-\\d{8}T\\d{6}Z\\.ndjson\"?$", response.Content.Headers.ContentDisposition!.FileName!);
    }

    [Theory]
    [InlineData("data=%7B%22a%22%3A%201%20%22b%22%3A%202%7D", "data: line 1, position 9: ")]
    [InlineData("data=%7B%22a%22%3A%201e999999%7D", "data: PostgreSQL cannot use this filter: value overflows numeric format")]
    [InlineData("jsonpath=%24.a%20%3D%3D", "jsonpath: line 1, position ")]
    [InlineData("id=42", "id: An id is a UUID")]
    [InlineData("createdFrom=2024-02-01&createdTo=2024-01-01", "createdFrom/createdTo: The created range starts after it ends")]
    [InlineData("createdFrom=last%20week", "createdFrom: expected an ISO 8601 time")]
    [InlineData("sort=name", "sort: must be 'created' or 'updated'")]
    [InlineData("colour=red", "colour: unknown query parameter")]
    public async Task Bad_input_is_a_400_with_the_message_as_text(string query, string message)
    {
        using var client = await fixture.SignedInClientAsync();
        using var response = await client.GetAsync("documents/shop/export?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains(DocumentsExport.LimitHeader));
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.StartsWith(message, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// 50,000 documents (≈ 55 MB): the first line arrives while PostgreSQL is still sending the rest. The test reads one
    /// line and stops reading; the statement must then be seen still active on the server and waiting to write to its
    /// client (wait event ClientWrite): the app passes rows on as it reads them, it does not gather the result. Then
    /// the rest is read: every document once, in the grid's order, and the connection is free again.
    /// </summary>
    [Fact]
    public async Task A_large_export_is_streamed_the_first_line_arrives_while_the_statement_is_still_sending()
    {
        using var client = await fixture.SignedInClientAsync();
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(DocumentsExport.Url("bulk", new DocumentFilter(), DocumentSort.CreatedAt, true), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body, Encoding.UTF8);
        var first = await reader.ReadLineAsync();
        var firstAt = clock.Elapsed;
        Assert.NotNull(first);

        // The export's backend, seen from another session, while this test holds off reading.
        (string State, string? WaitEvent)? seen = null;
        await using (var conn = await fixture.Database.OpenOtherConnectionAsync("test-observer"))
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                seen = await conn.QuerySingleOrDefaultAsync<(string, string?)?>("""
                    SELECT state, wait_event FROM pg_stat_activity
                    WHERE datname = current_database() AND application_name = 'orchestra-admin' AND query LIKE '%json_build_object%'
                      AND pid <> pg_backend_pid()
                    """);
                if (seen is { WaitEvent: "ClientWrite" }) break;
                await Task.Delay(100);
            }
        }
        Assert.Equal(("active", "ClientWrite"), seen);

        var lines = new List<string> { first };
        while (await reader.ReadLineAsync() is { } line) lines.Add(line);
        var total = clock.Elapsed;
        Assert.Equal(ExportApp.BulkDocuments, lines.Count);

        var parsed = ExportHelpers.Lines(string.Join('\n', lines) + "\n");
        // The grid's order (the same ORDER BY as the page's statement; the writer tests compare with the pages themselves).
        await using (var conn = await fixture.Database.OpenOtherConnectionAsync())
        {
            var expected = (await conn.QueryAsync<Guid>("""
                SELECT id FROM documents WHERE collection = 'bulk'
                ORDER BY COALESCE(created_at, '-infinity'::timestamptz) DESC, id DESC
                """)).ToList();
            Assert.Equal(expected, parsed.Select(l => l.Id).ToList());
        }
        Assert.Equal(ExportApp.BulkDocuments, parsed.Select(l => l.Id).Distinct().Count());
        Assert.True(firstAt < total, $"first line after {firstAt.TotalMilliseconds:0} ms, all after {total.TotalMilliseconds:0} ms");

        // Done: the export's statement is gone from the server.
        await using var check = await fixture.Database.OpenOtherConnectionAsync("test-observer");
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE '%json_build_object%' AND pid <> pg_backend_pid()
            """));
    }

    [Fact]
    public async Task A_client_that_goes_away_stops_the_statement_on_the_server()
    {
        using var client = await fixture.SignedInClientAsync();
        using (var response = await client.GetAsync(DocumentsExport.Url("bulk", new DocumentFilter(), DocumentSort.UpdatedAt, false), HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            Assert.True(await body.ReadAsync(buffer) > 0);
        } // disposed unread: the connection is closed

        await using var conn = await fixture.Database.OpenOtherConnectionAsync("test-observer");
        var deadline = Stopwatch.StartNew();
        int active;
        do
        {
            await Task.Delay(100);
            active = await conn.ExecuteScalarAsync<int>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND state = 'active' AND query LIKE '%json_build_object%' AND pid <> pg_backend_pid()
                """);
        } while (active > 0 && deadline.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Equal(0, active);
    }
}
