using System.Buffers;
using System.ComponentModel;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Messages;

/// <summary>
/// Implemented by the struct the generator emits in each message type for its declared headers: it recognises their
/// names, keeps their values as the head is parsed, and writes them. <see cref="MessageCore{TParser, THeaders}"/> is
/// generic over it, so the JIT compiles the header loop and the writer for every message type, with direct calls.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IDeclaredHeaders : IHeaderSink
{
    /// <summary>The limits the message attribute sets; <see cref="ParserOptions.Default"/> unless it sets any.</summary>
    static virtual ParserOptions DefaultOptions => ParserOptions.Default;

    /// <summary>Whether a declared Host header is present (an HTTP/1.1 request needs one to be written).</summary>
    bool HasHost { get; }

    /// <summary>Whether a declared Date header is present (a response then carries it instead of the current date).</summary>
    bool HasDate { get; }

    /// <summary>Writes the line of every declared header that is present, except the framing ones.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="head">The head of the latest parse call, where parsed values lie.</param>
    void Write(ref HeadWriter writer, ReadOnlyMemory<byte> head);
}

/// <summary>
/// What <see cref="MessageCore{TParser, THeaders}"/> needs from <see cref="RequestHeadParser"/> and
/// <see cref="ResponseHeadParser"/>: parsing into declared headers, the parsed bytes, and the two ends of writing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IMessageParser
{
    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>.</summary>
    OperationStatus Parse<TSink>(ReadOnlyMemory<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink;

    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>, which may span segments.</summary>
    OperationStatus Parse<TSink>(in ReadOnlySequence<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink;

    /// <summary>Forgets the parsed head and every value set. Keeps buffers.</summary>
    void Reset();

    /// <summary>The head bytes of the latest parse call: parsed values are ranges into them.</summary>
    ReadOnlyMemory<byte> Head { get; }

    /// <summary>The header lines of a fully parsed head through its blank line; empty before that.</summary>
    ReadOnlySpan<byte> HeaderBlock { get; }

    /// <summary>The body framing: parsed, or set for writing.</summary>
    BodyFraming Framing { get; set; }

    /// <summary>
    /// Writes the start line (and, for a response, the current Date line unless a declared or extra header gives one).
    /// </summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="extraHeaders">The extra headers to be written after the declared ones.</param>
    /// <param name="hasDeclaredHost">Whether a declared Host header will be written.</param>
    /// <param name="hasDeclaredDate">Whether a declared Date header will be written.</param>
    void WriteStart(ref HeadWriter writer, HeaderList? extraHeaders, bool hasDeclaredHost, bool hasDeclaredDate);

    /// <summary>Writes the extra headers, the framing headers and the blank line.</summary>
    bool TryWriteEnd(ref HeadWriter writer, HeaderList? extraHeaders, out int bytesWritten);
}
