using HttpGen;

namespace CachingProxy;

/// <summary>A request as the proxy receives it: every header line is forwarded, so all of them are enumerable.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class ProxyRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
}

/// <summary>The proxy's response: status and reason are set, every other field goes through ExtraHeaders.</summary>
[HttpResponse]
public partial class ProxyResponse
{
}

/// <summary>The request the proxy sends upstream: every field is an extra header, copied from the client's request.</summary>
[HttpRequest]
public partial class UpstreamRequest
{
}

/// <summary>The upstream's response: every header line is enumerable; Content-Length for HEAD answers (which have no body framing).</summary>
[HttpResponse(EnumerateAllHeaders = true)]
public partial class UpstreamResponse
{
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
}
