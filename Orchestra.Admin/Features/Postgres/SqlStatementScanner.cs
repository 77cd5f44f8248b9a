using Orchestra.Admin.Security;

namespace Orchestra.Admin.Features.Postgres;

/// <param name="Text">The statement without the semicolons, comments and whitespace around it.</param>
/// <param name="Start">Where <paramref name="Text"/> starts in what was typed (to place PostgreSQL's error positions).</param>
/// <param name="Parameters">The numbers of the <c>$n</c> parameters it uses, ascending (e.g. from pg_stat_statements' normalised text).</param>
public sealed record ScannedStatement(string Text, int Start, IReadOnlyList<int> Parameters);

/// <summary>
/// Finds the one statement in what an operator typed, reading it as PostgreSQL's lexer does: a <c>;</c> inside a
/// quoted string (<c>'…'</c>, <c>E'…'</c>), a quoted identifier, a dollar-quoted string (<c>$$…$$</c>, <c>$tag$…$tag$</c>)
/// or a comment (<c>--</c>, nested <c>/* */</c>) does not end a statement. Refuses an empty text and a second
/// statement, naming where it is. (PostgreSQL checks again: the explain is sent as one prepared statement, which
/// cannot hold two.)
/// </summary>
public static class SqlStatementScanner
{
    public const string Field = "query";

    public static ScannedStatement Single(string? sql)
    {
        sql ??= "";
        var segments = new List<(int FirstContent, int End)>(); // End: the ';' that closes it, or the text's end
        var parameters = new SortedSet<int>();
        var firstContent = -1;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '-' && At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                continue;
            }
            if (c == '/' && At(sql, i + 1) == '*') { i = SkipBlockComment(sql, i); continue; }
            if (c == ';')
            {
                segments.Add((firstContent, i));
                firstContent = -1;
                i++;
                continue;
            }
            if (firstContent < 0) firstContent = i;
            if (c == '\'') { i = SkipQuoted(sql, i, '\'', backslashEscapes: false); continue; }
            if (c == '"') { i = SkipQuoted(sql, i, '"', backslashEscapes: false); continue; }
            if (c == '$') { i = SkipDollar(sql, i, parameters); continue; }
            if (IsIdentifierStart(c) || char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < sql.Length && (IsIdentifierPart(sql[i]) || (char.IsAsciiDigit(c) && sql[i] == '.'))) i++;
                // E'…' is an escape string: a backslash escapes the next character, even a quote.
                if (i - start == 1 && sql[start] is 'E' or 'e' && At(sql, i) == '\'')
                    i = SkipQuoted(sql, i, '\'', backslashEscapes: true);
                continue;
            }
            i++;
        }
        segments.Add((firstContent, sql.Length));

        var statements = segments.Where(s => s.FirstContent >= 0).ToList();
        if (statements.Count == 0)
            throw new InvalidInputException(Field, "The query is empty: type or paste one SQL statement to explain (SELECT, INSERT, UPDATE, DELETE, …).");
        if (statements.Count > 1)
        {
            var first = statements[0];
            throw new InvalidInputException(Field,
                $"Only one statement can be explained, but a second one starts at {Where(sql, statements[1].FirstContent)} " +
                $"(after the ';' at {Where(sql, first.End)}). Remove it, or explain the statements one at a time.");
        }
        var only = statements[0];
        return new ScannedStatement(sql[only.FirstContent..only.End].TrimEnd(), only.FirstContent, parameters.ToList());
    }

    /// <summary>"line 2, column 5" for a 0-based offset into <paramref name="text"/>.</summary>
    public static string Where(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var line = 1;
        var lineStart = 0;
        for (var k = 0; k < offset; k++)
        {
            if (text[k] == '\n') { line++; lineStart = k + 1; }
        }
        return $"line {line}, column {offset - lineStart + 1}";
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || char.IsAsciiDigit(c) || c == '$';

    private static int SkipQuoted(string sql, int open, char quote, bool backslashEscapes)
    {
        var i = open + 1;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashEscapes && c == '\\') { i += 2; continue; }
            if (c == quote)
            {
                if (At(sql, i + 1) == quote) { i += 2; continue; } // doubled: an escaped quote
                return i + 1;
            }
            i++;
        }
        var what = quote == '"' ? "quoted identifier (\"…\")" : "quoted string ('…')";
        throw Unterminated(sql, open, what);
    }

    private static int SkipBlockComment(string sql, int open)
    {
        var depth = 0;
        var i = open;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && At(sql, i + 1) == '*') { depth++; i += 2; continue; }
            if (sql[i] == '*' && At(sql, i + 1) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0) return i;
                continue;
            }
            i++;
        }
        throw Unterminated(sql, open, "comment (/* … */)");
    }

    /// <summary>A parameter <c>$1</c>, a dollar-quoted string <c>$tag$…$tag$</c>, or a lone <c>$</c>.</summary>
    private static int SkipDollar(string sql, int open, SortedSet<int> parameters)
    {
        var i = open + 1;
        if (char.IsAsciiDigit(At(sql, i)))
        {
            var value = 0;
            while (char.IsAsciiDigit(At(sql, i)) && value < 100_000) value = value * 10 + (sql[i++] - '0');
            parameters.Add(value);
            return i;
        }
        if (IsIdentifierStart(At(sql, i)))
        {
            while (i < sql.Length && (IsIdentifierStart(sql[i]) || char.IsAsciiDigit(sql[i]))) i++;
        }
        if (At(sql, i) != '$') return open + 1; // not a dollar quote
        var tag = sql[open..(i + 1)];
        var close = sql.IndexOf(tag, i + 1, StringComparison.Ordinal);
        if (close < 0) throw Unterminated(sql, open, $"dollar-quoted string ({tag}…{tag})");
        return close + tag.Length;
    }

    private static InvalidInputException Unterminated(string sql, int open, string what) =>
        new(Field, $"The query has an unterminated {what} starting at {Where(sql, open)}: close it, or remove it.");
}
