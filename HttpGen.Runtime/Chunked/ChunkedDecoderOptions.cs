namespace HttpGen.Chunked;

/// <summary>
/// Limits for a <see cref="ChunkedDecoder"/>. Instances are immutable; share one across decoders.
/// The defaults accept every chunked body a well-behaved sender produces and bound what a hostile one can cost.
/// </summary>
/// <remarks>
/// <para>
/// Framing overhead: every byte of a chunked body that is not chunk data (chunk-size lines with their extensions and
/// CRLF, the CRLF after each chunk's data, the last-chunk line) is a framing byte. The trailer section is not: it has
/// its own limits. Decoding fails with <see cref="ParseErrorKind.ExcessiveChunkFraming"/> at the first framing byte
/// that takes the framing total above <c>decoded * <see cref="FramingBytesPerDataByte"/> + <see cref="FramingOverheadAllowance"/></c>,
/// where <c>decoded</c> is the chunk data read so far. A body of 4 KiB chunks has about 8 framing bytes per 4096 data
/// bytes and never comes near the limit; a flood of 1-byte chunks (5 framing bytes per data byte) is stopped after
/// roughly <see cref="FramingOverheadAllowance"/>/4 chunks.
/// </para>
/// </remarks>
public sealed class ChunkedDecoderOptions
{
    /// <summary>
    /// The defaults: 1 KiB of extensions per chunk-size line, 8 KiB and 32 fields of trailers, framing at most one byte
    /// per data byte plus 16 KiB, no limit on the body size.
    /// </summary>
    public static ChunkedDecoderOptions Default { get; } = new();

    /// <summary>
    /// Most bytes of chunk extensions on one chunk-size line: every byte after the last hex digit of the chunk-size up
    /// to (not including) the line's CR, white space included (<see cref="ParseErrorKind.ChunkExtensionTooLong"/>).
    /// Zero rejects every extension. Default 1024, far above the longest extension in real use (signatures of about
    /// 80 bytes).
    /// </summary>
    public int MaxChunkExtensionLength { get; init => field = NotNegative(value); } = 1024;

    /// <summary>
    /// Longest trailer section in bytes, from the first byte after the last-chunk line through the blank line that
    /// ends the section, so at least 2 (<see cref="ParseErrorKind.TrailerSectionTooLarge"/>). Default 8192.
    /// </summary>
    public int MaxTrailerSectionLength { get; init => field = value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The trailer section limit counts the final CRLF and must be at least 2."); } = 8 * 1024;

    /// <summary>Most trailer field lines (<see cref="ParseErrorKind.TooManyTrailers"/>). Zero rejects every trailer. Default 32.</summary>
    public int MaxTrailerCount { get; init => field = NotNegative(value); } = 32;

    /// <summary>
    /// Framing bytes allowed per decoded data byte, on top of <see cref="FramingOverheadAllowance"/>
    /// (<see cref="ParseErrorKind.ExcessiveChunkFraming"/>). Default 1. See the remarks on this class.
    /// </summary>
    public int FramingBytesPerDataByte { get; init => field = NotNegative(value); } = 1;

    /// <summary>
    /// Framing bytes allowed whatever the data, for example the chunk-size lines of a body that is still empty.
    /// Default 16384. <see cref="long.MaxValue"/> turns the framing check off.
    /// </summary>
    public long FramingOverheadAllowance { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The allowance cannot be negative."); } = 16 * 1024;

    /// <summary>
    /// Most decoded bytes (the sum of the chunk sizes), or null for no limit (<see cref="ParseErrorKind.ChunkedBodyTooLarge"/>, 413).
    /// A chunk-size that would take the body past the limit is rejected as soon as its digits are read, before any of its data.
    /// </summary>
    public long? MaxBodySize { get; init => field = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The body size limit cannot be negative."); }

    private static int NotNegative(int value) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A limit cannot be negative.");
}
