using Microsoft.CodeAnalysis;
using Xunit;

namespace HttpGen.Tests.Generator;

/// <summary>The generated code for representative declarations, compared with reviewed snapshots.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("ContractRequest", """
        using System;
        using HttpGen;
        namespace Shop;
        [HttpRequest]
        public partial class OrderRequest
        {
            [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
            [HttpHeader("Content-Type")] public partial string? ContentType { get; }
            [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
            [HttpHeader("X-Request-Id")] public partial HeaderValue RequestId { get; }
        }
        """)]
    [InlineData("EveryPropertyKind", """
        using System;
        using HttpGen;
        namespace Edge.Proxy;
        [HttpRequest(EnumerateAllHeaders = true)]
        internal partial class ProxyRequest
        {
            [HttpHeader("host")] internal partial HeaderValue Host { get; }
            [HttpHeader("Connection")] public partial string? Connection { get; }
            [HttpHeader("Max-Forwards")] public partial int? MaxForwards { get; }
            [HttpHeader("X-Offset")] public partial long? Offset { get; }
            [HttpHeader("DNT")] public partial bool DoNotTrack { get; }
            [HttpHeader("Accept")] public partial ReadOnlySpan<byte> Accept { get; }
            [HttpHeader("Accept-Encoding")] public partial ReadOnlySpan<byte> AcceptEncoding { get; }
            [HttpHeader("A")] public partial ReadOnlySpan<byte> A { get; }
            [HttpHeader("TE")] public partial ReadOnlySpan<byte> TE { get; }
        }
        """)]
    [InlineData("LimitsAndNoHeaders", """
        using HttpGen;
        namespace Tiny;
        [HttpRequest(MaxRequestLineLength = 1024, MaxHeaderBlockLength = 4096, MaxHeaderCount = 16, MaxFieldNameLength = 64, MaxFieldValueLength = 2048, AllowBareLineFeed = true)]
        public sealed partial class PingRequest
        {
        }
        """)]
    [InlineData("GlobalNamespaceWithOtherMembers", """
        using System;
        using HttpGen;
        [HttpRequest]
        public partial class PlainRequest
        {
            public int NotAHeader { get; set; }
            public void Handle() { }
            [HttpHeader("User-Agent")] public partial string? UserAgent { get; }
            [HttpHeader("Cookie")] public partial HeaderValue Cookie { get; }
        }
        """)]
    [InlineData("ContractResponse", """
        using HttpGen;
        namespace Shop;
        [HttpResponse]
        public partial class OrderResponse
        {
            [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
            [HttpHeader("ETag")] public partial string? ETag { get; set; }
            [HttpHeader("Cache-Control")] public partial HeaderValue CacheControl { get; set; }
            [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
            [HttpHeader("Retry-After")] public partial int? RetryAfter { get; set; }
        }
        """)]
    [InlineData("ClientRequestWithSetters", """
        using System;
        using HttpGen;
        namespace Client;
        [HttpRequest]
        public partial class FetchRequest
        {
            [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
            [HttpHeader("Accept")] public partial string? Accept { get; set; }
            [HttpHeader("Upgrade-Insecure-Requests")] public partial bool UpgradeInsecure { get; set; }
            [HttpHeader("Connection")] public partial HeaderValue Connection { get; }
        }
        """)]
    [InlineData("TypedResponse", """
        using System;
        using HttpGen;
        using HttpGen.Caching;
        namespace Cdn;
        [HttpResponse]
        public partial class CachedResponse
        {
            [HttpHeader("Last-Modified")] public partial DateTimeOffset? LastModified { get; set; }
            [HttpHeader("Expires")] public partial DateTimeOffset? Expires { get; }
            [HttpHeader("Cache-Control")] public partial CacheControl CacheControl { get; set; }
            [HttpHeader("ETag")] public partial EntityTag ETag { get; set; }
        }
        """)]
    [InlineData("TypedRequest", """
        using System;
        using HttpGen;
        using HttpGen.Caching;
        namespace Cdn;
        [HttpRequest]
        public partial class ConditionalRequest
        {
            [HttpHeader("Host")] public partial HeaderValue Host { get; set; }
            [HttpHeader("If-Modified-Since")] public partial DateTimeOffset? IfModifiedSince { get; set; }
            [HttpHeader("Cache-Control")] public partial CacheControl CacheControl { get; }
            [HttpHeader("If-Range")] public partial EntityTag IfRange { get; }
        }
        """)]
    public void Generated_code_matches_snapshot(string name, string source)
    {
        var (result, compilationDiagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(compilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        Snapshot.Verify(name, $"// {generated.HintName}\n{generated.SourceText}");
    }
}
