namespace Orchestra.Admin.Security;

/// <summary>
/// <c>dotnet run --project Orchestra.Admin -- hash-password</c>: reads a password from standard input
/// (without echo on a terminal) and prints its hash for <c>ORCHESTRA_ADMIN_USERS</c> or <c>OrchestraAdmin:Users</c>.
/// </summary>
public static class HashPasswordCommand
{
    public static int Run(TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        string? password;
        if (interactive)
        {
            error.Write("Password: ");
            password = ReadWithoutEcho();
            error.WriteLine();
        }
        else
        {
            password = input.ReadLine();
        }
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("hash-password: no password on standard input");
            return 2;
        }
        output.WriteLine(PasswordHashing.Hash(password));
        return 0;
    }

    private static string ReadWithoutEcho()
    {
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) return new string([.. chars]);
            if (key.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); }
            else if (!char.IsControl(key.KeyChar)) chars.Add(key.KeyChar);
        }
    }
}
