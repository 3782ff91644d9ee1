namespace HttpGen.Formatting;

/// <summary>
/// The status line of every code that has a standard reason phrase, encoded once (<c>HTTP/1.1 200 OK CRLF</c>), so
/// that writing one is a single copy.
/// </summary>
internal static class StatusLines
{
    private const int First = 100;

    private static readonly byte[]?[] s_lines = Build();

    /// <summary>The encoded line, or null when <paramref name="statusCode"/> has no standard reason phrase.</summary>
    public static byte[]? Get(int statusCode)
    {
        byte[]?[] lines = s_lines;
        uint index = (uint)(statusCode - First);
        return index < (uint)lines.Length ? lines[index] : null;
    }

    private static byte[]?[] Build()
    {
        var lines = new byte[]?[500];
        for (int code = First; code < First + lines.Length; code++)
        {
            ReadOnlySpan<byte> reason = ReasonPhrases.Get(code);
            if (reason.IsEmpty)
            {
                continue;
            }

            var line = new byte[9 + 3 + 1 + reason.Length + 2];
            "HTTP/1.1 "u8.CopyTo(line);
            line[9] = (byte)('0' + (code / 100));
            line[10] = (byte)('0' + (code / 10 % 10));
            line[11] = (byte)('0' + (code % 10));
            line[12] = (byte)' ';
            reason.CopyTo(line.AsSpan(13));
            line[^2] = (byte)'\r';
            line[^1] = (byte)'\n';
            lines[code - First] = line;
        }

        return lines;
    }
}
