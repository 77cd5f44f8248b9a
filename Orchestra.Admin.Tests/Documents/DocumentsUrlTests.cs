using Microsoft.AspNetCore.WebUtilities;
using Orchestra.Admin.Features.Documents;

namespace Orchestra.Admin.Tests.Documents;

/// <summary>The collection page's filter to and from its URL.</summary>
public class DocumentsUrlTests
{
    private static FilterForm Read(string query) => FilterForm.FromQuery(QueryHelpers.ParseQuery(query));

    [Fact]
    public void Every_field_survives_the_url()
    {
        var form = new FilterForm
        {
            DataContains = """{"plan": "pro & co"}""", MetadataContains = """{"source": "import"}""", JsonPath = "$.score > 5",
            JsonPathMode = JsonPathMode.Exists, KeyExists = "email", Id = Guid.NewGuid().ToString(), Text = "100%_done",
            CreatedFrom = new DateTime(2026, 1, 2), CreatedTo = new DateTime(2026, 1, 31), UpdatedFrom = new DateTime(2025, 12, 1), UpdatedTo = new DateTime(2026, 11, 26),
        };
        var query = string.Join('&', form.ToQuery().Where(p => p.Value != null).Select(p => $"{p.Key}={Uri.EscapeDataString((string)p.Value!)}"));

        var read = Read("?" + query);

        Assert.Empty(read.Errors);
        Assert.Equivalent(form, read);
    }

    [Fact]
    public void An_empty_form_adds_nothing_to_the_url() => Assert.All(new FilterForm().ToQuery().Values, Assert.Null);

    [Fact]
    public void A_day_that_is_not_one_is_an_error_at_its_field_and_the_other_fields_are_kept()
    {
        var read = Read("?createdFrom=2026-13-45&updatedTo=yesterday&text=abc");
        Assert.Equal("'2026-13-45' in the address is not a date (yyyy-MM-dd).", read.Errors["created"]);
        Assert.Equal("'yesterday' in the address is not a date (yyyy-MM-dd).", read.Errors["updated"]);
        Assert.Equal("abc", read.Text);
    }
}
