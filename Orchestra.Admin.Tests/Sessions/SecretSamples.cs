using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Orchestra.Admin.Tests.Sessions;

/// <summary>Secrets as the stack holds them (a signed JWT, random tokens), fresh for each test, and the check that a full session id is nowhere in a text.</summary>
public static class SecretSamples
{
    /// <summary>A real-shaped JWT: a JSON header, a JSON payload and a signature, each base64url.</summary>
    public static string Jwt(string subject = "user_7")
    {
        static string Part(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);
        var header = Part(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var payload = Part(Encoding.UTF8.GetBytes($$"""{"sub":"{{subject}}","exp":1893456000,"jti":"{{Guid.NewGuid():N}}"}"""));
        return $"{header}.{payload}.{Part(RandomNumberGenerator.GetBytes(32))}";
    }

    /// <summary><paramref name="length"/> characters of base64url from a random number generator (letters of both cases and digits guaranteed).</summary>
    public static string RandomToken(int length)
    {
        var text = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(length));
        return "aZ7" + text[..(length - 3)];
    }

    /// <summary>The session id in none of its spellings (with or without hyphens, either case).</summary>
    public static void AssertNoFullId(Guid id, string text)
    {
        foreach (var form in new[] { id.ToString("D"), id.ToString("N") })
            Assert.DoesNotContain(form, text, StringComparison.OrdinalIgnoreCase);
    }
}
