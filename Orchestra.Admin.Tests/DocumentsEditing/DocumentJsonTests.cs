using Orchestra.Admin.Features.Documents;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.DocumentsEditing;

/// <summary>The editor's checks before anything is sent: what PostgreSQL's jsonb would refuse or silently change, with where.</summary>
public class DocumentJsonTests
{
    private static InvalidInputException Refusal(string json) =>
        Assert.Throws<InvalidInputException>(() => DocumentJson.Validate(json));

    [Fact]
    public void An_object_passes()
    {
        DocumentJson.Validate("""{"a": [1, 2.50, {"b": null}], "c": "\u00e9\ud83d\ude00", "d": "line\nbreak"}""");
        DocumentJson.Validate("{}");
    }

    [Fact]
    public void The_column_counts_characters_not_utf8_bytes()
    {
        // "Zürich" and an emoji are 2 and 4 bytes; the editor counts characters (UTF-16 units, as the browser does).
        var e = Refusal("{\"city\": \"Zürich😀\" \"x\": 1}");
        Assert.Equal("data", e.Field);
        Assert.Contains("line 1, column 21:", e.Message);
        Assert.DoesNotContain("BytePositionInLine", e.Message);
    }

    [Fact]
    public void An_unpaired_surrogate_escape_is_refused_with_its_position()
    {
        var e = Refusal("{\n  \"a\": \"ok\",\n  \"b\": \"x\\ud800y\"\n}");
        Assert.Contains("Line 3, column 8", e.Message);
        Assert.Contains("surrogate", e.Message);
    }

    [Fact]
    public void A_nul_escape_in_a_key_is_refused_but_an_escaped_backslash_before_u0000_text_is_not()
    {
        Assert.Contains("\\u0000", Refusal("{\"a\\u0000\": 1}").Message);
        DocumentJson.Validate("{\"path\": \"C:\\\\u0000\"}"); // the text \u0000, not the NUL character
    }

    [Fact]
    public void A_document_over_the_size_cap_is_refused_before_parsing()
    {
        var big = "{\"a\": \"" + new string('x', DocumentJson.MaxBytes) + "\"}";
        var e = Refusal(big);
        Assert.Contains("the editor saves documents up to 16 MB", e.Message);
    }

    [Fact]
    public void Nesting_deeper_than_the_cap_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", DocumentJson.MaxDepth + 1)) + "1" + new string('}', DocumentJson.MaxDepth + 1);
        Assert.Contains("depth", Refusal(deep).Message);
        var ok = string.Concat(Enumerable.Repeat("{\"a\":", DocumentJson.MaxDepth)) + "1" + new string('}', DocumentJson.MaxDepth);
        DocumentJson.Validate(ok);
    }

    [Fact]
    public void Comments_and_trailing_commas_that_jsonb_refuses_are_refused()
    {
        Assert.Contains("line 1", Refusal("{\"a\": 1, /* no */ \"b\": 2}").Message);
        Assert.Contains("line 1", Refusal("{\"a\": 1,}").Message);
    }
}
