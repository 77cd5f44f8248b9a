using System.Text.RegularExpressions;
using Orchestra.Admin.Data.Postgres;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Features.Sessions;
using Orchestra.Admin.Features.Tasks;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.BadInput;

/// <summary>
/// Every text, number and date input of the PostgreSQL-backed services fed hostile and malformed values: each gets
/// the feature's typed input error (with a message and a field) or a normal, possibly empty, result; the stack's
/// tables are unchanged (checksum before and after); the query runner logs query names, never the values.
/// </summary>
public sealed partial class BadInputTests(BadInputDatabase db) : IClassFixture<BadInputDatabase>
{
    private const string CacheTable = "cache.default_cache";

    /// <summary>A service input: how to call it with a text, and the typed exception its feature uses for bad input.</summary>
    private sealed record Input(Type Error, Func<BadInputDatabase, string, Task> Run);

    private static Task Docs(BadInputDatabase d, DocumentFilter filter, string collection = "shop") =>
        d.Documents.PageAsync(new DocumentPageRequest(collection, filter));

    private static Task Failed(BadInputDatabase d, FailedTaskFilter filter) =>
        d.Tasks.Service.FailedAsync(new FailedTaskPageRequest(filter));

    private static Task Sessions(BadInputDatabase d, SessionFilter filter) =>
        d.Sessions.PageAsync(new SessionPageRequest(filter));

    private static readonly Dictionary<string, Input> TextInputs = new()
    {
        ["documents.collection"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter(), v)),
        ["documents.dataContains"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { DataContains = v })),
        ["documents.metadataContains"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { MetadataContains = v })),
        ["documents.jsonPath"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { JsonPath = v })),
        ["documents.jsonPathExists"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { JsonPath = v, JsonPathMode = JsonPathMode.Exists })),
        ["documents.keyExists"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { KeyExists = v })),
        ["documents.id"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { Id = v })),
        ["documents.text"] = new(typeof(FilterInputException), (d, v) => Docs(d, new DocumentFilter { Text = v })),
        ["documents.column"] = new(typeof(FilterInputException), (d, v) => d.Documents.PageAsync(new DocumentPageRequest("shop", new DocumentFilter(), Columns: [v]))),
        ["tasks.taskType"] = new(typeof(TaskFilterException), (d, v) => Failed(d, new FailedTaskFilter { TaskType = v })),
        ["tasks.errorContains"] = new(typeof(TaskFilterException), (d, v) => Failed(d, new FailedTaskFilter { ErrorContains = v })),
        ["tasks.payloadContains"] = new(typeof(TaskFilterException), (d, v) => Failed(d, new FailedTaskFilter { PayloadContains = v })),
        ["tasks.fingerprint"] = new(typeof(TaskFilterException), (d, v) => Failed(d, new FailedTaskFilter { Fingerprint = v })),
        // The requeue's dry run only: a hostile filter never reaches a real requeue.
        ["tasks.requeueDryRun.errorContains"] = new(typeof(TaskFilterException), (d, v) => d.Tasks.Actions.ConfirmRequeueAsync(Tasks.TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter { ErrorContains = v }))),
        ["tasks.requeueDryRun.payloadContains"] = new(typeof(TaskFilterException), (d, v) => d.Tasks.Actions.ConfirmRequeueAsync(Tasks.TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter { PayloadContains = v }))),
        ["sessions.userId"] = new(typeof(SessionFilterException), (d, v) => Sessions(d, new SessionFilter { UserId = v })),
        ["sessions.userPrefix"] = new(typeof(SessionFilterException), (d, v) => Sessions(d, new SessionFilter { UserId = v, UserMatch = UserMatch.Prefix })),
        ["sessions.network"] = new(typeof(SessionFilterException), (d, v) => Sessions(d, new SessionFilter { Network = v })),
        ["sessions.userAgent"] = new(typeof(SessionFilterException), (d, v) => Sessions(d, new SessionFilter { UserAgent = v })),
        ["cache.table"] = new(typeof(CacheInputException), (d, v) => d.Cache.PageAsync(new CacheKeyPageRequest(v, new CacheKeyFilter()))),
        ["cache.pattern"] = new(typeof(CacheInputException), (d, v) => d.Cache.PageAsync(new CacheKeyPageRequest(CacheTable, new CacheKeyFilter(v)))),
        ["cache.key"] = new(typeof(CacheInputException), (d, v) => d.Cache.GetAsync(CacheTable, v)),
        // The editor's actions report bad input as the operator actions' InvalidInputException.
        ["cache.patternDryRun"] = new(typeof(InvalidInputException), (d, v) => d.CacheEditor.CountMatchingAsync(CacheTable, v)),
        // The audit page shows an AuditFilterException's message at its field.
        ["audit.actor"] = new(typeof(AuditFilterException), (d, v) => d.Audit.ListAsync(new AuditFilter(Actor: v), 50)),
        ["audit.action"] = new(typeof(AuditFilterException), (d, v) => d.Audit.ListAsync(new AuditFilter(Action: v), 50)),
        ["audit.targetId"] = new(typeof(AuditFilterException), (d, v) => d.Audit.ListAsync(new AuditFilter(TargetId: v), 50)),
    };

    public static TheoryData<string, string> TextCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var input in TextInputs.Keys)
            foreach (var value in HostileValues.All.Keys)
                cases.Add(input, value);
        return cases;
    }

    [Theory]
    [MemberData(nameof(TextCases))]
    public async Task A_hostile_text_gets_a_clear_error_or_a_result_and_changes_nothing(string input, string valueName)
    {
        var value = HostileValues.All[valueName];
        await CheckAsync(input, TextInputs[input].Error, () => TextInputs[input].Run(db, value), value);
    }

    // ---------------------------------------------------------------- numbers

    private static readonly Dictionary<string, Input> NumberInputs = new()
    {
        ["documents.pageSize"] = new(typeof(FilterInputException), (d, v) => d.Documents.PageAsync(new DocumentPageRequest("shop", new DocumentFilter(), PageSize: (int)long.Parse(v)))),
        ["tasks.pageSize"] = new(typeof(TaskFilterException), (d, v) => d.Tasks.Service.FailedAsync(new FailedTaskPageRequest(new FailedTaskFilter(), PageSize: (int)long.Parse(v)))),
        ["tasks.priority"] = new(typeof(TaskFilterException), (d, v) => Failed(d, new FailedTaskFilter { Priority = (int)long.Parse(v) })),
        ["tasks.requeueDryRun.priority"] = new(typeof(TaskFilterException), (d, v) => d.Tasks.Actions.ConfirmRequeueAsync(Tasks.TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter { Priority = (int)long.Parse(v) }))),
        ["tasks.errorGroupsLimit"] = new(typeof(TaskFilterException), (d, v) => d.Tasks.Service.ErrorGroupsAsync(new FailedTaskFilter(), (int)long.Parse(v))),
        ["sessions.pageSize"] = new(typeof(SessionFilterException), (d, v) => d.Sessions.PageAsync(new SessionPageRequest(new SessionFilter(), PageSize: (int)long.Parse(v)))),
        ["cache.pageSize"] = new(typeof(CacheInputException), (d, v) => d.Cache.PageAsync(new CacheKeyPageRequest(CacheTable, new CacheKeyFilter(), PageSize: (int)long.Parse(v)))),
        ["audit.pageSize"] = new(typeof(ArgumentException), (d, v) => d.Audit.ListAsync(new AuditFilter(), (int)long.Parse(v))),
        ["audit.entryId"] = new(typeof(ArgumentException), (d, v) => d.Audit.ListAsync(new AuditFilter(EntryId: long.Parse(v)), 50)),
    };

    private static readonly string[] Numbers = ["-1", "0", "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808"];

    public static TheoryData<string, string> NumberCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var input in NumberInputs.Keys)
            foreach (var n in Numbers)
                cases.Add(input, n);
        return cases;
    }

    /// <summary>Numbers as the service receives them: an int input gets the long wrapped (as an unchecked cast would), the long input the long.</summary>
    [Theory]
    [MemberData(nameof(NumberCases))]
    public async Task A_hostile_number_gets_a_clear_error_or_a_result_and_changes_nothing(string input, string number) =>
        await CheckAsync(input, NumberInputs[input].Error, () => NumberInputs[input].Run(db, number), number);

    // ---------------------------------------------------------------- dates

    private static readonly Dictionary<string, (DateTimeOffset From, DateTimeOffset To)> Ranges = new()
    {
        ["min-max"] = (DateTimeOffset.MinValue, DateTimeOffset.MaxValue),
        ["max-min"] = (DateTimeOffset.MaxValue, DateTimeOffset.MinValue),
        ["max-max"] = (DateTimeOffset.MaxValue, DateTimeOffset.MaxValue),
        ["min-min"] = (DateTimeOffset.MinValue, DateTimeOffset.MinValue),
        ["reversed"] = (new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(14))),
    };

    private static readonly Dictionary<string, Func<BadInputDatabase, DateTimeOffset, DateTimeOffset, Task>> DateInputs = new()
    {
        ["documents.created"] = (d, f, t) => Docs(d, new DocumentFilter { CreatedFrom = f, CreatedTo = t }),
        ["documents.updated"] = (d, f, t) => Docs(d, new DocumentFilter { UpdatedFrom = f, UpdatedTo = t }),
        ["tasks.created"] = (d, f, t) => Failed(d, new FailedTaskFilter { CreatedFrom = f, CreatedTo = t }),
        ["tasks.failed"] = (d, f, t) => Failed(d, new FailedTaskFilter { FailedFrom = f, FailedTo = t }),
        ["tasks.requeueDryRun.failed"] = (d, f, t) => d.Tasks.Actions.ConfirmRequeueAsync(Tasks.TasksHarness.Operator, new RequeueRequest(Filter: new FailedTaskFilter { FailedFrom = f, FailedTo = t })),
        ["sessions.created"] = (d, f, t) => Sessions(d, new SessionFilter { CreatedFrom = f, CreatedTo = t }),
        ["sessions.expires"] = (d, f, t) => Sessions(d, new SessionFilter { ExpiresFrom = f, ExpiresTo = t }),
        ["audit.range"] = (d, f, t) => d.Audit.ListAsync(new AuditFilter(From: f.UtcDateTime, To: t.UtcDateTime), 50),
    };

    private static Type DateError(string input) => input.Split('.')[0] switch
    {
        "documents" => typeof(FilterInputException),
        "tasks" => typeof(TaskFilterException),
        "sessions" => typeof(SessionFilterException),
        _ => typeof(ArgumentException),
    };

    public static TheoryData<string, string> DateCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var input in DateInputs.Keys)
            foreach (var range in Ranges.Keys)
                cases.Add(input, range);
        return cases;
    }

    [Theory]
    [MemberData(nameof(DateCases))]
    public async Task A_hostile_date_range_gets_a_clear_error_or_a_result_and_changes_nothing(string input, string range)
    {
        var (from, to) = Ranges[range];
        await CheckAsync(input, DateError(input), () => DateInputs[input](db, from, to), range);
    }

    // ---------------------------------------------------------------- the checks

    /// <summary>The logging check can fail: a normal query is logged by name, through the capturing logger.</summary>
    [Fact]
    public async Task The_runner_logs_each_query_by_its_name()
    {
        db.Logs.Clear();
        var page = await db.Documents.PageAsync(new DocumentPageRequest("shop", new DocumentFilter { Text = "s1" }));
        Assert.Single(page.Rows);
        var entry = Assert.Single(db.Logs.Entries, e => Equals(e.Values.GetValueOrDefault("QueryName"), "documents/page"));
        Assert.Equal(typeof(PostgresQueryRunner).FullName, entry.Category);
        Assert.DoesNotContain("s1", entry.Message);
    }

    /// <summary>A hostile filter that matches nothing would requeue nothing: the real requeue leaves the tables as they are.</summary>
    [Fact]
    public async Task A_real_requeue_with_a_hostile_filter_that_matches_nothing_changes_nothing()
    {
        var before = await db.StackChecksumAsync();
        var request = new RequeueRequest(Filter: new FailedTaskFilter { ErrorContains = HostileValues.All["sqlDropTable"] });
        var confirmed = await db.Tasks.Actions.ConfirmRequeueAsync(Tasks.TasksHarness.Operator, request);
        Assert.Equal(0, confirmed.Matched);
        var report = await db.Tasks.Actions.RequeueAsync(Tasks.TasksHarness.Operator, request, confirmed.Id);
        Assert.Equal((0, 0), (report.Matched, report.Requeued));
        Assert.Equal(before, await db.StackChecksumAsync());
    }

    private static readonly string[] RunnerLogValues = ["QueryName", "ElapsedMs", "TimeoutMs", "Error", "{OriginalFormat}"];

    [GeneratedRegex("^[a-z_]+/[a-z_]+\\z")]
    private static partial Regex QueryName();

    private async Task CheckAsync(string input, Type expectedError, Func<Task> run, string value)
    {
        var before = await db.StackChecksumAsync();
        db.Logs.Clear();

        try
        {
            await run();
        }
        catch (Exception e) when (e.GetType() == expectedError
                                  || (expectedError == typeof(ArgumentException) && e is ArgumentException && ThrownByAuditService(e)))
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{input}: the {e.GetType().Name} has no message");
            if (e is FieldInputException refused)
                Assert.False(string.IsNullOrWhiteSpace(refused.Field), $"{input}: the {e.GetType().Name} names no field");
        }
        catch (Exception e)
        {
            Assert.Fail($"{input}: expected a result or {expectedError.Name}, got {e.GetType().FullName}: {Cut(e.Message)}\n{e.StackTrace}");
        }

        Assert.Equal(before, await db.StackChecksumAsync());

        foreach (var entry in db.Logs.Entries)
        {
            Assert.Equal(typeof(PostgresQueryRunner).FullName, entry.Category);
            Assert.True(entry.Values.GetValueOrDefault("QueryName") is string name && QueryName().IsMatch(name),
                $"{input}: a log line without a query name: {Cut(entry.Message)}");
            // Names, durations and an error code: nothing else is a structured value of the runner's lines.
            Assert.All(entry.Values.Keys, key => Assert.Contains(key, RunnerLogValues));
            Assert.DoesNotContain(HostileValues.Marker, entry.Message);
            if (HostileValues.IsDistinctive(value))
                Assert.DoesNotContain(value, entry.Message);
            Assert.DoesNotContain(BadInputDatabase.Password, entry.Message);
        }
    }

    private static bool ThrownByAuditService(Exception e) =>
        e.StackTrace?.TrimStart().StartsWith("at " + typeof(AuditService).FullName, StringComparison.Ordinal) == true;

    private static string Cut(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
