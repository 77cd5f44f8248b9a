using System.Globalization;

namespace Orchestra.Admin.Components.Controls;

/// <summary>
/// How long a typed or pasted value may be, and the SignalR message size that follows from it. Blazor Server sends
/// an input's whole value to the server in one hub message; a message above the hub's MaximumReceiveMessageSize
/// (32 KB by default) closes the connection, so a large paste would cost the operator the circuit instead of
/// giving an error. Text fields therefore stop the browser one character past their limit
/// (<see cref="BoundedTextField"/>) and say the value is too long, and the hub takes the longest value any field sends.
/// </summary>
public static class InputLimits
{
    /// <summary>A filter, pattern, id or query: far more than any real one (a JSON containment filter of a few
    /// hundred keys), small enough to scan cheaply.</summary>
    public const int TextChars = 10_000;

    /// <summary>A pasted vector: 4096 dimensions (the largest embeddings in use) at up to 32 characters a value
    /// (<c>-1.2345678901234567E-05, </c> is 25).</summary>
    public const int VectorChars = 4096 * 32;

    /// <summary>
    /// The hub's limit for one message from the browser: the longest field's value plus the character the field lets
    /// through to tell it was cut, at 6 bytes a character (a control character escaped in JSON as <c>\u0000</c>), plus
    /// room for the event's envelope. About 0.8 MB.
    /// </summary>
    public const long HubMessageBytes = (VectorChars + 1) * 6L + 16 * 1024;

    /// <summary>What a field says when the value is longer than it takes.</summary>
    public static string TooLongMessage(int limit) =>
        $"Too long: this field takes at most {limit.ToString("N0", CultureInfo.InvariantCulture)} characters.";
}
