using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Orchestra.Admin.Features.Sessions;

/// <summary>
/// The value rules of <see cref="SensitiveDataMasker"/>: what looks like a secret in a text, whatever key it is stored under.
/// <list type="bullet">
/// <item>a JWT: three (or, encrypted, five) base64url parts separated by dots whose first part is a JSON header with <c>alg</c>;</item>
/// <item>the credential after <c>Bearer</c> (8 characters or more, with a digit or a symbol of the token alphabet, or 20 or more)
/// or after <c>Basic</c> (base64 of <c>user:password</c>);</item>
/// <item>the password in a URL's <c>user:password@</c>;</item>
/// <item>a long random token: a run of at least <see cref="MinTokenLength"/> characters of the base64, base64url and hex alphabet
/// (<c>A–Z a–z 0–9 + / _ -</c>, then <c>=</c> padding) that holds a letter and a digit and whose letters and digits change
/// kind (lower case, upper case, digit) at least once every four characters. Canonical UUIDs are identifiers, not secrets:
/// they are taken out of a run before it is judged, so an id in a URL or a name does not make it a token.</item>
/// </list>
/// Words, sentences, URLs, paths, ISO dates, numbers, UUIDs, slugs and identifiers do not match. Every expression runs in
/// linear time (<see cref="RegexOptions.NonBacktracking"/>): the texts are stored data, as long as their writer wanted.
/// </summary>
public static class SecretValues
{
    public const int MinTokenLength = 32;
    private const RegexOptions Linear = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private static readonly Regex AuthorizationCredential = new(@"\b(?:(?<bearer>bearer)|basic)[ \t]+(?<credential>[A-Za-z0-9._~+/-]+=*)", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex DottedBase64Url = new(@"[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]*){2,4}", Linear);
    private static readonly Regex UrlPassword = new(@"://[^/\s:@]+:([^/\s@]+)@", Linear);
    private static readonly Regex NamedValue = new(@"(?<name>[A-Za-z0-9_.-]+)=(?<value>[^\s&;,""'<>]+)", Linear);
    private static readonly Regex Uuid = new(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", Linear);

    /// <summary>
    /// Where the secrets are in <paramref name="text"/>: (start, length), possibly overlapping. Besides the rules above, the value
    /// of a <c>name=value</c> pair (a query string, a connection string, a log line) whose name <paramref name="isSensitiveName"/>.
    /// </summary>
    public static List<(int Start, int Length)> Find(string text, Func<string, bool> isSensitiveName)
    {
        var spans = new List<(int, int)>();
        foreach (Match m in NamedValue.Matches(text))
            if (isSensitiveName(m.Groups["name"].Value)) spans.Add((m.Groups["value"].Index, m.Groups["value"].Length));
        if (text.Length < 15) return spans; // shorter than "Bearer " and the shortest credential, or a JWT
        foreach (Match m in AuthorizationCredential.Matches(text))
        {
            var credential = m.Groups["credential"];
            var value = credential.Value;
            if (!IsJwt(value)) value = value.TrimEnd('.'); // the end of a sentence
            if (m.Groups["bearer"].Success ? IsBearerCredential(value) : IsBasicCredential(value)) spans.Add((credential.Index, value.Length));
        }
        foreach (Match m in DottedBase64Url.Matches(text))
            if (IsJwt(m.Value)) spans.Add((m.Index, m.Length));
        foreach (Match m in UrlPassword.Matches(text))
            spans.Add((m.Groups[1].Index, m.Groups[1].Length));
        AddRandomTokens(text, spans);
        return spans;
    }

    /// <summary>Three or five base64url parts whose first is a JSON object with <c>alg</c> (a JWS or a JWE header).</summary>
    public static bool IsJwt(string value)
    {
        var parts = value.Split('.');
        if (parts.Length is not (3 or 5) || parts[0].Length is < 10 or > 4096) return false;
        try
        {
            using var header = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0]));
            return header.RootElement.ValueKind == JsonValueKind.Object && header.RootElement.TryGetProperty("alg", out _);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return false;
        }
    }

    private static bool IsBearerCredential(string value) =>
        value.Length >= 20 || value.Length >= 8 && value.Any(c => char.IsAsciiDigit(c) || "-._~+/=".Contains(c));

    private static bool IsBasicCredential(string value)
    {
        var bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value, bytes, out var written)) return false;
        try
        {
            var decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
            return decoded.Contains(':') && !decoded.Any(char.IsControl);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-';

    /// <summary>Runs of the token alphabet, cut at canonical UUIDs, judged by <see cref="LooksRandom"/>.</summary>
    private static void AddRandomTokens(string text, List<(int, int)> spans)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (!IsTokenChar(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && IsTokenChar(text[i])) i++;
            var end = i;
            while (i < text.Length && text[i] == '=') i++; // padding belongs to the token
            if (end - start < MinTokenLength) continue;
            var run = text[start..end];
            var pieceStart = 0;
            foreach (Match uuid in Uuid.Matches(run))
            {
                AddIfRandom(run, start, pieceStart, uuid.Index, padding: 0, spans);
                pieceStart = uuid.Index + uuid.Length;
            }
            AddIfRandom(run, start, pieceStart, run.Length, padding: i - end, spans);
        }
    }

    private static void AddIfRandom(string run, int runStart, int from, int to, int padding, List<(int, int)> spans)
    {
        if (to - from >= MinTokenLength && LooksRandom(run.AsSpan(from, to - from)))
            spans.Add((runStart + from, to - from + padding));
    }

    /// <summary>A letter and a digit, and the letters and digits change kind at least once every four characters.</summary>
    public static bool LooksRandom(ReadOnlySpan<char> token)
    {
        int alphanumerics = 0, changes = 0, previous = -1;
        bool letter = false, digit = false;
        foreach (var c in token)
        {
            var kind = char.IsAsciiDigit(c) ? 0 : char.IsAsciiLetterLower(c) ? 1 : char.IsAsciiLetterUpper(c) ? 2 : -1;
            if (kind < 0) continue;
            letter |= kind > 0;
            digit |= kind == 0;
            if (previous >= 0 && kind != previous) changes++;
            previous = kind;
            alphanumerics++;
        }
        return letter && digit && changes * 4 >= alphanumerics - 1;
    }

    /// <summary>The text with each span replaced by <paramref name="mask"/> (overlapping spans by one).</summary>
    public static string Replace(string text, List<(int Start, int Length)> spans, string mask)
    {
        spans.Sort();
        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (start, length) in spans)
        {
            if (start + length <= at) continue; // inside a span already masked
            if (start > at) result.Append(text, at, start - at);
            if (start >= at) result.Append(mask);
            at = start + length;
        }
        return result.Append(text, at, text.Length - at).ToString();
    }
}
