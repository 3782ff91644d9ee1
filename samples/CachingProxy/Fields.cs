using System.Buffers.Text;
using System.Text;
using HttpGen;

namespace CachingProxy;

/// <summary>
/// Moving header fields across the proxy: hop-by-hop fields stay behind (RFC 9110 §7.6.1), the rest is copied line by
/// line into the outgoing message's extra headers, in order.
/// </summary>
internal static class Fields
{
    /// <summary>
    /// Whether a field only concerns one connection: <c>Connection</c> and every field it names, plus the fields RFC 9110
    /// §7.6.1 lists as hop-by-hop in practice (<c>Keep-Alive</c>, <c>Proxy-Connection</c>, <c>TE</c>, <c>Trailer</c>,
    /// <c>Transfer-Encoding</c>, <c>Upgrade</c>). <paramref name="block"/> is the header block the field is from,
    /// <paramref name="hasConnection"/> whether it has a Connection field.
    /// </summary>
    public static bool IsHopByHop(ReadOnlySpan<byte> name, ReadOnlySpan<byte> block, bool hasConnection) => name.Length switch
    {
        2 => Ascii.EqualsIgnoreCase(name, "TE"u8),
        7 => Ascii.EqualsIgnoreCase(name, "Trailer"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8),
        10 => Ascii.EqualsIgnoreCase(name, "Connection"u8) || Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8),
        16 => Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8),
        17 => Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8),
        _ => false,
    } || (hasConnection && IsNamedByConnection(name, block));

    /// <summary>
    /// Copies the request fields to forward: all but the hop-by-hop ones, <c>Content-Length</c> (the upstream client
    /// frames the body it sends) and <c>Expect</c> (the proxy's server answers <c>100-continue</c> itself). With
    /// <paramref name="countDown"/> (OPTIONS and TRACE, RFC 9110 §7.6.2), <c>Max-Forwards</c> goes on one lower.
    /// </summary>
    public static void CopyRequestFields(ReadOnlySpan<byte> block, HeaderList into, bool countDown = false)
    {
        bool hasConnection = HasConnection(block);
        Span<byte> lower = stackalloc byte[20];
        foreach (HeaderField field in new HeaderFieldEnumerator(block))
        {
            if (field.NameEquals("Content-Length"u8) || field.NameEquals("Expect"u8) || IsHopByHop(field.Name, block, hasConnection))
            {
                continue;
            }

            if (countDown && field.NameEquals("Max-Forwards"u8) && Utf8Parser.TryParse(field.Value, out long hops, out int used) && used == field.Value.Length && hops > 0)
            {
                Utf8Formatter.TryFormat(hops - 1, lower, out int written);
                into.Add(field.Name, lower[..written]);
                continue;
            }

            into.Add(field.Name, field.Value);
        }
    }

    /// <summary>Whether the request's <c>Max-Forwards</c> is 0: the proxy is the final recipient (RFC 9110 §7.6.2).</summary>
    public static bool IsLastHop(ReadOnlySpan<byte> block)
    {
        foreach (HeaderField field in new HeaderFieldEnumerator(block))
        {
            if (field.NameEquals("Max-Forwards"u8))
            {
                return Utf8Parser.TryParse(field.Value, out long hops, out int used) && used == field.Value.Length && hops == 0;
            }
        }

        return false;
    }

    /// <summary>Copies the response fields to pass on: all but the hop-by-hop ones and <c>Content-Length</c> (set as framing).</summary>
    public static void CopyResponseFields(ReadOnlySpan<byte> block, HeaderList into)
    {
        bool hasConnection = HasConnection(block);
        foreach (HeaderField field in new HeaderFieldEnumerator(block))
        {
            if (!field.NameEquals("Content-Length"u8) && !IsHopByHop(field.Name, block, hasConnection))
            {
                into.Add(field.Name, field.Value);
            }
        }
    }

    /// <summary>
    /// Sets a head the cache wrote (status line, fields, blank line; no hop-by-hop field in it) on the proxy's response:
    /// status, reason, every field but Content-Length, which is returned (-1 when absent) to be set as the framing.
    /// </summary>
    public static long ApplyHead(ReadOnlySpan<byte> head, ProxyResponse response)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> line = head[..lineEnd];
        Utf8Parser.TryParse(line.Slice(9, 3), out int status, out _);
        response.StatusCode = status;
        if (line.Length > 13)
        {
            response.ReasonPhrase = line[13..];
        }

        long contentLength = -1;
        foreach (HeaderField field in new HeaderFieldEnumerator(head[(lineEnd + 2)..]))
        {
            if (field.NameEquals("Content-Length"u8))
            {
                Utf8Parser.TryParse(field.Value, out contentLength, out _);
            }
            else
            {
                response.ExtraHeaders.Add(field.Name, field.Value);
            }
        }

        return contentLength;
    }

    /// <summary>Writes <c>HTTP/1.1 SSS reason CRLF</c> and the header block after it: the response head the cache reads.</summary>
    public static int WriteHead(int status, ReadOnlySpan<byte> reason, ReadOnlySpan<byte> block, Span<byte> destination)
    {
        "HTTP/1.1 "u8.CopyTo(destination);
        Utf8Formatter.TryFormat(status, destination[9..], out _);
        destination[12] = (byte)' ';
        reason.CopyTo(destination[13..]);
        int at = 13 + reason.Length;
        "\r\n"u8.CopyTo(destination[at..]);
        block.CopyTo(destination[(at + 2)..]);
        return at + 2 + block.Length;
    }

    private static bool HasConnection(ReadOnlySpan<byte> block)
    {
        foreach (HeaderField field in new HeaderFieldEnumerator(block))
        {
            if (field.NameEquals("Connection"u8))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNamedByConnection(ReadOnlySpan<byte> name, ReadOnlySpan<byte> block)
    {
        foreach (HeaderField field in new HeaderFieldEnumerator(block))
        {
            if (!field.NameEquals("Connection"u8))
            {
                continue;
            }

            ReadOnlySpan<byte> rest = field.Value;
            while (!rest.IsEmpty)
            {
                int comma = rest.IndexOf((byte)',');
                ReadOnlySpan<byte> token = (comma < 0 ? rest : rest[..comma]).Trim(" \t"u8);
                if (Ascii.EqualsIgnoreCase(token, name))
                {
                    return true;
                }

                rest = comma < 0 ? default : rest[(comma + 1)..];
            }
        }

        return false;
    }
}
