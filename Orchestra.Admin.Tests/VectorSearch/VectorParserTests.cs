using System.Globalization;
using System.Text;
using Orchestra.Admin.Features.VectorSearch;

namespace Orchestra.Admin.Tests.VectorSearch;

/// <summary>The vector as an operator pastes it: JSON or separated numbers, invariant culture only, clear refusals with positions.</summary>
public sealed class VectorParserTests
{
    private static ClassSearchInfo Memory(int? dimensions) => new("Memory", "cosine", dimensions, [], null);

    /// <summary>Runs <paramref name="action"/> with the thread's culture set to <paramref name="culture"/>.</summary>
    internal static T InCulture<T>(string culture, Func<T> action)
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    private static SearchInputException Refused(string? text)
    {
        var e = Assert.Throws<SearchInputException>(() => VectorParser.Parse(text));
        Assert.Equal("vector", e.Field);
        return e;
    }

    [Theory]
    [InlineData("[0.1, -2e-3, 3]")]
    [InlineData("[0.1,-2e-3,3]")]
    [InlineData("0.1, -2e-3, 3")]
    [InlineData("0.1 -2e-3 3")]
    [InlineData("0.1\t-2E-3\t3")]
    [InlineData("0.1\n-0.002\n3\n")]
    [InlineData("0.1,\r\n-0.002,\r\n3,")]
    [InlineData("  [ 0.1 ,\n  -2e-3 ,\n  3 ,\n ]  ")]
    [InlineData("+0.1 -.002 3.")]
    [InlineData("1e-1, -20e-4, 0.3e1")]
    public void Json_and_separated_forms_read_the_same_values(string text)
    {
        foreach (var culture in new[] { "en-US", "de-DE", "fr-FR", "tr-TR" })
        {
            var vector = InCulture(culture, () => VectorParser.Parse(text));
            Assert.Equal([0.1f, -0.002f, 3f], vector);
        }
    }

    [Fact]
    public void A_german_decimal_comma_is_two_values_under_every_culture_and_the_dimension_message_says_why()
    {
        var en = InCulture("en-US", () => VectorParser.Parse("0,5 0,25"));
        var de = InCulture("de-DE", () => VectorParser.Parse("0,5 0,25"));
        Assert.Equal([0f, 5f, 0f, 25f], en);
        Assert.Equal(en, de);

        var e = InCulture("de-DE", () => Assert.Throws<SearchInputException>(() => VectorParser.Parse("0,5 0,25", Memory(2))));
        Assert.Equal("vector", e.Field);
        Assert.Equal("the vector has 4 values; class Memory's vectors have 2 (commas separate values; use a dot as the decimal separator)", e.Message);
    }

    [Fact]
    public void Scientific_notation_and_extremes_within_float32_are_kept()
    {
        var vector = VectorParser.Parse("[1e-3, -1.5E+2, 3.4e38, -3.4E38, 1e-50]");
        Assert.Equal([0.001f, -150f, 3.4e38f, -3.4e38f, 0f], vector);
    }

    [Theory]
    [InlineData("", "the vector is empty")]
    [InlineData("   \n\t ", "the vector is empty")]
    [InlineData("[]", "the vector is empty")]
    [InlineData("[ , ]", "value 1 is missing")]
    [InlineData("1, 2, abc, 4", "value 3 ('abc') is not a number")]
    [InlineData("1 2 3 0x10", "value 4 ('0x10') is not a number")]
    [InlineData("[1, 2, null]", "value 3 ('null') is not a number")]
    [InlineData("[1, \"2\"]", "value 2 ('\"2\"') is not a number (numbers are not quoted)")]
    [InlineData("[[1, 2], [3]]", "value 1 ('[1') is not a number (a vector is one flat list: no nested brackets)")]
    [InlineData("1;2;3", "value 1 ('1;2;3') is not a number (separate values with commas or spaces)")]
    [InlineData("1 2 NaN", "value 3 ('NaN') is NaN")]
    [InlineData("1, nan", "value 2 ('nan') is NaN")]
    [InlineData("1, Infinity", "value 2 ('Infinity') is infinite")]
    [InlineData("-Infinity 1", "value 1 ('-Infinity') is infinite")]
    [InlineData("1 ∞", "value 2 ('∞') is infinite")]
    [InlineData("0.5, 1e39", "value 2 ('1e39') is too large for a 32-bit float")]
    [InlineData("0.5, -4e38", "value 2 ('-4e38') is too large for a 32-bit float")]
    [InlineData("1, 1e400", "value 2 ('1e400') is too large for a 32-bit float")]
    [InlineData("1,,2", "value 2 is missing: two commas with nothing between them")]
    [InlineData(",1,2", "value 1 is missing: the vector starts with a comma")]
    [InlineData("[1, 2", "starts with '[' but does not end with ']'")]
    [InlineData("1, 2]", "ends with ']' but does not start with '['")]
    [InlineData("1 2 3\u00004", "value 3 ('3\\u00004') is not a number")]
    public void Bad_input_is_refused_with_the_position_and_the_text_found(string text, string expected)
    {
        foreach (var culture in new[] { "en-US", "de-DE" })
        {
            var e = InCulture(culture, () => Refused(text));
            Assert.Contains(expected, e.Message);
        }
    }

    [Fact]
    public void Null_is_empty()
    {
        Assert.Contains("the vector is empty", Refused(null).Message);
    }

    [Fact]
    public void A_long_offending_token_is_cut_in_the_message()
    {
        var e = Refused("1 " + new string('x', 500));
        Assert.Contains($"value 2 ('{new string('x', 40)}…') is not a number", e.Message);
        Assert.True(e.Message.Length < 200);
    }

    [Fact]
    public void Exactly_65536_values_are_accepted_and_one_more_is_refused()
    {
        var values = Enumerable.Range(0, VectorParser.MaxValues).Select(i => (i % 1000 / 1000.0).ToString("R", CultureInfo.InvariantCulture)).ToList();
        var text = "[" + string.Join(", ", values) + "]";
        var vector = VectorParser.Parse(text);
        Assert.Equal(65_536, vector.Length);
        Assert.Equal(0.999f, vector[999]);

        var e = Refused(text[..^1] + ", 0.5]");
        Assert.Equal("the vector has more than 65,536 values", e.Message);
    }

    [Fact]
    public void More_than_2_MB_of_text_is_refused_before_reading_it()
    {
        var text = new StringBuilder("[");
        while (text.Length <= VectorParser.MaxChars) text.Append("0.000000000001, ");
        var e = Refused(text.Append("1]").ToString());
        Assert.Matches(@"^the vector text is 2\.\d MB long; at most 2 MB is accepted$", e.Message);

        // 2 MB of whitespace around a short vector is still within the limit.
        Assert.Equal([1f, 2f], VectorParser.Parse(new string(' ', VectorParser.MaxChars - 10) + "1 2"));
    }

    [Fact]
    public void The_dimension_is_checked_against_the_class()
    {
        var text = string.Join(", ", Enumerable.Repeat("0.1", 383));
        var e = Assert.Throws<SearchInputException>(() => VectorParser.Parse(text, Memory(384)));
        Assert.Equal("vector", e.Field);
        Assert.Equal("the vector has 383 values; class Memory's vectors have 384", e.Message);

        Assert.Equal(384, VectorParser.Parse(text + ", 0.2", Memory(384)).Length);
        Assert.Equal(383, VectorParser.Parse(text, Memory(null)).Length); // unknown dimension: nothing to check

        var one = Assert.Throws<SearchInputException>(() => VectorParser.Parse("0.5", Memory(3)));
        Assert.Equal("the vector has 1 value; class Memory's vectors have 3", one.Message);
    }

    [Fact]
    public void The_decimal_comma_hint_appears_only_when_a_comma_sits_between_digits()
    {
        Assert.True(VectorParser.LooksLikeDecimalCommas("0,5 0,3"));
        Assert.False(VectorParser.LooksLikeDecimalCommas("0.5, 0.3"));
        Assert.False(VectorParser.LooksLikeDecimalCommas("0.5 0.3"));

        var e = Assert.Throws<SearchInputException>(() => VectorParser.Parse("0.5, 0.3", Memory(3)));
        Assert.Equal("the vector has 2 values; class Memory's vectors have 3", e.Message);
    }
}
