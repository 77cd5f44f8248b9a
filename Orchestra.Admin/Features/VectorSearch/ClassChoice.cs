using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Orchestra.Admin.Components.Controls;

namespace Orchestra.Admin.Features.VectorSearch;

/// <summary>
/// A page's class picker as it opens: the schema's classes, or why they could not be loaded; and the class to open with —
/// the one the address names (<c>?class=Memory</c>, from a link elsewhere), else the only one.
/// </summary>
public sealed record ClassChoice(IReadOnlyList<string>? Names, string? Error, string? Selected)
{
    public static async Task<ClassChoice> LoadAsync(IVectorSearch search, NavigationManager navigation)
    {
        IReadOnlyList<string> names;
        try
        {
            names = await search.ClassNamesAsync();
        }
        catch (Exception e)
        {
            return new ClassChoice(null, $"The classes could not be loaded from Weaviate: {ErrorMessages.Describe(e)}", null);
        }
        var asked = QueryHelpers.ParseQuery(new Uri(navigation.Uri).Query).TryGetValue("class", out var c) ? c.ToString() : null;
        var selected = asked != null && names.Contains(asked) ? asked : names.Count == 1 ? names[0] : null;
        return new ClassChoice(names, null, selected);
    }
}
