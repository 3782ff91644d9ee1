using System.Text;

namespace HttpGen.Caching;

/// <summary>
/// The primary cache key (RFC 9111 §2): the target URI, normalized as <c>scheme://host[:port]/path?query</c> with the
/// scheme and host in lower case, the default port left out and an empty path written as <c>/</c>. Percent-encodings
/// and dot segments of the target are kept as received. Also resolves the URI references of Location and Content-Location against a
/// key for invalidation (RFC 9111 §4.4).
/// </summary>
internal static class CacheKey
{
    /// <summary>The most bytes a key may have; longer targets are not cached.</summary>
    public const int MaxLength = 8192;

    /// <summary>Writes the key of a target URI.</summary>
    /// <returns>The length, or -1 when the parts are unusable or do not fit.</returns>
    public static int Write(ReadOnlySpan<byte> scheme, ReadOnlySpan<byte> authority, ReadOnlySpan<byte> pathAndQuery, Span<byte> destination)
    {
        int fragment = pathAndQuery.IndexOf((byte)'#');
        pathAndQuery = fragment >= 0 ? pathAndQuery[..fragment] : pathAndQuery;
        if (scheme.IsEmpty || authority.IsEmpty || (!pathAndQuery.IsEmpty && pathAndQuery[0] != (byte)'/' && pathAndQuery[0] != (byte)'?'))
        {
            return -1;
        }

        // host[:port], the host possibly an IP literal in brackets.
        int portColon = authority[0] == (byte)'[' ? authority.IndexOf((byte)']') + 1 : authority.IndexOf((byte)':');
        ReadOnlySpan<byte> host = portColon > 0 && portColon < authority.Length ? authority[..portColon] : authority;
        ReadOnlySpan<byte> port = portColon > 0 && portColon < authority.Length && authority[portColon] == (byte)':' ? authority[(portColon + 1)..] : default;
        if (host.IsEmpty || host.Length == 1 && host[0] == (byte)'[')
        {
            return -1;
        }

        bool defaultPort = port.IsEmpty
            || (Ascii.EqualsIgnoreCase(scheme, "http"u8) && port.SequenceEqual("80"u8))
            || (Ascii.EqualsIgnoreCase(scheme, "https"u8) && port.SequenceEqual("443"u8));
        int length = scheme.Length + 3 + host.Length + (defaultPort ? 0 : port.Length + 1) + Math.Max(pathAndQuery.Length, 1)
            + (pathAndQuery.IsEmpty || pathAndQuery[0] == (byte)'?' ? 1 : 0);
        if (length > destination.Length || length > MaxLength)
        {
            return -1;
        }

        int at = Ascii.ToLower(scheme, destination, out int written) == System.Buffers.OperationStatus.Done ? written : -1;
        if (at < 0)
        {
            return -1;
        }

        "://"u8.CopyTo(destination[at..]);
        at += 3;
        if (Ascii.ToLower(host, destination[at..], out written) != System.Buffers.OperationStatus.Done)
        {
            return -1;
        }

        at += written;
        if (!defaultPort)
        {
            destination[at++] = (byte)':';
            port.CopyTo(destination[at..]);
            at += port.Length;
        }

        if (pathAndQuery.IsEmpty || pathAndQuery[0] == (byte)'?')
        {
            destination[at++] = (byte)'/';
        }

        pathAndQuery.CopyTo(destination[at..]);
        return at + pathAndQuery.Length;
    }

    /// <summary>The <c>scheme://authority</c> part of a key.</summary>
    public static ReadOnlySpan<byte> Origin(ReadOnlySpan<byte> key)
    {
        int slashes = key.IndexOf("://"u8);
        int path = slashes < 0 ? -1 : key[(slashes + 3)..].IndexOf((byte)'/');
        return path < 0 ? key : key[..(slashes + 3 + path)];
    }

    /// <summary>
    /// Resolves a URI reference (an absolute URI, <c>//authority/path</c>, <c>/path</c> or a relative path) against
    /// <paramref name="baseKey"/> and writes the key of the result.
    /// </summary>
    /// <returns>The length, or -1 when the reference is not an http(s) URI or does not fit.</returns>
    public static int Resolve(ReadOnlySpan<byte> baseKey, ReadOnlySpan<byte> reference, Span<byte> destination)
    {
        int fragment = reference.IndexOf((byte)'#');
        reference = fragment >= 0 ? reference[..fragment] : reference;
        ReadOnlySpan<byte> baseOrigin = Origin(baseKey);
        ReadOnlySpan<byte> baseScheme = baseKey[..baseKey.IndexOf((byte)':')];
        int colon = reference.IndexOf((byte)':');
        int firstSlash = reference.IndexOf((byte)'/');
        if (colon > 0 && (firstSlash < 0 || colon < firstSlash))
        {
            // An absolute URI: scheme "://" authority path-abempty [ "?" query ].
            ReadOnlySpan<byte> scheme = reference[..colon];
            if (!(Ascii.EqualsIgnoreCase(scheme, "http"u8) || Ascii.EqualsIgnoreCase(scheme, "https"u8)) || !reference[colon..].StartsWith("://"u8))
            {
                return -1;
            }

            return WriteAuthorityForm(scheme, reference[(colon + 3)..], destination);
        }

        if (reference.StartsWith("//"u8))
        {
            return WriteAuthorityForm(baseScheme, reference[2..], destination);
        }

        if (reference.StartsWith("/"u8))
        {
            return Concat(baseOrigin, default, reference, destination);
        }

        // A relative path: merged with the base path up to its last slash (RFC 3986 §5.2.3).
        ReadOnlySpan<byte> basePath = baseKey[baseOrigin.Length..];
        int query = basePath.IndexOf((byte)'?');
        basePath = query >= 0 ? basePath[..query] : basePath;
        basePath = basePath[..(basePath.LastIndexOf((byte)'/') + 1)];
        int length = Concat(baseOrigin, basePath, reference, destination);
        return length < 0 ? -1 : baseOrigin.Length + RemoveDotSegments(destination[baseOrigin.Length..length]);
    }

    /// <summary>remove_dot_segments of RFC 3986 §5.2.4 on a path (and query) in place; returns the new length.</summary>
    private static int RemoveDotSegments(Span<byte> path)
    {
        int query = path.IndexOf((byte)'?');
        int end = query < 0 ? path.Length : query;
        int read = 0, written = 0;
        while (read < end)
        {
            // The next segment, with its leading slash: path[read..next].
            int next = path[(read + 1)..end].IndexOf((byte)'/');
            next = next < 0 ? end : read + 1 + next;
            ReadOnlySpan<byte> segment = path[(read + 1)..next];
            if (segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8))
            {
                if (segment.Length == 2 && written > 0)
                {
                    written = path[..written].LastIndexOf((byte)'/');
                }

                if (next == end)
                {
                    path[written++] = (byte)'/'; // a trailing "." or ".." leaves the directory
                }
            }
            else
            {
                path[read..next].CopyTo(path[written..]);
                written += next - read;
            }

            read = next;
        }

        path[end..].CopyTo(path[written..]);
        return written + path.Length - end;
    }

    private static int WriteAuthorityForm(ReadOnlySpan<byte> scheme, ReadOnlySpan<byte> rest, Span<byte> destination)
    {
        int pathStart = rest.IndexOfAny((byte)'/', (byte)'?');
        ReadOnlySpan<byte> authority = pathStart < 0 ? rest : rest[..pathStart];
        int at = authority.LastIndexOf((byte)'@');
        authority = at >= 0 ? authority[(at + 1)..] : authority; // userinfo is not part of the origin
        return Write(scheme, authority, pathStart < 0 ? default : rest[pathStart..], destination);
    }

    private static int Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> destination)
    {
        int length = a.Length + b.Length + c.Length;
        if (length > destination.Length || length > MaxLength)
        {
            return -1;
        }

        a.CopyTo(destination);
        b.CopyTo(destination[a.Length..]);
        c.CopyTo(destination[(a.Length + b.Length)..]);
        return length;
    }
}
