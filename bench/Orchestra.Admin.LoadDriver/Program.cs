using System.Diagnostics;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.LoadDriver;

// The load driver (issue 10): N signed-in dashboard sessions (real browsers, real SignalR circuits) on the pages that
// follow the sampler, for a fixed time, while workers process tasks. Per N it reports how fast a sampler round reaches
// the screen (p50/p95), the server's memory per circuit, and the queries the app sends PostgreSQL per minute, which
// should stay flat as N grows: the sampler reads once per round for every viewer.
//
//   dotnet run -c Release --project bench/Orchestra.Admin.LoadDriver [-- --sessions 1,10,50 --seconds 60 --pages /,/tasks]

var sessions = Option("--sessions", "1,10,50").Split(',').Select(int.Parse).ToArray();
var window = TimeSpan.FromSeconds(int.Parse(Option("--seconds", "60")));
var paths = Option("--pages", "/,/tasks").Split(',');
var total = Stopwatch.StartNew();

Log($"Starting the stack (PostgreSQL, seed-demo, the Weaviate emulator, the app, Chromium) …");
var stack = new AppFixture();
await stack.InitializeAsync();
try
{
    Log($"App on {stack.BaseUrl} (pid {stack.AppProcessId}), sampler every 2 s; pages {string.Join(", ", paths)}; {window.TotalSeconds:0} s per step.");
    await using var workers = await Workers.StartAsync(stack.DatabaseConnectionString);
    await using var statements = await AppStatements.StartAsync(stack.DatabaseConnectionString);

    // Warm up once on every page (JIT, first queries), so the first step's memory is the circuits', not start-up's.
    await using (var warmUp = await stack.NewContextAsync())
        foreach (var path in paths)
        {
            var page = await warmUp.NewPageAsync();
            await page.GotoAsync(path);
            await InteractivityProbe.WaitAsync(page);
            await LeaveAsync(page);
        }

    var results = new List<StepResult>();
    foreach (var n in sessions)
    {
        var rssBefore = ProcessMemory.ResidentBytes(stack.AppProcessId);
        var contexts = new List<IBrowserContext>();
        var pages = new List<IPage>();
        for (var i = 0; i < n; i++)
        {
            var context = await stack.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.AddInitScriptAsync(UpdateRecorder.Script);
            await page.GotoAsync(paths[i % paths.Length]);
            await InteractivityProbe.WaitAsync(page);
            contexts.Add(context);
            pages.Add(page);
        }
        // Every page has loaded and shown a round: start counting from here.
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var page in pages) await page.EvaluateAsync(UpdateRecorder.Reset);
        var rssOpen = ProcessMemory.ResidentBytes(stack.AppProcessId);
        var callsBefore = await statements.CallsByStatementAsync();
        var processedBefore = workers.Processed;
        var measured = Stopwatch.StartNew();
        await Task.Delay(window);
        var minutes = measured.Elapsed.TotalMinutes;
        var byStatement = AppStatements.Difference(callsBefore, await statements.CallsByStatementAsync());
        var calls = byStatement.Sum(d => d.Calls);
        var processed = workers.Processed - processedBefore;

        var latencies = new List<double>();
        foreach (var page in pages) latencies.AddRange(await page.EvaluateAsync<double[]>(UpdateRecorder.Read));
        latencies.Sort();
        var result = new StepResult(n, latencies.Count, Percentile(latencies, 0.5), Percentile(latencies, 0.95),
            (rssOpen - rssBefore) / (double)n, rssOpen, calls / minutes, processed / minutes);
        results.Add(result);
        Log(result.ToString());
        foreach (var (statement, count) in byStatement.Take(6))
            Log($"    {count / minutes,7:0}/min  {(statement.Length > 110 ? statement[..110] + "…" : statement)}");

        foreach (var page in pages) await LeaveAsync(page);
        foreach (var context in contexts) await context.CloseAsync();
        await Task.Delay(TimeSpan.FromSeconds(5)); // let the circuits go before the next step
    }

    Console.WriteLine();
    Console.WriteLine($"{"sessions",8} {"updates",8} {"p50 ms",8} {"p95 ms",8} {"MB/circuit",11} {"app RSS MB",11} {"app queries/min",16} {"tasks done/min",15}");
    foreach (var r in results)
        Console.WriteLine($"{r.Sessions,8} {r.Updates,8} {r.P50Ms,8:0} {r.P95Ms,8:0} {r.BytesPerCircuit / 1048576,11:0.00} {r.AppRssBytes / 1048576.0,11:0} {r.AppQueriesPerMinute,16:0} {r.TasksPerMinute,15:0}");
    var first = results[0];
    var last = results[^1];
    Console.WriteLine();
    Console.WriteLine($"load: {last.Sessions} sessions vs {first.Sessions}: app queries/min {last.AppQueriesPerMinute:0} vs {first.AppQueriesPerMinute:0} = {last.AppQueriesPerMinute / first.AppQueriesPerMinute:0.00}x; " +
                      $"update p95 {last.P95Ms:0} ms vs {first.P95Ms:0} ms; {last.BytesPerCircuit / 1048576:0.0} MB per circuit (total run {total.Elapsed.TotalMinutes:0.0} min)");
}
finally
{
    await stack.DisposeAsync();
}
return;

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

// Leave the page as a user closing the tab would: the page's unload tells the server the circuit is gone. Closing the
// browser context alone drops the connection, and the server keeps such a circuit (and its refreshes) for 3 minutes in
// case it reconnects, which would count it in the next step.
static async Task LeaveAsync(IPage page) => await page.GotoAsync("about:blank");

static void Log(string message) => Console.WriteLine($"[load] {message}");

namespace Orchestra.Admin.LoadDriver
{
    public sealed record StepResult(int Sessions, int Updates, double P50Ms, double P95Ms, double BytesPerCircuit, long AppRssBytes,
        double AppQueriesPerMinute, double TasksPerMinute)
    {
        public override string ToString() =>
            $"{Sessions} sessions: {Updates} page updates, p50 {P50Ms:0} ms, p95 {P95Ms:0} ms from the round to the screen; " +
            $"{BytesPerCircuit / 1048576:0.00} MB per circuit (app RSS {AppRssBytes / 1048576.0:0} MB); " +
            $"{AppQueriesPerMinute:0} app queries/min; workers {TasksPerMinute:0} tasks/min";
    }

    /// <summary>
    /// In each page: when the page shows a new sampler round (its data-sampled-at changes), the time until no panel is
    /// loading any more, measured from the round's own time (the same machine's clock).
    /// </summary>
    public static class UpdateRecorder
    {
        public const string Script = """
            window.__updates = [];
            document.addEventListener('DOMContentLoaded', () => {
              let shown = null, pending = null;
              const check = () => {
                const el = document.querySelector('[data-sampled-at]');
                const at = el ? Number(el.getAttribute('data-sampled-at')) : 0;
                if (at && at !== shown) { if (shown !== null) pending = at; shown = at; }
                if (pending && !document.querySelector('section[aria-busy=true]')) { window.__updates.push(Date.now() - pending); pending = null; }
              };
              new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
            });
            """;

        public const string Reset = "() => { window.__updates = []; }";
        public const string Read = "() => window.__updates";
    }

    public static class ProcessMemory
    {
        public static long ResidentBytes(int pid)
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
    }

    /// <summary>The queries the app sends, counted by pg_stat_statements for the app's role only (the workers use another).</summary>
    public sealed class AppStatements : IAsyncDisposable
    {
        private readonly NpgsqlConnection conn;

        private AppStatements(NpgsqlConnection conn) => this.conn = conn;

        public static async Task<AppStatements> StartAsync(string connectionString)
        {
            var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using (var cmd = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", conn))
                await cmd.ExecuteNonQueryAsync();
            return new AppStatements(conn);
        }

        /// <summary>Calls per statement (its first line), the app's queries only.</summary>
        public async Task<Dictionary<string, long>> CallsByStatementAsync()
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT split_part(ltrim(query), E'\n', 1) AS statement, sum(calls)::bigint FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                  -- queries, not the transaction control and SET LOCAL statement_timeout around each of them
                  AND query !~* '^\s*(SET|RESET|BEGIN|START|COMMIT|ROLLBACK|DISCARD|SHOW)\M'
                GROUP BY 1
                """, conn);
            var calls = new Dictionary<string, long>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) calls[reader.GetString(0)] = reader.GetInt64(1);
            return calls;
        }

        /// <summary>Calls made between two snapshots, per statement, most first.</summary>
        public static List<(string Statement, long Calls)> Difference(Dictionary<string, long> before, Dictionary<string, long> after) =>
            after.Select(a => (a.Key, a.Value - before.GetValueOrDefault(a.Key))).Where(d => d.Item2 > 0).OrderByDescending(d => d.Item2).ToList();

        public ValueTask DisposeAsync() => conn.DisposeAsync();
    }

    /// <summary>
    /// The stack's workers, as its docs describe them: take the next pending task FOR UPDATE SKIP LOCKED, run it, mark
    /// it completed (or failed, one in ten); and a producer that keeps adding work. Under a role of their own, so their
    /// queries are not counted as the app's.
    /// </summary>
    public sealed class Workers : IAsyncDisposable
    {
        private const int WorkerCount = 2;
        private readonly CancellationTokenSource stop = new();
        private readonly List<Task> loops = [];
        private long processed;

        public long Processed => Interlocked.Read(ref processed);

        public static async Task<Workers> StartAsync(string appConnectionString)
        {
            await using (var admin = new NpgsqlConnection(appConnectionString))
            {
                await admin.OpenAsync();
                await using var cmd = new NpgsqlCommand("""
                    DO $$ BEGIN
                      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'load_worker') THEN CREATE ROLE load_worker LOGIN; END IF;
                    END $$;
                    GRANT SELECT, INSERT, UPDATE ON task_queue TO load_worker;
                    """, admin);
                await cmd.ExecuteNonQueryAsync();
            }
            var workerCs = new NpgsqlConnectionStringBuilder(appConnectionString) { Username = "load_worker", ApplicationName = "load-worker" }.ConnectionString;
            var workers = new Workers();
            for (var i = 0; i < WorkerCount; i++) workers.loops.Add(workers.WorkAsync(workerCs, i));
            workers.loops.Add(workers.ProduceAsync(workerCs));
            return workers;
        }

        private async Task WorkAsync(string cs, int seed)
        {
            var random = new Random(seed);
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(stop.Token);
            while (!stop.IsCancellationRequested)
            {
                await using var take = new NpgsqlCommand("""
                    UPDATE task_queue SET status = 'running', started_at = now()
                    WHERE id = (SELECT id FROM task_queue WHERE status = 'pending' ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING id
                    """, conn);
                if (await take.ExecuteScalarAsync(stop.Token) is not Guid id)
                {
                    await Task.Delay(200, stop.Token);
                    continue;
                }
                await Task.Delay(random.Next(20, 80), stop.Token);
                var failed = random.Next(10) == 0;
                await using var finish = new NpgsqlCommand(failed
                    ? "UPDATE task_queue SET status = 'failed', completed_at = now(), error = 'load driver: simulated timeout after ' || (random() * 5000)::int || ' ms' WHERE id = @id"
                    : "UPDATE task_queue SET status = 'completed', completed_at = now() WHERE id = @id", conn);
                finish.Parameters.AddWithValue("id", id);
                await finish.ExecuteNonQueryAsync(stop.Token);
                Interlocked.Increment(ref processed);
            }
        }

        private async Task ProduceAsync(string cs)
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(stop.Token);
            while (!stop.IsCancellationRequested)
            {
                await using var add = new NpgsqlCommand("""
                    INSERT INTO task_queue (task_type, payload, priority)
                    SELECT 'load.' || (g % 3), jsonb_build_object('n', g), g % 5 FROM generate_series(1, 10) AS g
                    """, conn);
                await add.ExecuteNonQueryAsync(stop.Token);
                await Task.Delay(500, stop.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            try { await Task.WhenAll(loops); } catch (OperationCanceledException) { /* stopping */ }
            stop.Dispose();
        }
    }
}
