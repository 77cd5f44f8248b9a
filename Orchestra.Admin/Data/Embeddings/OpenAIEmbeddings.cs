using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;

namespace Orchestra.Admin.Data.Embeddings;

/// <summary>The <c>openai</c> provider: any OpenAI-compatible <c>/v1/embeddings</c> endpoint, through Microsoft.Extensions.AI.OpenAI.</summary>
internal static class OpenAIEmbeddings
{
    public static IEmbeddingGenerator<string, Embedding<float>> Create(EmbeddingProfile profile, EmbeddingsOptions options)
    {
        var client = new EmbeddingClient(profile.Model, new ApiKeyCredential(profile.ApiKey!), new OpenAIClientOptions
        {
            Endpoint = profile.Url,
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            RetryPolicy = new BoundedRetryPolicy(options.RetryCount, TimeSpan.FromSeconds(options.MaxRetryAfterSeconds)),
        });
        return client.AsIEmbeddingGenerator(profile.Dimensions);
    }

    /// <summary>One sentence per failure, with the endpoint's own words (OpenAI's <c>{"error": {"message"}}</c>) where it sent any.</summary>
    public static EmbeddingException Describe(Exception e, EmbeddingProfile profile, EmbeddingsOptions options, CancellationToken token)
    {
        var where = profile.Url!.GetLeftPart(UriPartial.Path).TrimEnd('/');
        switch (e)
        {
            case ClientResultException { Status: 0 } failed:
                return new(EmbeddingErrorKind.Unreachable, $"no answer from the embedding endpoint {where}: {Reason(failed.InnerException ?? failed)}", e);
            case ClientResultException failed:
            {
                var response = failed.GetRawResponse();
                var said = response != null ? ServerMessage(response) : null;
                var status = $"HTTP {failed.Status}";
                var words = said != null ? $": {said}" : "";
                return failed.Status switch
                {
                    401 or 403 => new(EmbeddingErrorKind.Unauthorized, $"the embedding endpoint {where} refused the API key ({status}){words}", e),
                    404 => new(EmbeddingErrorKind.ModelNotFound, $"the embedding endpoint {where} does not serve model {profile.Model} ({status}){words}", e),
                    429 => new(EmbeddingErrorKind.RateLimited, $"the embedding endpoint {where} is rate limiting ({status}{RetryAfter(response)}){words}", e),
                    >= 400 and < 500 => new(EmbeddingErrorKind.Rejected, $"the embedding endpoint refused the text ({status}){words}", e),
                    _ => new(EmbeddingErrorKind.Failed, $"the embedding endpoint {where} failed ({status}){words}", e),
                };
            }
            case OperationCanceledException when !token.IsCancellationRequested:
                return new(EmbeddingErrorKind.Timeout, $"no answer from the embedding endpoint {where} within {options.TimeoutSeconds} s", e);
            case HttpRequestException or IOException:
                return new(EmbeddingErrorKind.Unreachable, $"no answer from the embedding endpoint {where}: {Reason(e)}", e);
            case InvalidOperationException or JsonException or FormatException:
                return new(EmbeddingErrorKind.Failed, $"the embedding endpoint {where} answered outside the /v1/embeddings contract: {e.Message}", e);
            default:
                return new(EmbeddingErrorKind.Failed, $"embedding at {where} failed: {e.Message}", e);
        }
    }

    private static string Reason(Exception e) => e is HttpRequestException { HttpRequestError: var error } && error != HttpRequestError.Unknown
        ? error switch
        {
            HttpRequestError.ConnectionError => "connection refused or lost",
            HttpRequestError.NameResolutionError => "unknown host",
            HttpRequestError.SecureConnectionError => "TLS failed",
            _ => e.Message,
        }
        : e.Message;

    private static string? ServerMessage(PipelineResponse response)
    {
        try
        {
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
                return Cut(message.GetString()!);
        }
        catch (JsonException)
        {
        }
        var text = response.Content.ToString().Trim();
        return text.Length == 0 ? null : Cut(text);
    }

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string RetryAfter(PipelineResponse? response) =>
        response != null && RetryAfterOf(response) is { } wait ? $", asks to wait {wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" : "";

    internal static TimeSpan? RetryAfterOf(PipelineResponse response)
    {
        if (!response.Headers.TryGetValue("Retry-After", out var value) || value == null) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(Math.Max(0, seconds));
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero
            : null;
    }

    /// <summary>
    /// The SDK's retries (408, 429, 5xx, lost connections, with backoff and the server's Retry-After), except a 429 whose
    /// Retry-After is longer than allowed: an operator waiting at the page is told at once instead.
    /// </summary>
    private sealed class BoundedRetryPolicy(int maxRetries, TimeSpan maxRetryAfter) : ClientRetryPolicy(maxRetries)
    {
        protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
            !WaitsTooLong(message) && base.ShouldRetry(message, exception);

        protected override ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
            WaitsTooLong(message) ? ValueTask.FromResult(false) : base.ShouldRetryAsync(message, exception);

        private bool WaitsTooLong(PipelineMessage message) =>
            message.Response is { Status: 429 } response && RetryAfterOf(response) > maxRetryAfter;
    }
}
