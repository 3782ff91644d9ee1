using System.Buffers;
using System.Text;

namespace HttpGen.Tests.Parsing;

/// <summary>
/// The members the conformance harness reads. Every generated request type already has them; the types below only
/// declare the interface so that one harness drives all of them.
/// </summary>
public interface ITestRequest
{
    ParserOptions Options { get; set; }

    OperationStatus TryParse(ReadOnlyMemory<byte> source, out int bytesConsumed);

    OperationStatus TryParse(in ReadOnlySequence<byte> source, out int bytesConsumed);

    void Reset();

    RequestMethod Method { get; }

    ReadOnlySpan<byte> RawMethod { get; }

    ReadOnlySpan<byte> Target { get; }

    RequestTargetForm TargetForm { get; }

    ReadOnlySpan<byte> Path { get; }

    ReadOnlySpan<byte> Query { get; }

    ProtocolVersion Version { get; }

    BodyFraming BodyFraming { get; }

    bool KeepAlive { get; }

    ParseError Error { get; }

    HeaderFieldEnumerator Headers { get; }

    /// <summary>The declared header properties, rendered as text (absent ones as "-").</summary>
    string DescribeDeclared();
}

/// <summary>The runtime defaults (strict, 8 KiB / 32 KiB / 100 lines), with a few declared headers of each kind.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class ConformanceRequest : ITestRequest
{
    [HttpHeader("Host")] public partial HeaderValue Host { get; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
    [HttpHeader("Transfer-Encoding")] public partial ReadOnlySpan<byte> TransferEncoding { get; }
    [HttpHeader("Connection")] public partial string? Connection { get; }
    [HttpHeader("X-Count")] public partial int? Count { get; }
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; }

    public string DescribeDeclared() =>
        $"Host={Show(Host)} Content-Length={ContentLength?.ToString() ?? "-"} Transfer-Encoding={Encoding.Latin1.GetString(TransferEncoding)} " +
        $"Connection={Connection ?? "-"} X-Count={Count?.ToString() ?? "-"} Content-Type={Show(ContentType)}";

    internal static string Show(HeaderValue value) => value.IsPresent ? "'" + value.ToString() + "'" : "-";
}

/// <summary>Small limits set through the attribute (the options are not touched at run time).</summary>
[HttpRequest(EnumerateAllHeaders = true, MaxRequestLineLength = 32, MaxHeaderBlockLength = 48, MaxHeaderCount = 3)]
public partial class TinyLimitsRequest : ITestRequest
{
    [HttpHeader("Host")] public partial HeaderValue Host { get; }

    public string DescribeDeclared() => $"Host={ConformanceRequest.Show(Host)}";
}

/// <summary>The lenient bare-LF switch set through the attribute.</summary>
[HttpRequest(EnumerateAllHeaders = true, AllowBareLineFeed = true)]
public partial class BareLineFeedRequest : ITestRequest
{
    [HttpHeader("Host")] public partial HeaderValue Host { get; }

    public string DescribeDeclared() => $"Host={ConformanceRequest.Show(Host)}";
}
