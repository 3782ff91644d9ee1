using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using HttpGen.Chunked;

namespace HttpGen.Benchmarks;

/// <summary>The response type of the response benchmarks: the headers a client typically reads.</summary>
[HttpResponse]
public partial class BenchmarkResponse
{
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
    [HttpHeader("Cache-Control")] public partial HeaderValue CacheControl { get; set; }
    [HttpHeader("ETag")] public partial HeaderValue ETag { get; set; }
    [HttpHeader("Server")] public partial HeaderValue Server { get; set; }
}

/// <summary>
/// Response heads and chunked bodies: parse a typical response head (about 200 bytes, 6 headers), write one (status
/// line, cached Date, declared headers, framing), and decode a 64 KiB chunked body sent in 4 KiB chunks.
/// </summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private static readonly HeaderValue TextHtml = HeaderValue.Create("text/html; charset=utf-8");
    private static readonly HeaderValue NoCache = HeaderValue.Create("no-cache");
    private static readonly HeaderValue Tag = HeaderValue.Create("\"33a64df551425fcc55e4d42a148795d9f25f89d4\"");
    private static readonly HeaderValue ServerName = HeaderValue.Create("httpgen");

    private readonly BenchmarkResponse _parser = new();
    private readonly BenchmarkResponse _writer = new();
    private readonly ChunkedDecoder _decoder = new();
    private byte[] _responseHead = [];
    private byte[] _chunkedBody = [];
    private readonly byte[] _headOut = new byte[1024];
    private readonly byte[] _bodyOut = new byte[64 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        _responseHead = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nDate: Thu, 26 Nov 2026 07:04:31 GMT\r\nContent-Type: text/html; charset=utf-8\r\n" +
            "Content-Length: 1256\r\nCache-Control: max-age=604800\r\nETag: \"33a64df551425fcc55e4d42a148795d9f25f89d4\"\r\nServer: nginx/1.22.1\r\n\r\n");

        var chunked = new ArrayBufferWriter<byte>();
        byte[] data = new byte[4096];
        new Random(1).NextBytes(data);
        for (int i = 0; i < 16; i++)
        {
            ChunkedEncoder.WriteChunk(chunked, data);
        }

        ChunkedEncoder.WriteLastChunk(chunked);
        _chunkedBody = chunked.WrittenSpan.ToArray();

        // Refuse to measure a contender that does not do the work.
        if (ParseResponseHead() != 1256 || WriteResponseHead() < 150 || DecodeChunked64K() != 64 * 1024)
        {
            throw new InvalidOperationException("a message benchmark does not produce what it should");
        }
    }

    [Benchmark]
    public long ParseResponseHead()
    {
        _parser.Reset();
        _parser.TryParse(_responseHead, out _);
        return _parser.ContentLength ?? -1;
    }

    [Benchmark]
    public int WriteResponseHead()
    {
        _writer.Reset();
        _writer.StatusCode = 200;
        _writer.ContentType = TextHtml;
        _writer.CacheControl = NoCache;
        _writer.ETag = Tag;
        _writer.Server = ServerName;
        _writer.ContentLength = 1256;
        _writer.TryFormat(_headOut, out int written);
        return written;
    }

    [Benchmark]
    public long DecodeChunked64K()
    {
        _decoder.Reset();
        ReadOnlySpan<byte> source = _chunkedBody;
        long total = 0;
        while (true)
        {
            OperationStatus status = _decoder.Decode(source, _bodyOut, out int consumed, out int written);
            total += written;
            source = source[consumed..];
            if (status != OperationStatus.DestinationTooSmall)
            {
                return status == OperationStatus.Done ? total : -1;
            }
        }
    }
}
