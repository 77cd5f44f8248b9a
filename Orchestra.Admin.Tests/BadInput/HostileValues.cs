using System.Globalization;

namespace Orchestra.Admin.Tests.BadInput;

/// <summary>
/// The hostile and malformed values every text input is fed. Several carry <see cref="Marker"/>, which must never
/// show up in a log line; the test names show the value's name, never the value (one is 1 MB).
/// </summary>
public static class HostileValues
{
    public const string Marker = "ZX9MARK";

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["sqlDropTable"] = "'; DROP TABLE documents; -- " + Marker,
        ["sqlOrTrue"] = "\" OR 1=1 -- " + Marker,
        ["dollarQuote"] = "$$" + Marker + "$$",
        ["backslash"] = "\\",
        ["quotes"] = "'\"`'",
        ["percent"] = "%",
        ["underscore"] = "_",
        ["star"] = "*",
        ["rtlOverride"] = "\u202E" + Marker + "\u202C",
        ["emoji"] = "🎉👩‍💻" + Marker,
        ["combiningMarks"] = "e\u0301\u0302\u0303\u0304" + Marker,
        ["nonCharacterFFFF"] = "\uFFFF",
        ["nulByte"] = Marker + "\0x",
        ["oneMegabyte"] = new string('a', 1024 * 1024) + Marker,
        ["whitespaceOnly"] = " \t\r\n ",
        ["empty"] = "",
        ["minusOne"] = "-1",
        ["zero"] = "0",
        ["intMax"] = int.MaxValue.ToString(CultureInfo.InvariantCulture),
        ["longMax"] = long.MaxValue.ToString(CultureInfo.InvariantCulture),
        ["overflow1e309"] = "1e309",
        ["nan"] = "NaN",
        ["arrayForObject"] = "[1, 2, \"" + Marker + "\"]",
        ["stringForNumber"] = "\"" + Marker + "\"",
    };

    /// <summary>Whether a log line repeating this value would be a leak worth failing on (not "0", "_", "%"…).</summary>
    public static bool IsDistinctive(string value) => value.Trim().Length >= 6;
}
