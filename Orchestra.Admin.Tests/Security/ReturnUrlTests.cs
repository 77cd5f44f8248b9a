using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.Security;

/// <summary>
/// The one check of a return address (password sign-in, single sign-on, the sign-in page's own links): the usual
/// open-redirect list falls back to "/", a path of this site is kept as it is.
/// </summary>
public class ReturnUrlTests
{
    public static TheoryData<string> OffSite() =>
    [
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "https://evil.example",
        "http://evil.example/",
        "HTTPS://evil.example",
        "//\tevil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/\0/evil.example",
        "/\u007f/evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0D%0A/evil.example",
        "/%2F/evil.example",
        "/%2f%2fevil.example",
        "/%5C/evil.example",
        "/%5cevil.example",
        "%2F%2Fevil.example",
        "/%252F/evil.example",
        "/%25252F/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "/javascript:alert(1)\n",
        "data:text/html,<script>alert(1)</script>",
        " /evil",
        "/ /evil",
        "/\u00a0/evil",
        "/\u3000/evil",
        "~/evil",
        "evil.example",
        "@evil.example",
        "/" + new string('a', 5000),
        "",
    ];

    [Theory]
    [MemberData(nameof(OffSite))]
    public void Anything_that_is_not_a_path_of_this_site_falls_back_to_the_Overview(string returnUrl) =>
        Assert.Equal("/", AuthSetup.SafeReturnUrl(returnUrl));

    [Fact]
    public void No_return_address_is_the_Overview() => Assert.Equal("/", AuthSetup.SafeReturnUrl(null));

    [Theory]
    [InlineData("/")]
    [InlineData("/audit")]
    [InlineData("/audit?user=olga")]
    [InlineData("/tasks?status=failed&type=send_email&after=1712.0123abcd")]
    [InlineData("/documents/orders?filter=%7B%22customer%22%3A%22a%20b%22%7D")]
    [InlineData("/documents/caf%C3%A9")]
    [InlineData("/vectors?q=http%3A%2F%2Fexample.org%2Fx")]
    [InlineData("/postgres#explain")]
    public void A_path_of_this_site_with_its_query_is_kept(string returnUrl) =>
        Assert.Equal(returnUrl, AuthSetup.SafeReturnUrl(returnUrl));
}
