using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// A MudTextField for a string that takes at most <see cref="Limit"/> characters and says so at the field. The
/// browser stops one character past the limit (maxlength), so a 1 MB paste reaches the server cut, in a message the
/// hub accepts (see <see cref="InputLimits"/>), and the field can still tell it was too long.
/// </summary>
public class BoundedTextField : MudTextField<string>
{
    /// <summary>The most characters the field takes: <see cref="InputLimits.TextChars"/> unless a field needs more.</summary>
    [Parameter] public int Limit { get; set; } = InputLimits.TextChars;

    protected override void OnParametersSet()
    {
#pragma warning disable BL0005, MUD0010, MUD0011 // the field's own parameters, read and set by the field itself on every render
        MaxLength = Limit + 1;
        if (Value?.Length > Limit)
        {
            // Over the page's own error: the page checked a value the operator did not mean (it was cut).
            Error = true;
            ErrorText = InputLimits.TooLongMessage(Limit);
        }
#pragma warning restore BL0005, MUD0010, MUD0011
        base.OnParametersSet();
    }
}
