namespace Orchestra.Admin.Security;

/// <summary>
/// Input refused before anything runs or changes: <see cref="Field"/> says where the page shows the message, and
/// <see cref="Position"/> (0-based, in the field's text) where the problem is, when known. Each feature has its own
/// kind, so a page catches only the refusals of its own inputs.
/// </summary>
public abstract class FieldInputException(string field, string message, int? position = null) : Exception(message)
{
    public string Field { get; } = field;
    public int? Position { get; } = position;
}
