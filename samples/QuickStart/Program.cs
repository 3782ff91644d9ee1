// QuickStart: declare a request type, let HttpGen generate its parser, parse a few requests.
using System.Buffers;
using System.Text;
using HttpGen;

var request = new OrderRequest();

string[] inputs =
{
    "POST /orders?id=7 HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\nContent-Length: 12\r\nX-Request-Id: 42\r\n\r\n",
    "GET /orders HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: gzip\r\n\r\n",
    "GET /orders HTTP/1.1\r\nHost : shop.example\r\n\r\n",
};

foreach (string text in inputs)
{
    byte[] bytes = Encoding.ASCII.GetBytes(text);
    request.Reset();
    OperationStatus status = request.TryParse(bytes, out int consumed);
    Console.WriteLine(text.Split("\r\n")[0]);
    if (status == OperationStatus.Done)
    {
        Console.WriteLine($"  {request.Method} path={Ascii(request.Path)} query={Ascii(request.Query)} host={Ascii(request.Host)}");
        Console.WriteLine($"  content-type={request.ContentType} content-length={request.ContentLength} request-id={request.RequestId} body={request.BodyFraming.Kind} keep-alive={request.KeepAlive} ({consumed} bytes)");
    }
    else
    {
        Console.WriteLine($"  rejected: {request.Error.StatusCode} {request.Error.Reason} at offset {request.Error.Offset}");
    }
}

static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);

/// <summary>The request this program understands: HttpGen writes its parser at build time.</summary>
[HttpRequest]
public partial class OrderRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
    [HttpHeader("Content-Type")] public partial string? ContentType { get; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
    [HttpHeader("X-Request-Id")] public partial HeaderValue RequestId { get; }
}
