using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.E2E.Infrastructure;
using Orchestra.Admin.Tests.BadInput;
using Orchestra.WeaviateEmulator;
using static Microsoft.Playwright.Assertions;

namespace Orchestra.Admin.E2E.Tests;

/// <summary>
/// Hostile values typed into the real pages (issue 10, the browser half of Orchestra.Admin.Tests/BadInput): every main
/// text, number and date input of a page gets the values one after another, and each gets either its own error at the
/// field or a normal result (rows or the explicit empty state). Blazor's error UI stays hidden, the circuit stays up
/// (the page still reacts and a nav link still navigates), and the stack's tables are unchanged. The last value of each
/// text field is a 1 MB paste: it gets the field's length error, never a dead circuit.
/// </summary>
public sealed class HostileInputTests(AppFixture app) : E2ETest(app)
{
    /// <summary>A page's filter form: where it is, the button that submits it, and the heading of the section that
    /// shows its result (a region whose rows or empty text is the "normal result").</summary>
    public sealed record Form(string Url, string Submit, string ResultHeading, Field[] Fields, bool ResultOnLoad = true, Func<IPage, Task>? Prepare = null);

    /// <summary>An input by its label, the values it gets, a valid value it is left with (its error must then go; null
    /// when no value is valid on its own), and (for the vector search) how to make it visible.</summary>
    public sealed record Field(string Label, string[] Values, string? Valid = "", Func<IPage, Task>? Show = null)
    {
        /// <summary>
        /// KNOWN GAP, not fixed: MudBlazor's editable date picker, given text it cannot read as a date, marks itself
        /// invalid with an empty error text (and keeps the last date). The tests still require a result or an error and
        /// a live circuit for dates; they do not require the picker to say why.
        /// </summary>
        public bool SaysWhyWhenInvalid => Values != Dates;
    }

    private static readonly string OneMegabyte = HostileValues.All["oneMegabyte"];

    /// <summary>The representative subset of <see cref="HostileValues"/> every text input gets; the 1 MB paste is last.</summary>
    private static readonly string[] Text =
    [
        HostileValues.All["sqlDropTable"],
        HostileValues.All["dollarQuote"],
        HostileValues.All["percent"] + HostileValues.All["underscore"] + HostileValues.All["star"] + HostileValues.All["backslash"],
        HostileValues.All["rtlOverride"] + HostileValues.All["emoji"] + HostileValues.All["combiningMarks"],
        HostileValues.All["nulByte"],
        HostileValues.All["whitespaceOnly"],
        OneMegabyte,
    ];

    /// <summary>JSON inputs also get a wrong JSON type.</summary>
    private static readonly string[] Json = [HostileValues.All["arrayForObject"], HostileValues.All["stringForNumber"], .. Text];

    private static readonly string[] Numbers =
    [
        HostileValues.All["minusOne"], HostileValues.All["zero"], HostileValues.All["longMax"],
        HostileValues.All["overflow1e309"], HostileValues.All["nan"], HostileValues.All["sqlDropTable"],
    ];

    /// <summary>Dates typed into an editable date picker: out of range, impossible, not a date.</summary>
    private static readonly string[] Dates = ["0001-01-01", "9999-12-31", "2025-13-45", HostileValues.All["sqlDropTable"]];

    /// <summary>Vectors as operators paste them: 1536 and 4096 dimensions (the demo class has 384: a clear dimension
    /// error, carried by the circuit), then the hostile texts, the 1 MB paste last.</summary>
    private static readonly string[] PastedVectors = [VectorText(1536), VectorText(4096)];

    private static readonly string[] Vectors = [.. PastedVectors, HostileValues.All["nan"], HostileValues.All["overflow1e309"], .. Text];

    public static TheoryData<string> Forms() => new(FormsByName.Keys);

    private static readonly Dictionary<string, Form> FormsByName = new()
    {
        ["documents"] = new("/documents/users", "Apply filter", "Documents · page 1",
        [
            new("Data contains (JSON)", Json), new("Metadata contains (JSON)", Json), new("JSONPath", Text),
            new("Key exists", Text), new("Id", Text), new("Text", Text), new("Created from", Dates),
        ]),
        ["sessions"] = new("/sessions", "Apply filter", "Sessions · page 1",
        [
            new("User id", Text), new("IP or network", Text), new("User agent contains", Text), new("Created from", Dates), new("Expires to", Dates),
        ]),
        ["cache"] = new("/cache/cache/default_cache", "Apply filter", "Keys · page 1", [new("Key pattern", Text)]),
        ["tasks.failed"] = new("/tasks?tab=failed", "Apply filter", "Failed tasks · page 1",
        [
            new("Error contains", Text), new("Payload contains (JSON)", Json), new("Priority", Numbers), new("Failed from", Dates),
        ]),
        ["audit"] = new("/audit", "Filter", "Records, newest first", [new("User", Text), new("Action", Text), new("Target id", Text)]),
        ["vectors"] = new("/vectors", "Search", "Results", VectorFields, ResultOnLoad: false,
            Prepare: page => Expect(page.GetByText("Distance metric")).ToContainTextAsync("cosine")),
    };

    private static Field[] VectorFields =>
    [
        new("Query text", Text, Valid: "what did the user observe through the telescope?"),
        new("Vector", Vectors, Valid: VectorText(DemoData.Dimensions), Show: NearVectorModeAsync),
        new("Limit", Numbers, Valid: "5"),
        new("Value", Numbers, Valid: "1.5", Show: ChooseMaxDistanceAsync),
        new("Object id", Text, Valid: null, Show: page => page.GetByRole(AriaRole.Radio, new() { Name = "nearObject" }).CheckAsync()),
        new("Query", Text, Valid: "astronomy", Show: page => page.GetByRole(AriaRole.Radio, new() { Name = "bm25" }).CheckAsync()),
    ];

    [Theory]
    [MemberData(nameof(Forms))]
    public Task Hostile_values_get_an_error_at_the_field_or_a_normal_result_and_change_nothing(string formName) => WithPageAsync(async page =>
    {
        var form = FormsByName[formName];
        var before = await ChecksumAsync();
        var circuit = new CircuitTraffic(page);

        await page.GotoAsync(form.Url);
        await WaitForInteractiveAsync(page);
        if (form.Prepare != null) await form.Prepare(page);
        if (form.ResultOnLoad) await Expect(Result(page, form)).ToBeVisibleAsync();

        foreach (var field in form.Fields)
        {
            if (field.Show != null) await field.Show(page);
            var input = page.GetByLabel(field.Label, new() { Exact = true });
            for (var i = 0; i < field.Values.Length; i++)
            {
                var what = $"{formName}: '{field.Label}' with value {i + 1} of {field.Values.Length} ({Describe(field.Values[i])})";
                await TypeAndSubmitAsync(page, circuit, form, field, input, field.Values[i], what);
            }
            if (field.Valid == null) continue;
            // The page still reacts: given a valid value and submitted, the field's error goes and a result shows.
            await input.FillAsync(field.Valid);
            await SubmitAsync(page, circuit, form);
            await Expect(FieldError(page, field.Label)).ToBeHiddenAsync();
            await Expect(Result(page, form)).ToBeVisibleAsync();
        }

        // The circuit is alive: a nav link navigates (client-side, through the circuit) and nothing complained.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" }).GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        await Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync();

        Assert.Equal(before, await ChecksumAsync());
    });

    private static async Task TypeAndSubmitAsync(IPage page, CircuitTraffic circuit, Form form, Field field, ILocator input, string value, string what)
    {
        try
        {
            try
            {
                await input.FillAsync(value);
            }
            catch (PlaywrightException e) when (e.Message.Contains("Cannot type text into input[type=number]"))
            {
                return; // the browser itself refuses a non-number in a number field: nothing reaches the app
            }
            await SubmitAsync(page, circuit, form);

            var error = FieldError(page, field.Label);
            if (value == OneMegabyte)
            {
                // Cut by the field's maxlength one character over its limit, refused with the limit named.
                var limit = field.Values == Vectors ? InputLimits.VectorChars : InputLimits.TextChars;
                await Expect(error).ToContainTextAsync(InputLimits.TooLongMessage(limit));
            }
            else if (PastedVectors.Contains(value))
            {
                // 30-90 KB in one message, over the hub's default 32 KB: it arrives and is checked against the class.
                await Expect(error).ToContainTextAsync($"class {DemoData.ClassName}'s vectors have {DemoData.Dimensions}");
            }
            else
            {
                await Expect(error.Filter(new() { Visible = true }).Or(Result(page, form)).First).ToBeVisibleAsync();
            }
            // A field marked invalid says why.
            if (field.SaysWhyWhenInvalid && await input.GetAttributeAsync("aria-invalid") == "true")
                await Expect(error).ToHaveTextAsync(new Regex(@"\w"));
            // Without an error at the field, no error banner anywhere either (a panel's failed query, a Weaviate error
            // under the form). With one, the result panel may repeat it ("Check the filter: …").
            if (await error.Filter(new() { Visible = true }).CountAsync() == 0)
                await Expect(page.Locator("[role=alert]:not(.mud-input-control *):visible")).ToHaveCountAsync(0);
            await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
            await Expect(page.Locator("#components-reconnect-modal")).ToBeHiddenAsync();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: {e.Message}\n--- the page's sections (aria-busy, alerts, heading) ---\n{await SectionsAsync(page)}");
        }
    }

    /// <summary>What a failure message needs to tell a stale or failed panel from a missing one.</summary>
    private static async Task<string> SectionsAsync(IPage page)
    {
        try
        {
            return await page.EvaluateAsync<string>("""
                () => [...document.querySelectorAll('section')].map(s =>
                    `${s.getAttribute('aria-busy') ?? '-'} alerts=${s.querySelectorAll('[role=alert]').length} ${s.querySelector('h2')?.textContent ?? ''}: `
                    + [...s.querySelectorAll('[role=alert]')].map(a => a.textContent.slice(0, 200)).join(' | ')).join('\n')
                """);
        }
        catch (PlaywrightException e)
        {
            return "(the page could not be read: " + e.Message + ")";
        }
    }

    /// <summary>Submits the form and waits until the server has answered and gone quiet, so what the page shows next
    /// is this value's outcome, not the last one's.</summary>
    private static async Task SubmitAsync(IPage page, CircuitTraffic circuit, Form form)
    {
        var since = circuit.Frames;
        await page.GetByRole(AriaRole.Button, new() { Name = form.Submit, Exact = true }).ClickAsync();
        await circuit.SettledAsync(since);
    }

    /// <summary>The field's own error: MudBlazor's helper text in its error state, inside the field's control.</summary>
    private static ILocator FieldError(IPage page, string label) =>
        page.Locator(".mud-input-control")
            .Filter(new() { Has = page.GetByLabel(label, new() { Exact = true }) })
            .Locator(".mud-input-helper-text.mud-input-error");

    /// <summary>A normal result: the result section, done loading and without an error alert, shows rows or its empty text.</summary>
    private static ILocator Result(IPage page, Form form) =>
        page.Locator("section:not([aria-busy=true]):not(:has([role=alert]))")
            .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = form.ResultHeading }) })
            .Locator("tbody tr, p.mud-text-secondary")
            .First;

    private static async Task ChooseMaxDistanceAsync(IPage page)
    {
        await page.GetByLabel("Threshold", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "max distance" }).ClickAsync();
        await Expect(page.GetByLabel("Value", new() { Exact = true })).ToBeEnabledAsync();
    }

    private static string VectorText(int dimensions)
    {
        var random = new Random(dimensions);
        return "[" + string.Join(", ", Enumerable.Range(0, dimensions).Select(_ => (random.NextSingle() * 2 - 1).ToString("R", CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>A value for a failure message: short ones as they are (escaped), long ones by their length.</summary>
    private static string Describe(string value) =>
        value.Length > 40 ? $"{value.Length:N0} characters" : string.Concat(value.Select(c => char.IsControl(c) || c > 126 ? $"\\u{(int)c:X4}" : c.ToString()));

    private async Task<string> ChecksumAsync()
    {
        await using var conn = new NpgsqlConnection(App.DatabaseConnectionString);
        await conn.OpenAsync();
        return await StackChecksum.OfAsync(conn);
    }

    /// <summary>The frames the server sends on the page's circuit (Blazor's WebSocket): render batches after an event.</summary>
    private sealed class CircuitTraffic
    {
        private long frames;
        private long lastFrameAt = Environment.TickCount64;

        public CircuitTraffic(IPage page) => page.WebSocket += (_, socket) =>
        {
            if (socket.Url.Contains("/_blazor", StringComparison.Ordinal)) socket.FrameReceived += (_, _) => Seen();
        };

        public long Frames => Interlocked.Read(ref frames);

        private void Seen()
        {
            Interlocked.Exchange(ref lastFrameAt, Environment.TickCount64);
            Interlocked.Increment(ref frames);
        }

        private const int QuietMs = 250;

        /// <summary>Waits (at most 15 s) for a frame after <paramref name="since"/> and then <see cref="QuietMs"/> without one. It does not
        /// fail by itself: the expectations that follow say what the page shows.</summary>
        public async Task SettledAsync(long since)
        {
            var deadline = Environment.TickCount64 + 15_000;
            while (Environment.TickCount64 < deadline)
            {
                if (Frames > since && Environment.TickCount64 - Interlocked.Read(ref lastFrameAt) >= QuietMs) return;
                await Task.Delay(50);
            }
        }
    }
}
