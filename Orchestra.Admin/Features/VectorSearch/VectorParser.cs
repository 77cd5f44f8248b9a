using System.Globalization;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// Reads the vector an operator pasted: a JSON array (<c>[0.1, -2e-3, …]</c>) or numbers separated by commas
/// and/or whitespace (newlines, tabs; a trailing comma and the brackets are optional).
/// <para>
/// The rule for locales: numbers are read in the invariant culture only — a dot is the decimal separator and a
/// comma always separates values. A German "0,5" is therefore the two values 0 and 5, never 0.5; when that makes
/// the count differ from the class's dimension the message says so ("commas separate values; use a dot as the
/// decimal separator"). Problems are <see cref="SearchInputException"/>s for the field <c>vector</c> that name the
/// 1-based position of the value and the text found there.
/// </para>
/// </summary>
public static class VectorParser
{
    /// <summary>The most values accepted (Weaviate's own limit is 65,535 dimensions for HNSW; this is a sanity cap).</summary>
    public const int MaxValues = 65_536;

    /// <summary>The longest text accepted, in characters (2 MB).</summary>
    public const int MaxChars = 2 * 1024 * 1024;

    public const string Field = "vector";

    /// <summary>The hint added when the count is off and the text has a comma between digits.</summary>
    public const string DecimalCommaHint = "commas separate values; use a dot as the decimal separator";

    /// <summary>Parses the text into float32 values; throws <see cref="SearchInputException"/> (field "vector") when it is not a vector.</summary>
    public static float[] Parse(string? text)
    {
        if (text is null || string.IsNullOrWhiteSpace(text))
            throw new SearchInputException(Field, "the vector is empty: paste its values as a JSON array ([0.1, 0.2, …]) or separated by commas or spaces");
        if (text.Length > MaxChars)
            throw new SearchInputException(Field, $"the vector text is {Megabytes(text.Length)} long; at most 2 MB is accepted");

        var span = text.AsSpan().Trim();
        if (span[0] == '[')
        {
            if (span[^1] != ']')
                throw new SearchInputException(Field, "the vector starts with '[' but does not end with ']'");
            span = span[1..^1];
        }
        else if (span[^1] == ']')
            throw new SearchInputException(Field, "the vector ends with ']' but does not start with '['");

        var values = new List<float>(Math.Min(MaxValues, span.Length / 2 + 1));
        var position = 0;       // 1-based number of the value being read
        var commaPending = false; // a comma was seen since the last value (or since the start)
        var i = 0;
        while (i < span.Length)
        {
            var c = span[i];
            if (c == ',')
            {
                if (commaPending || values.Count == 0)
                    throw new SearchInputException(Field, values.Count == 0
                        ? "value 1 is missing: the vector starts with a comma"
                        : $"value {values.Count + 1} is missing: two commas with nothing between them");
                commaPending = true;
                i++;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < span.Length && span[i] != ',' && !char.IsWhiteSpace(span[i]))
                i++;
            var token = span[start..i];
            position++;
            if (position > MaxValues)
                throw new SearchInputException(Field, $"the vector has more than {MaxValues.ToString("N0", CultureInfo.InvariantCulture)} values");
            values.Add(ReadValue(token, position));
            commaPending = false;
        }

        if (values.Count == 0)
            throw new SearchInputException(Field, "the vector is empty: paste its values as a JSON array ([0.1, 0.2, …]) or separated by commas or spaces");
        return values.ToArray();
    }

    /// <summary>
    /// Parses and checks the count against the class's vectors (when known): "the vector has 383 values; class
    /// Memory's vectors have 384", with the decimal-comma hint when the text looks like it used one.
    /// </summary>
    public static float[] Parse(string? text, ClassSearchInfo info)
    {
        var vector = Parse(text);
        CheckDimensions(vector.Length, info, text);
        return vector;
    }

    /// <summary>Throws when <paramref name="count"/> differs from the class's vector dimension (nothing to check when it is unknown).</summary>
    public static void CheckDimensions(int count, ClassSearchInfo info, string? text = null)
    {
        if (info.VectorDimensions is not { } expected || expected == count) return;
        var message = $"the vector has {Count(count)}; class {info.ClassName}'s vectors have {expected.ToString(CultureInfo.InvariantCulture)}";
        if (text != null && LooksLikeDecimalCommas(text)) message += $" ({DecimalCommaHint})";
        throw new SearchInputException(Field, message);
    }

    /// <summary>A comma directly between two digits ("0,5") and no dot anywhere: probably a decimal comma.</summary>
    public static bool LooksLikeDecimalCommas(string text)
    {
        for (var i = 1; i + 1 < text.Length; i++)
            if (text[i] == ',' && char.IsAsciiDigit(text[i - 1]) && char.IsAsciiDigit(text[i + 1]))
                return true;
        return false;
    }

    private static float ReadValue(ReadOnlySpan<char> token, int position)
    {
        // Letters spelling NaN / infinity are refused by name: double.Parse would take them.
        var trimmed = token.TrimStart("+-");
        if (trimmed.Equals("nan", StringComparison.OrdinalIgnoreCase))
            throw new SearchInputException(Field, $"value {position} ('{Show(token)}') is NaN: a vector holds finite numbers only");
        if (trimmed.Equals("infinity", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("inf", StringComparison.OrdinalIgnoreCase) || trimmed.SequenceEqual("∞"))
            throw new SearchInputException(Field, $"value {position} ('{Show(token)}') is infinite: a vector holds finite numbers only");

        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new SearchInputException(Field, $"value {position} ('{Show(token)}') is not a number{NumberHint(token)}");
        if (double.IsNaN(value))
            throw new SearchInputException(Field, $"value {position} ('{Show(token)}') is NaN: a vector holds finite numbers only");
        if (Math.Abs(value) > float.MaxValue)
            throw new SearchInputException(Field, $"value {position} ('{Show(token)}') is too large for a 32-bit float (at most ±3.4E+38)");
        return (float)value;
    }

    private static string NumberHint(ReadOnlySpan<char> token) =>
        token.Contains('[') || token.Contains(']') ? " (a vector is one flat list: no nested brackets)"
        : token.Contains(';') ? " (separate values with commas or spaces)"
        : token.Contains('"') || token.Contains('\'') ? " (numbers are not quoted)"
        : "";

    private static string Count(int count) => count == 1 ? "1 value" : $"{count.ToString(CultureInfo.InvariantCulture)} values";

    private static string Megabytes(int chars) => (chars / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    /// <summary>The offending text as it may be echoed: control characters as \uXXXX, at most 40 characters.</summary>
    private static string Show(ReadOnlySpan<char> token)
    {
        var cut = token.Length > 40 ? token[..40] : token;
        var shown = new System.Text.StringBuilder(cut.Length + 1);
        foreach (var c in cut)
            shown.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        if (token.Length > 40) shown.Append('…');
        return shown.ToString();
    }
}
