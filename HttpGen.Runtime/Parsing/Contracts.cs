using System.ComponentModel;

namespace HttpGen.Parsing;

/// <summary>Where a value lies in the head buffer: an offset from the head's first byte and a length.</summary>
/// <param name="Start">Offset from the first byte of the head.</param>
/// <param name="Length">Length in bytes.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct HeaderRange(int Start, int Length);

/// <summary>
/// The value of a declared header as generated code keeps it: where it lies in the parsed head, or the memory a setter
/// was given. A parsed value is kept as a range, never as a view, because the caller may pass the same bytes in another
/// buffer on every call: the value is read from the buffer of the latest call, when it is read.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct HeaderBytes
{
    private readonly ReadOnlyMemory<byte> _set;

    // A parsed value's place; for a set value, Length -1 marks memory nobody else can write (see IsOwned).
    private readonly HeaderRange _parsed;

    private HeaderBytes(ReadOnlyMemory<byte> set, HeaderRange parsed)
    {
        _set = set;
        _parsed = parsed;
    }

    /// <summary>A value that lies at <paramref name="range"/> in the parsed head.</summary>
    /// <param name="range">Where the trimmed value lies.</param>
    /// <returns>The stored value.</returns>
    public static HeaderBytes Parsed(HeaderRange range) => new(default, range);

    /// <summary>A <see cref="HeaderValue"/> given to a setter.</summary>
    /// <param name="value">The value; its memory is owned when it was made from a string.</param>
    /// <returns>The stored value.</returns>
    public static HeaderBytes Set(HeaderValue value) => new(value.Memory, value.IsOwned ? Owned : default);

    /// <summary>A copy the message made of bytes given to a setter (its value arena): memory nobody else holds.</summary>
    /// <param name="copy">The copy.</param>
    /// <returns>The stored value.</returns>
    public static HeaderBytes Copied(ReadOnlyMemory<byte> copy) => new(copy, Owned);

    private static HeaderRange Owned => new(0, -1);

    /// <summary>
    /// Whether the bytes are in memory that only HttpGen holds (a copy, or a value made from a string): nothing can
    /// change them after they were validated, so writing them needs no second check. Parsed values, and values made from
    /// the caller's buffer, are views of memory the caller may change: they are checked as they are written.
    /// </summary>
    public bool IsOwned => _parsed.Length < 0;

    // An empty set value and an empty parsed one read the same: nothing.
    internal ReadOnlyMemory<byte> Resolve(ReadOnlyMemory<byte> head) =>
        !_set.IsEmpty || _parsed.Length < 0 ? _set : head.Slice(_parsed.Start, _parsed.Length);
}

/// <summary>
/// Implemented by the struct the generator emits for each message type: it recognises the type's header names and
/// stores their values. The parser is generic over it, so the JIT specializes the header loop for every message type.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IHeaderSink
{
    /// <summary>Maps a field name to its id: one of <see cref="KnownHeaderIds"/>, a declared header's id, or -1.</summary>
    /// <param name="name">The field name as received (any case).</param>
    /// <returns>The id, or -1 for a header the type does not care about.</returns>
    int MatchName(ReadOnlySpan<byte> name);

    /// <summary>Stores the value of a matched header.</summary>
    /// <param name="id">The id <see cref="MatchName"/> returned.</param>
    /// <param name="range">Where the trimmed value lies in the head.</param>
    /// <param name="value">The trimmed value bytes.</param>
    /// <returns><see cref="ParseErrorKind.None"/>, or the error that rejects the message.</returns>
    ParseErrorKind OnHeader(int id, HeaderRange range, ReadOnlySpan<byte> value);
}

/// <summary>
/// Ids of the headers that frame a message. Every generated name matcher recognises these whether or not the type
/// declares them, because the parser needs them to delimit the body; declared headers get ids from <see cref="FirstDeclared"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KnownHeaderIds
{
    /// <summary>Host</summary>
    public const int Host = 0;
    /// <summary>Content-Length</summary>
    public const int ContentLength = 1;
    /// <summary>Transfer-Encoding</summary>
    public const int TransferEncoding = 2;
    /// <summary>Connection</summary>
    public const int Connection = 3;
    /// <summary>Expect (the server answers 100-continue only when the handler reads the body)</summary>
    public const int Expect = 4;
    /// <summary>The first id the generator gives to a declared header that is not one of the above.</summary>
    public const int FirstDeclared = 5;
}
