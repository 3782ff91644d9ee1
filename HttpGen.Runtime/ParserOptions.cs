namespace HttpGen;

/// <summary>
/// Limits and switches for a generated parser. Instances are immutable; share one across parsers.
/// The defaults are strict RFC 9112 with limits in line with common servers.
/// </summary>
public sealed class ParserOptions
{
    /// <summary>The runtime defaults: 8 KiB request line, 32 KiB header block, 100 header lines, strict line endings.</summary>
    public static ParserOptions Default { get; } = new();

    /// <summary>Longest request line or status line, in bytes, CRLF included (414 for a request; 501 when its method alone runs past it). Default 8192.</summary>
    public int MaxRequestLineLength { get; init => field = Positive(value); } = 8 * 1024;

    /// <summary>Longest header block in bytes, from the first header line through the blank line (431). Default 32768.</summary>
    public int MaxHeaderBlockLength { get; init => field = Positive(value); } = 32 * 1024;

    /// <summary>Most header lines (431). Default 100.</summary>
    public int MaxHeaderCount { get; init => field = Positive(value); } = 100;

    /// <summary>Longest field name in bytes (431). Default 256.</summary>
    public int MaxFieldNameLength { get; init => field = Positive(value); } = 256;

    /// <summary>Longest field value in bytes, after trimming (431). Default 16384.</summary>
    public int MaxFieldValueLength { get; init => field = Positive(value); } = 16 * 1024;

    /// <summary>
    /// Lenient switch, off by default: accept a bare LF as the end of the start line and of header lines
    /// (RFC 9112 §2.2 allows a recipient to). A bare CR is an error either way.
    /// </summary>
    public bool AllowBareLineFeed { get; init; }

    private static int Positive(int value) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A limit must be greater than zero.");
}
