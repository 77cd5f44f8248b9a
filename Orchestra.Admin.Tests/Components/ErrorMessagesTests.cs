using Orchestra.Admin.Components.Controls;
using Orchestra.Admin.Features.Audit;
using Orchestra.Admin.Features.Cache;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.Components;

/// <summary>An input error reaches the operator as its own sentence, never as "Unexpected error".</summary>
public sealed class ErrorMessagesTests
{
    public static TheoryData<Exception, string> InputErrors => new()
    {
        { new CacheInputException("pattern", "A pattern needs at least one character besides *."), "A pattern needs at least one character besides *." },
        { new SearchInputException("limit", "The limit must be between 1 and 1,000 (it is 0)."), "The limit must be between 1 and 1,000 (it is 0)." },
        { new AuditFilterException("from", "The start is after the end."), "The start is after the end." },
        { new InvalidInputException("minutes", "Give a whole number of minutes."), "Give a whole number of minutes." },
    };

    [Theory]
    [MemberData(nameof(InputErrors))]
    public void Each_input_error_is_shown_as_its_own_sentence(Exception error, string shown) =>
        Assert.Equal(shown, ErrorMessages.Describe(error));

    [Fact]
    public void The_filters_keep_their_prefix_and_anything_else_is_unexpected()
    {
        Assert.Equal("Check the filter: bad", ErrorMessages.Describe(new Orchestra.Admin.Features.Sessions.SessionFilterException("user", "bad")));
        Assert.Equal("Unexpected error: boom", ErrorMessages.Describe(new InvalidOperationException("boom")));
    }
}
