using Npgsql;
using Orchestra.Admin.Data.Postgres;

namespace Orchestra.Admin.Components.Controls;

/// <summary>Exceptions from the backends in words an operator can act on.</summary>
public static class ErrorMessages
{
    public static string Describe(Exception e) => e switch
    {
        QueryTimeoutException t => $"The query {t.Message}. The database is busy or the data is large; try again or narrow the view.",
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } =>
            "Skipped: a table this reads is locked by another session, and the dashboard does not queue behind a lock (it would hold up " +
            "everything queued after it). The Activity tab's blocking tree shows who holds it; this loads again on the next refresh.",
        PostgresException p => $"PostgreSQL refused the query: {p.MessageText} ({p.SqlState}).",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException s } => $"PostgreSQL is unreachable: {s.Message}.",
        NpgsqlException { InnerException: TimeoutException } => "PostgreSQL did not answer in time.",
        NpgsqlException n => $"PostgreSQL error: {n.Message}",
        Data.Weaviate.WeaviateException w => w.Message,
        Data.Embeddings.EmbeddingException m => m.Message,
        Features.Documents.FilterInputException f => $"Check the filter: {f.Message}",
        Features.Tasks.TaskFilterException t => $"Check the filter: {t.Message}",
        Security.OperatorRequiredException o => o.Message,
        Features.Sessions.SessionFilterException f => $"Check the filter: {f.Message}",
        // Every other input error (cache pattern, search, audit filter, an operator's value): its sentence names the field.
        Security.FieldInputException f => f.Message,
        HttpRequestException h => $"No answer: {h.Message}",
        _ => $"Unexpected error: {e.Message}",
    };
}
