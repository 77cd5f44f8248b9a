using System.Text;

namespace Orchestra.WeaviateEmulator;

/// <summary>Weaviate's text tokenizations (word, lowercase, whitespace, field, trigram) and the "en" stopwords.</summary>
internal static class Tokenizer
{
    /// <summary>The "en" preset (Lucene's English list), removed from bm25 queries, not from documents.</summary>
    public static readonly IReadOnlySet<string> EnglishStopwords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
        "they", "this", "to", "was", "will", "with",
    };

    public static readonly IReadOnlySet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
    {
        "word", "lowercase", "whitespace", "field", "trigram",
    };

    public static List<string> Tokenize(string? tokenization, string text)
    {
        var tokens = new List<string>();
        switch (tokenization ?? "word")
        {
            case "field":
                var trimmed = text.Trim();
                if (trimmed.Length > 0)
                    tokens.Add(trimmed);
                break;
            case "whitespace":
                tokens.AddRange(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                break;
            case "lowercase":
                tokens.AddRange(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()));
                break;
            case "trigram":
                var letters = new StringBuilder();
                foreach (var c in text)
                    if (char.IsLetterOrDigit(c))
                        letters.Append(char.ToLowerInvariant(c));
                for (var i = 0; i + 3 <= letters.Length; i++)
                    tokens.Add(letters.ToString(i, 3));
                break;
            default: // word
                var current = new StringBuilder();
                foreach (var c in text)
                {
                    if (char.IsLetterOrDigit(c))
                        current.Append(char.ToLowerInvariant(c));
                    else if (current.Length > 0)
                    {
                        tokens.Add(current.ToString());
                        current.Clear();
                    }
                }
                if (current.Length > 0)
                    tokens.Add(current.ToString());
                break;
        }
        return tokens;
    }
}
