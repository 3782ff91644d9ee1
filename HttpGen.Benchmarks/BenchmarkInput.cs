using System.Text;

namespace HttpGen.Benchmarks;

/// <summary>How the requests of one benchmark invocation are laid out.</summary>
public enum Layout
{
    /// <summary>A buffer holding exactly one request, parsed <see cref="BenchmarkInput.RequestsPerInvoke"/> times.</summary>
    Single,

    /// <summary>One buffer holding <see cref="BenchmarkInput.RequestsPerInvoke"/> copies back to back, parsed front to back.</summary>
    Pipelined16,
}

/// <summary>
/// One input file laid out for a benchmark, plus what a correct parser must find in it. The expectations come from a
/// naive string split of the file, independent of every contender, so a broken contender cannot confirm itself.
/// </summary>
public sealed class BenchmarkInput
{
    /// <summary>Requests handled per benchmark invocation in both layouts; the benchmarks divide by it.</summary>
    public const int RequestsPerInvoke = 16;

    private BenchmarkInput(string name, Layout layout, byte[] request, byte[] buffer, int headerCount, Dictionary<string, string> headers, string method, string target)
    {
        Name = name;
        Layout = layout;
        Request = request;
        Buffer = buffer;
        HeaderCount = headerCount;
        Headers = headers;
        Method = method;
        Target = target;
    }

    /// <summary>The input's name: the file name without ".http".</summary>
    public string Name { get; }

    /// <summary>The layout of <see cref="Buffer"/>.</summary>
    public Layout Layout { get; }

    /// <summary>One request, byte for byte the input file.</summary>
    public byte[] Request { get; }

    /// <summary>
    /// The bytes every contender parses, on the pinned object heap so native code can read them in place:
    /// one request for <see cref="Layout.Single"/>, <see cref="RequestsPerInvoke"/> copies for <see cref="Layout.Pipelined16"/>.
    /// </summary>
    public byte[] Buffer { get; }

    /// <summary>Length of one request in bytes, blank line included.</summary>
    public int RequestLength => Request.Length;

    /// <summary>Header lines in one request.</summary>
    public int HeaderCount { get; }

    /// <summary>Header values by lower-case name (the first occurrence of each).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The method of the request line.</summary>
    public string Method { get; }

    /// <summary>The request-target of the request line.</summary>
    public string Target { get; }

    /// <summary>The value of header <paramref name="name"/>, or null when the request has none.</summary>
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out string? value) ? value : null;

    /// <summary>Loads <c>Inputs/<paramref name="name"/>.http</c> from the application directory.</summary>
    public static BenchmarkInput Load(string name, Layout layout)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Inputs", name + ".http");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Benchmark input '{path}' is missing: the project copies Inputs/*.http to its output directory.", path);
        }

        byte[] request = File.ReadAllBytes(path);
        int copies = layout == Layout.Single ? 1 : RequestsPerInvoke;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(request.Length * copies, pinned: true);
        for (int i = 0; i < copies; i++)
        {
            request.CopyTo(buffer, i * request.Length);
        }

        // The naive reading: lines split on CRLF, the request line, then "name: value" up to the blank line.
        string text = Encoding.Latin1.GetString(request);
        if (!text.EndsWith("\r\n\r\n", StringComparison.Ordinal) || text.IndexOf("\r\n\r\n", StringComparison.Ordinal) != text.Length - 4)
        {
            throw new InvalidDataException($"{path} must hold exactly one request head ending in one blank line.");
        }

        string[] lines = text[..^4].Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>();
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.TryAdd(line[..colon].ToLowerInvariant(), line[(colon + 1)..].Trim(' ', '\t'));
        }

        return new BenchmarkInput(name, layout, request, buffer, lines.Length - 1, headers, requestLine[0], requestLine[1]);
    }
}
