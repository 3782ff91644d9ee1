using HttpGen;
using HttpGen.Caching;

namespace CachingProxy;

/// <summary>
/// The parts of a request the cache and the upstream request are made of: method, authority, path and query, header
/// block. Read in place from the parsed request (<see cref="View"/>), or copied into a buffer of its own
/// (<see cref="Copy"/>) for whatever outlives the request head: the head's bytes sit in the server's receive buffer,
/// which reading the request body reuses.
/// </summary>
internal sealed class RequestParts
{
    private byte[] _buffer = new byte[1024];
    private int _method, _authority, _path, _block;

    /// <summary>The request as the cache sees it, over the parsed request's own bytes (valid until its body is read).</summary>
    public static CacheRequest View(ProxyRequest request, ReadOnlySpan<byte> defaultAuthority)
    {
        Split(request, defaultAuthority, out ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> path);
        return new CacheRequest(request.RawMethod, "http"u8, authority, path, BlockOf(request));
    }

    /// <summary>Copies the parts of <paramref name="request"/>.</summary>
    public void Copy(ProxyRequest request, ReadOnlySpan<byte> defaultAuthority)
    {
        Split(request, defaultAuthority, out ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> path);
        ReadOnlySpan<byte> method = request.RawMethod, block = BlockOf(request);
        int length = method.Length + authority.Length + path.Length + block.Length;
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, 2 * _buffer.Length)];
        }

        Span<byte> to = _buffer;
        method.CopyTo(to);
        authority.CopyTo(to[(_method = method.Length)..]);
        path.CopyTo(to[(_authority = _method + authority.Length)..]);
        block.CopyTo(to[(_path = _authority + path.Length)..]);
        _block = _path + block.Length;
    }

    public ReadOnlySpan<byte> Method => _buffer.AsSpan(0, _method);

    public ReadOnlySpan<byte> Authority => _buffer.AsSpan(_method, _authority - _method);

    /// <summary>The path and query: the origin-form target to send upstream.</summary>
    public ReadOnlySpan<byte> PathAndQuery => _buffer.AsSpan(_authority, _path - _authority);

    public ReadOnlySpan<byte> HeaderBlock => _buffer.AsSpan(_path, _block - _path);

    /// <summary>The request as the cache sees it, over the copy.</summary>
    public CacheRequest Cache => new(Method, "http"u8, Authority, PathAndQuery, HeaderBlock);

    // An origin-form target is the path and query and the authority is Host's; an absolute-form one holds both.
    private static void Split(ProxyRequest request, ReadOnlySpan<byte> defaultAuthority, out ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> path)
    {
        ReadOnlySpan<byte> target = request.Target;
        if (request.TargetForm == RequestTargetForm.Absolute)
        {
            ReadOnlySpan<byte> rest = target[(target.IndexOf("://"u8) + 3)..];
            int slash = rest.IndexOfAny((byte)'/', (byte)'?');
            authority = slash < 0 ? rest : rest[..slash];
            path = slash < 0 ? "/"u8 : rest[slash..];
            return;
        }

        ReadOnlySpan<byte> host = request.Host;
        authority = host.IsEmpty ? defaultAuthority : host;
        path = target;
    }

    private static ReadOnlySpan<byte> BlockOf<TRequest>(TRequest request)
        where TRequest : class, IHttpRequestHead<TRequest> => TRequest.State(request).HeaderBlock;
}
