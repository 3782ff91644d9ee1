using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace HttpGen.Benchmarks;

/// <summary>
/// Request-head parsing, per request, over the same bytes for every contender. Each invocation handles
/// <see cref="BenchmarkInput.RequestsPerInvoke"/> requests in both layouts and reports the time of one
/// (<c>OperationsPerInvoke</c>): <see cref="Layout.Single"/> parses a one-request buffer that many times,
/// <see cref="Layout.Pipelined16"/> walks a buffer of that many copies, each parse starting where the last ended.
/// </summary>
/// <remarks>
/// Every contender returns a checksum built from what it parsed (bytes consumed plus a count or a length), and its
/// [GlobalSetup] runs it once and compares that checksum, and the parsed values, with a naive reading of the input:
/// a contender that skips work or parses wrongly fails its setup instead of reporting a fast number.
/// </remarks>
[MemoryDiagnoser]
public class RequestParseBenchmarks
{
    private const int N = BenchmarkInput.RequestsPerInvoke;
    private const int MaxHeaders = 100;

    private BenchmarkInput _input = null!;
    private byte[] _buffer = null!;
    private ReadOnlyMemory<byte> _memory;
    private bool _pipelined;
    private BenchmarkRequest _request = null!;
    private PhrHeader[] _phrHeaders = null!;

    /// <summary>The input file: <c>small</c> (164 B, 3 headers) or <c>browser</c> (723 B, 10 headers).</summary>
    [Params("small", "browser")]
    public string Input { get; set; } = "small";

    /// <summary>One request per buffer, or 16 pipelined in one buffer.</summary>
    [Params(Layout.Single, Layout.Pipelined16)]
    public Layout Layout { get; set; }

    // ---------------------------------------------------------------- HttpGen

    [GlobalSetup(Target = nameof(HttpGen))]
    public void SetupHttpGen()
    {
        Setup();
        _request = new BenchmarkRequest();

        // The values, once, against the naive reading.
        BenchmarkRequest r = _request;
        r.Reset();
        Check(r.TryParse(_input.Request, out int consumed) == OperationStatus.Done, $"HttpGen did not parse the request: {r.Error}");
        Check(consumed == _input.RequestLength, $"HttpGen consumed {consumed} bytes of {_input.RequestLength}");
        Check(Encoding.Latin1.GetString(r.RawMethod) == _input.Method && Encoding.Latin1.GetString(r.Target) == _input.Target, "HttpGen read the request line wrongly");
        CheckHeader("Host", r.Host);
        CheckHeader("Connection", r.Connection);
        CheckHeader("Content-Type", r.ContentType);
        CheckHeader("Accept", r.Accept);
        CheckHeader("User-Agent", r.UserAgent);
        CheckHeader("Cookie", r.Cookie);
        Check(r.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) == _input.Header("Content-Length"), "HttpGen read Content-Length wrongly");

        // The benchmark body itself: every request parsed to its exact end.
        var method = Enum.Parse<RequestMethod>(_input.Method, ignoreCase: true);
        Check(r.Method == method, $"HttpGen classified {_input.Method} as {r.Method}");
        Expect(nameof(HttpGen), HttpGen(), N * (_input.RequestLength + (int)method));
    }

    /// <summary>The generated parser: Reset, then TryParse, per request.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public int HttpGen()
    {
        BenchmarkRequest request = _request;
        ReadOnlyMemory<byte> memory = _memory;
        bool pipelined = _pipelined;
        int offset = 0;
        int checksum = 0;
        for (int i = 0; i < N; i++)
        {
            request.Reset();
            if (request.TryParse(memory[offset..], out int consumed) != OperationStatus.Done)
            {
                Failed(nameof(HttpGen), i);
            }

            checksum += consumed + (int)request.Method;
            offset += pipelined ? consumed : 0;
        }

        return checksum;
    }

    // ---------------------------------------------------------------- picohttpparser

    [GlobalSetup(Target = nameof(PicoHttpParser))]
    public unsafe void SetupPicoHttpParser()
    {
        if (!Benchmarks.PicoHttpParser.IsAvailable)
        {
            // Program leaves this benchmark out when the library is missing; this is for runs that bypass it.
            Console.WriteLine(Benchmarks.PicoHttpParser.InstallHint);
            throw new InvalidOperationException(Benchmarks.PicoHttpParser.InstallHint);
        }

        Setup();
        _phrHeaders = GC.AllocateArray<PhrHeader>(MaxHeaders, pinned: true);

        // The values, once, against the naive reading.
        fixed (byte* buf = _input.Request)
        fixed (PhrHeader* headers = _phrHeaders)
        {
            byte* method;
            byte* path;
            nuint methodLength, pathLength, headerCount = MaxHeaders;
            int minor;
            int result = Benchmarks.PicoHttpParser.ParseRequest(buf, (nuint)_input.RequestLength, &method, &methodLength, &path, &pathLength, &minor, headers, &headerCount, 0);
            Check(result == _input.RequestLength, $"picohttpparser returned {result} for a {_input.RequestLength}-byte request");
            Check(Latin1(method, methodLength) == _input.Method && Latin1(path, pathLength) == _input.Target && minor == 1, "picohttpparser read the request line wrongly");
            Check((int)headerCount == _input.HeaderCount, $"picohttpparser found {headerCount} headers, not {_input.HeaderCount}");
            for (int h = 0; h < (int)headerCount; h++)
            {
                string name = Latin1(headers[h].Name, headers[h].NameLength);
                Check(_input.Header(name) == Latin1(headers[h].Value, headers[h].ValueLength), $"picohttpparser read header {name} wrongly");
            }
        }

        Expect(nameof(PicoHttpParser), PicoHttpParser(), N * (_input.RequestLength + _input.HeaderCount));
    }

    /// <summary>picohttpparser's <c>phr_parse_request</c> (native, through [LibraryImport] with no GC transition).</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public unsafe int PicoHttpParser()
    {
        bool pipelined = _pipelined;
        int length = _buffer.Length;
        int offset = 0;
        int checksum = 0;
        fixed (byte* buf = _buffer)
        fixed (PhrHeader* headers = _phrHeaders)
        {
            for (int i = 0; i < N; i++)
            {
                byte* method;
                byte* path;
                nuint methodLength, pathLength, headerCount = MaxHeaders;
                int minor;
                int consumed = Benchmarks.PicoHttpParser.ParseRequest(buf + offset, (nuint)(length - offset), &method, &methodLength, &path, &pathLength, &minor, headers, &headerCount, 0);
                if (consumed <= 0)
                {
                    Failed(nameof(PicoHttpParser), i);
                }

                checksum += consumed + (int)headerCount;
                offset += pipelined ? consumed : 0;
            }
        }

        return checksum;
    }

    // ---------------------------------------------------------------- floors

    [GlobalSetup(Target = nameof(IndexOfLineFeedPerLine))]
    public void SetupIndexOfLineFeedPerLine()
    {
        Setup();

        // Request line, each header line and the blank line.
        Expect(nameof(IndexOfLineFeedPerLine), IndexOfLineFeedPerLine(), N * (_input.RequestLength + _input.HeaderCount + 2));
    }

    /// <summary>Floor: one <c>IndexOf((byte)'\n')</c> per line, up to the blank line. Finds lines, validates nothing.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int IndexOfLineFeedPerLine()
    {
        ReadOnlySpan<byte> buffer = _buffer;
        bool pipelined = _pipelined;
        int offset = 0;
        int checksum = 0;
        for (int i = 0; i < N; i++)
        {
            int position = offset;
            int lines = 0;
            while (true)
            {
                int lineFeed = buffer[position..].IndexOf((byte)'\n');
                if (lineFeed < 0)
                {
                    Failed(nameof(IndexOfLineFeedPerLine), i);
                }

                lines++;
                position += lineFeed + 1;
                if (lineFeed <= 1)
                {
                    // "\r\n" alone: the blank line that ends the head.
                    break;
                }
            }

            int consumed = position - offset;
            checksum += consumed + lines;
            offset += pipelined ? consumed : 0;
        }

        return checksum;
    }

    [GlobalSetup(Target = nameof(IndexOfBlankLine))]
    public void SetupIndexOfBlankLine()
    {
        Setup();
        Expect(nameof(IndexOfBlankLine), IndexOfBlankLine(), N * _input.RequestLength);
    }

    /// <summary>Floor: one <c>IndexOf("\r\n\r\n"u8)</c> per request. Finds the end of the head, nothing else.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int IndexOfBlankLine()
    {
        ReadOnlySpan<byte> buffer = _buffer;
        bool pipelined = _pipelined;
        int offset = 0;
        int checksum = 0;
        for (int i = 0; i < N; i++)
        {
            int end = buffer[offset..].IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                Failed(nameof(IndexOfBlankLine), i);
            }

            int consumed = end + 4;
            checksum += consumed;
            offset += pipelined ? consumed : 0;
        }

        return checksum;
    }

    // ---------------------------------------------------------------- helpers

    private void Setup()
    {
        _input = BenchmarkInput.Load(Input, Layout);
        _buffer = _input.Buffer;
        _memory = _buffer;
        _pipelined = Layout == Layout.Pipelined16;
    }

    private void CheckHeader(string name, ReadOnlySpan<byte> actual) =>
        Check(Encoding.Latin1.GetString(actual) == (_input.Header(name) ?? ""), $"HttpGen read {name} as '{Encoding.Latin1.GetString(actual)}', not '{_input.Header(name)}'");

    private void CheckHeader(string name, HeaderValue actual) =>
        Check(actual.IsPresent == (_input.Header(name) is not null) && actual.ToString() == (_input.Header(name) ?? ""), $"HttpGen read {name} as '{actual}', not '{_input.Header(name)}'");

    private static unsafe string Latin1(byte* bytes, nuint length) => Encoding.Latin1.GetString(bytes, (int)length);

    private void Expect(string contender, int actual, int expected) =>
        Check(actual == expected, $"{contender} returned checksum {actual}, expected {expected} for {Input}/{Layout}: it did not parse every request");

    private static void Check([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Failed(string contender, int request) =>
        throw new InvalidOperationException($"{contender} failed to parse request {request} of the buffer.");
}
