using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>What a user agent says about the client: the browser (or tool, or bot) with its major version, and the OS.</summary>
public sealed record ParsedUserAgent(string Browser, string Os, bool IsBot)
{
    public static readonly ParsedUserAgent Unknown = new("unknown", "unknown", false);
    public override string ToString() => Os == "unknown" ? Browser : $"{Browser} on {Os}";
}

/// <summary>
/// A small user-agent parser of our own: enough to tell an operator "Chrome 124 on Windows" or "curl 8.5" at a glance.
/// Order matters: Edge and Opera also say Chrome, Chrome also says Safari, and every browser says Mozilla.
/// Any user of the stack sets their own User-Agent, so the parser reads only its first <see cref="MaxLength"/> characters,
/// every pattern is linear (NonBacktracking), and results are remembered per distinct user agent in a bounded cache: the
/// Sessions page parses every listed row on every render.
/// </summary>
public static partial class UserAgentParser
{
    /// <summary>What is parsed (and what the list reads) of a user agent: real ones stay under 300 characters.</summary>
    public const int MaxLength = 512;

    /// <summary>Distinct user agents remembered; a stack user can make up any number, so the cache starts over when full.</summary>
    public const int CacheCapacity = 1024;

    private static readonly ParsedUserAgentCache Cache = new(CacheCapacity);

    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edge/", "Edge"),
        ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"), ("YaBrowser/", "Yandex"),
        ("FxiOS/", "Firefox"), ("Firefox/", "Firefox"),
        ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
    ];

    /// <summary>Command-line clients and libraries: they name themselves first, as name/version.</summary>
    private static readonly (string Token, string Name)[] Tools =
    [
        ("curl/", "curl"), ("Wget/", "Wget"), ("python-requests/", "python-requests"), ("python-httpx/", "python-httpx"),
        ("aiohttp/", "aiohttp"), ("Go-http-client/", "Go http client"), ("okhttp/", "OkHttp"), ("PostmanRuntime/", "Postman"),
        ("axios/", "axios"), ("node-fetch/", "node-fetch"), ("Java/", "Java"), ("HTTPie/", "HTTPie"),
    ];

    public static ParsedUserAgent Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent)) return ParsedUserAgent.Unknown;
        var ua = Cut(userAgent.TrimStart()).TrimEnd();
        return Cache.GetOrAdd(ua, ParseCut);
    }

    /// <summary>The first <see cref="MaxLength"/> characters of <paramref name="text"/> (a surrogate pair is not split).</summary>
    public static string Cut(string text)
    {
        if (text.Length <= MaxLength) return text;
        return text[..(char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength)];
    }

    private static ParsedUserAgent ParseCut(string ua)
    {
        foreach (var (token, name) in Tools)
            if (ua.StartsWith(token, StringComparison.OrdinalIgnoreCase))
                return new ParsedUserAgent(WithVersion(name, ua, token, full: true), "unknown", false);

        if (Bot().Match(ua) is { Success: true } bot)
            return new ParsedUserAgent(bot.Groups["version"].Success ? $"{bot.Groups["name"].Value} {bot.Groups["version"].Value}" : bot.Groups["name"].Value,
                Os(ua), true);

        return new ParsedUserAgent(Browser(ua), Os(ua), false);
    }

    private static string Browser(string ua)
    {
        foreach (var (token, name) in Browsers)
            if (ua.Contains(token, StringComparison.Ordinal))
                return WithVersion(name, ua, token);
        // Safari says Version/x.y … Safari/; a web view without Version/ is still Safari's engine.
        if (ua.Contains("Safari/", StringComparison.Ordinal) || ua.Contains("AppleWebKit/", StringComparison.Ordinal) && ua.Contains("Mobile/", StringComparison.Ordinal))
        {
            var name = ua.Contains("Mobile/", StringComparison.Ordinal) ? "Mobile Safari" : "Safari";
            return ua.Contains("Version/", StringComparison.Ordinal) ? WithVersion(name, ua, "Version/", full: true, parts: 2) : name;
        }
        if (ua.Contains("Trident/", StringComparison.Ordinal) || ua.Contains("MSIE ", StringComparison.Ordinal)) return "Internet Explorer";
        return "other";
    }

    private static string Os(string ua)
    {
        if (WindowsNt().Match(ua) is { Success: true } w)
            return w.Groups[1].Value switch
            {
                "10.0" => "Windows 10/11", // Windows 11 still says 10.0
                "6.3" => "Windows 8.1",
                "6.2" => "Windows 8",
                "6.1" => "Windows 7",
                var v => $"Windows NT {v}",
            };
        if (AppleMobile().Match(ua) is { Success: true } ios)
            return $"{(ua.Contains("iPad", StringComparison.Ordinal) ? "iPadOS" : "iOS")} {ios.Groups[1].Value.Replace('_', '.')}";
        if (Android().Match(ua) is { Success: true } android) return "Android " + android.Groups[1].Value;
        if (ua.Contains("Android", StringComparison.Ordinal)) return "Android";
        if (MacOs().Match(ua) is { Success: true } mac) return "macOS " + mac.Groups[1].Value.Replace('_', '.');
        if (ua.Contains("CrOS", StringComparison.Ordinal)) return "ChromeOS";
        if (ua.Contains("Linux", StringComparison.Ordinal) || ua.Contains("X11", StringComparison.Ordinal)) return "Linux";
        return "unknown";
    }

    /// <summary>"Chrome 124" (the major version), or with <paramref name="full"/> the version up to <paramref name="parts"/> parts ("curl 8.5.0").</summary>
    private static string WithVersion(string name, string ua, string token, bool full = false, int parts = 3)
    {
        var at = ua.IndexOf(token, StringComparison.OrdinalIgnoreCase) + token.Length;
        var end = at;
        while (end < ua.Length && (char.IsAsciiDigit(ua[end]) || ua[end] == '.')) end++;
        var version = ua[at..end].Trim('.');
        if (version.Length == 0) return name;
        var split = version.Split('.');
        return $"{name} {(full ? string.Join('.', split.Take(parts)) : split[0])}";
    }

    [GeneratedRegex(@"(?<name>[A-Za-z][\w\-\.]*?(?:bot|spider|crawler|Slurp))(?:/(?<version>[\d\.]+))?", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Bot();

    [GeneratedRegex(@"Windows NT (\d+\.\d+)", RegexOptions.NonBacktracking)]
    private static partial Regex WindowsNt();

    [GeneratedRegex(@"(?:iPhone|CPU) OS (\d+(?:_\d+)?)", RegexOptions.NonBacktracking)]
    private static partial Regex AppleMobile();

    [GeneratedRegex(@"Android (\d+(?:\.\d+)?)", RegexOptions.NonBacktracking)]
    private static partial Regex Android();

    [GeneratedRegex(@"Mac OS X (\d+(?:[_\.]\d+)?)", RegexOptions.NonBacktracking)]
    private static partial Regex MacOs();
}

/// <summary>
/// Parsed user agents by the text parsed, at most <paramref name="capacity"/> of them: a user of the stack can make up any
/// number of distinct user agents, so the cache starts over when full (a parse of 512 characters is cheap; memory is not).
/// </summary>
internal sealed class ParsedUserAgentCache(int capacity)
{
    private readonly ConcurrentDictionary<string, ParsedUserAgent> entries = new(StringComparer.Ordinal);
    private readonly Lock write = new();

    public int Count => entries.Count;

    public ParsedUserAgent GetOrAdd(string userAgent, Func<string, ParsedUserAgent> parse)
    {
        if (entries.TryGetValue(userAgent, out var parsed)) return parsed;
        parsed = parse(userAgent);
        lock (write)
        {
            if (entries.Count >= capacity) entries.Clear();
            entries[userAgent] = parsed;
        }
        return parsed;
    }
}
