using System.Buffers;
using System.Text;
using HttpGen.Tests.Parsing;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// A request type with a declared header of every property kind, most of them headers the corpus carries, so that a
/// fuzzed input exercises the declared-header paths (spans, <see cref="HeaderValue"/>, strings, numbers, presence).
/// </summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class FuzzRequest : ITestRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
    [HttpHeader("User-Agent")] public partial string? UserAgent { get; }
    [HttpHeader("Accept")] public partial HeaderValue Accept { get; }
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
    [HttpHeader("Transfer-Encoding")] public partial ReadOnlySpan<byte> TransferEncoding { get; }
    [HttpHeader("Connection")] public partial string? Connection { get; }
    [HttpHeader("Expect")] public partial HeaderValue Expect { get; }
    [HttpHeader("Cookie")] public partial ReadOnlySpan<byte> Cookie { get; }
    [HttpHeader("Authorization")] public partial HeaderValue Authorization { get; }
    [HttpHeader("Upgrade")] public partial string? Upgrade { get; }
    [HttpHeader("Max-Forwards")] public partial int? MaxForwards { get; }
    [HttpHeader("DNT")] public partial bool DoNotTrack { get; }

    public string DescribeDeclared() =>
        $"Host={Show(Host)} User-Agent={Show(UserAgent)} Accept={Show(Accept)} Content-Type={Show(ContentType)} " +
        $"Content-Length={ContentLength?.ToString() ?? "-"} Transfer-Encoding={Show(TransferEncoding)} Connection={Show(Connection)} " +
        $"Expect={Show(Expect)} Cookie={Show(Cookie)} Authorization={Show(Authorization)} Upgrade={Show(Upgrade)} " +
        $"Max-Forwards={MaxForwards?.ToString() ?? "-"} DNT={DoNotTrack}";

    internal static string Show(ReadOnlySpan<byte> value) => "'" + Encoding.Latin1.GetString(value) + "'";

    internal static string Show(HeaderValue value) => value.IsPresent ? Show(value.Span) : "-";

    internal static string Show(string? value) => value is null ? "-" : "'" + value + "'";
}

/// <summary>A response type with declared headers of every kind.</summary>
[HttpResponse(EnumerateAllHeaders = true)]
public partial class FuzzResponse
{
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
    [HttpHeader("Transfer-Encoding")] public partial ReadOnlySpan<byte> TransferEncoding { get; }
    [HttpHeader("ETag")] public partial string? ETag { get; set; }
    [HttpHeader("Location")] public partial HeaderValue Location { get; set; }
    [HttpHeader("Set-Cookie")] public partial ReadOnlySpan<byte> SetCookie { get; set; }
    [HttpHeader("Connection")] public partial string? Connection { get; }
    [HttpHeader("Server")] public partial string? Server { get; set; }
    [HttpHeader("Retry-After")] public partial int? RetryAfter { get; set; }

    public string DescribeDeclared() =>
        $"Content-Type={FuzzRequest.Show(ContentType)} Content-Length={ContentLength?.ToString() ?? "-"} " +
        $"Transfer-Encoding={FuzzRequest.Show(TransferEncoding)} ETag={FuzzRequest.Show(ETag)} Location={FuzzRequest.Show(Location)} " +
        $"Set-Cookie={FuzzRequest.Show(SetCookie)} Connection={FuzzRequest.Show(Connection)} Server={FuzzRequest.Show(Server)} " +
        $"Retry-After={RetryAfter?.ToString() ?? "-"}";
}

/// <summary>Everything observable after a response parse, as plain values.</summary>
public sealed record ResponseOutcome(
    OperationStatus Status,
    int Consumed,
    ParseErrorKind ErrorKind,
    int ErrorOffset,
    ProtocolVersion Version,
    int StatusCode,
    string Reason,
    BodyFraming Framing,
    bool KeepAlive,
    string Headers,
    string Declared)
{
    public static ResponseOutcome Capture(FuzzResponse r, OperationStatus status, int consumed)
    {
        var headers = new StringBuilder();
        foreach (HeaderField field in r.Headers)
        {
            headers.Append(Outcome.Latin1(field.Name)).Append(": ").Append(Outcome.Latin1(field.Value)).Append('\n');
        }

        return new ResponseOutcome(
            status, consumed, r.Error.Kind, r.Error.Offset, r.Version, r.StatusCode, Outcome.Latin1(r.ReasonPhrase),
            r.BodyFraming, r.KeepAlive, headers.ToString(), r.DescribeDeclared());
    }

    /// <summary>Only what is parsed into values or read from the latest buffer, not the declared header values.</summary>
    public ResponseOutcome WithoutDeclared() => this with { Declared = "" };
}
