using System.Text;

namespace HttpGen.Caching;

/// <summary>
/// What the cache needs to know of a request: its method, its target URI (scheme, authority, path and query), and its
/// header fields as a raw header block. A view over the caller's bytes: nothing is copied.
/// </summary>
/// <remarks>
/// The header block is the header lines of a head a parser has validated (each <c>Name: value</c> line ending in CRLF,
/// or LF where bare LF was allowed), optionally followed by the blank line; the request line must not be part of it.
/// A client has it after formatting its request head; a server or proxy has it in the buffer it parsed the request
/// from. <see cref="TryParse"/> splits a whole request head.
/// </remarks>
public readonly ref struct CacheRequest
{
    /// <summary>Describes a request.</summary>
    /// <param name="method">The method, case-sensitive (<c>GET</c>, <c>HEAD</c>, ...).</param>
    /// <param name="scheme"><c>http</c> or <c>https</c>.</param>
    /// <param name="authority">The target's <c>host[:port]</c> (the Host field of an origin-form request).</param>
    /// <param name="pathAndQuery">The path and query (<c>/a/b?c</c>); empty means <c>/</c>.</param>
    /// <param name="headerBlock">The header lines, without the request line.</param>
    public CacheRequest(ReadOnlySpan<byte> method, ReadOnlySpan<byte> scheme, ReadOnlySpan<byte> authority, ReadOnlySpan<byte> pathAndQuery, ReadOnlySpan<byte> headerBlock)
    {
        Method = method;
        Scheme = scheme;
        Authority = authority;
        PathAndQuery = pathAndQuery;
        HeaderBlock = headerBlock;
    }

    /// <summary>The method.</summary>
    public ReadOnlySpan<byte> Method { get; }

    /// <summary>The scheme of the target URI.</summary>
    public ReadOnlySpan<byte> Scheme { get; }

    /// <summary>The authority (<c>host[:port]</c>) of the target URI.</summary>
    public ReadOnlySpan<byte> Authority { get; }

    /// <summary>The path and query of the target URI.</summary>
    public ReadOnlySpan<byte> PathAndQuery { get; }

    /// <summary>The header lines.</summary>
    public ReadOnlySpan<byte> HeaderBlock { get; }

    /// <summary>
    /// Splits a validated request head (request line, header lines, blank line): an origin-form target takes its
    /// authority from the Host field, an absolute-form target (<c>http://host/path</c>) from itself.
    /// </summary>
    /// <param name="head">The request head.</param>
    /// <param name="scheme">The scheme the request arrived with (<c>http</c>, or <c>https</c> over TLS).</param>
    /// <param name="request">The request view.</param>
    /// <returns>False when the request line is not <c>METHOD SP target SP version</c>, or no authority is known.</returns>
    public static bool TryParse(ReadOnlySpan<byte> head, ReadOnlySpan<byte> scheme, out CacheRequest request)
    {
        request = default;
        int lf = head.IndexOf((byte)'\n');
        if (lf < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> line = head[..lf];
        line = line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
        ReadOnlySpan<byte> block = head[(lf + 1)..];
        int sp1 = line.IndexOf((byte)' ');
        int sp2 = sp1 < 0 ? -1 : line[(sp1 + 1)..].IndexOf((byte)' ');
        if (sp1 <= 0 || sp2 <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> method = line[..sp1];
        ReadOnlySpan<byte> target = line.Slice(sp1 + 1, sp2);
        if (target.Length > 0 && target[0] == (byte)'/')
        {
            if (!FieldScan.TryGetFirst(block, "Host"u8, out ReadOnlySpan<byte> host) || host.IsEmpty)
            {
                return false;
            }

            request = new CacheRequest(method, scheme, host, target, block);
            return true;
        }

        int colon = target.IndexOf("://"u8);
        if (colon <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = target[(colon + 3)..];
        int path = rest.IndexOfAny((byte)'/', (byte)'?');
        request = new CacheRequest(method, target[..colon], path < 0 ? rest : rest[..path], path < 0 ? default : rest[path..], block);
        return true;
    }

    internal bool IsGet => Method.SequenceEqual("GET"u8);

    internal bool IsHead => Method.SequenceEqual("HEAD"u8);

    /// <summary>Safe methods (RFC 9110 §9.2.1) that the cache knows; any other method is treated as unsafe (RFC 9111 §4.4).</summary>
    internal bool IsSafe => IsGet || IsHead || Method.SequenceEqual("OPTIONS"u8) || Method.SequenceEqual("TRACE"u8);
}

/// <summary>The request header fields the cache decides by, gathered in one pass over the header block.</summary>
internal ref struct RequestFacts
{
    public CacheControl Control;
    public bool HasCacheControl;
    public bool PragmaNoCache;
    public bool HasAuthorization;
    public bool HasRange;
    public bool HasOriginOnlyCondition; // If-Match, If-Unmodified-Since, If-Range: for the origin server (RFC 9111 §4.3.2)
    public bool HasIfNoneMatch;
    public bool HasIfModifiedSince;
    public ReadOnlySpan<byte> IfModifiedSince;

    /// <summary>The request's no-cache: <c>Cache-Control: no-cache</c>, or <c>Pragma: no-cache</c> without Cache-Control.</summary>
    public readonly bool NoCache => Control.NoCache || (!HasCacheControl && PragmaNoCache);

    /// <summary>Whether the client sent validators of its own.</summary>
    public readonly bool IsConditional => HasIfNoneMatch || HasIfModifiedSince || HasOriginOnlyCondition;

    public static RequestFacts Read(ReadOnlySpan<byte> headerBlock)
    {
        var facts = default(RequestFacts);
        var control = new CacheControl.Builder();
        foreach (HeaderField field in new HeaderFieldEnumerator(headerBlock))
        {
            ReadOnlySpan<byte> name = field.Name;
            switch (name.Length)
            {
                case 5 when Ascii.EqualsIgnoreCase(name, "Range"u8):
                    facts.HasRange = true;
                    break;
                case 6 when Ascii.EqualsIgnoreCase(name, "Pragma"u8):
                    facts.PragmaNoCache |= FieldScan.ValueListContains(field.Value, "no-cache"u8);
                    break;
                case 8 when Ascii.EqualsIgnoreCase(name, "If-Match"u8) || Ascii.EqualsIgnoreCase(name, "If-Range"u8):
                case 19 when Ascii.EqualsIgnoreCase(name, "If-Unmodified-Since"u8):
                    facts.HasOriginOnlyCondition = true;
                    break;
                case 13 when Ascii.EqualsIgnoreCase(name, "Cache-Control"u8):
                    facts.HasCacheControl = true;
                    control.Add(field.Value);
                    break;
                case 13 when Ascii.EqualsIgnoreCase(name, "Authorization"u8):
                    facts.HasAuthorization = true;
                    break;
                case 13 when Ascii.EqualsIgnoreCase(name, "If-None-Match"u8):
                    facts.HasIfNoneMatch = true;
                    break;
                case 17 when Ascii.EqualsIgnoreCase(name, "If-Modified-Since"u8):
                    if (!facts.HasIfModifiedSince)
                    {
                        facts.HasIfModifiedSince = true;
                        facts.IfModifiedSince = field.Value;
                    }

                    break;
            }
        }

        facts.Control = control.Build();
        return facts;
    }
}
