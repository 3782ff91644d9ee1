using System.ComponentModel;
using System.Runtime.InteropServices;
using HttpGen.Caching;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Messages;

/// <summary>
/// A header read as an HTTP-date (<c>DateTimeOffset?</c> properties): parsed on first read in any of the three forms of
/// RFC 9110 §5.6.7, written as an IMF-fixdate. A value that is not an HTTP-date reads as null and does not reject the
/// message (RFC 9110 §5.6.7 and RFC 9111 §4.2 ask recipients to treat such dates as absent or in the past).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct DateSlot
{
    private const byte Unread = 0, Valid = 1, Invalid = 2;

    private BytesSlot _bytes;   // the parsed value, or the formatted one set
    private DateTimeOffset _value;
    private byte _state;

    /// <summary>Whether the header was parsed (valid or not) or set.</summary>
    public readonly bool IsPresent => _bytes.IsPresent;

    /// <summary>Keeps a parsed value; the first line of a repeated header wins.</summary>
    /// <param name="range">Where the trimmed value lies in the head.</param>
    /// <returns>Always <see cref="ParseErrorKind.None"/>.</returns>
    public ParseErrorKind Keep(HeaderRange range) => _bytes.Keep(range);

    /// <summary>The date, parsed once from <paramref name="head"/>; null when absent or not an HTTP-date.</summary>
    internal DateTimeOffset? Get(ReadOnlyMemory<byte> head)
    {
        if (!_bytes.IsPresent)
        {
            return null;
        }

        if (_state == Unread)
        {
            _state = HttpDate.TryParse(_bytes.Bytes.Resolve(head).Span, out _value) ? Valid : Invalid;
        }

        return _state == Valid ? _value : null;
    }

    /// <summary>Sets the date, in UTC and truncated to the second as it is written; null removes the header.</summary>
    internal void Set(DateTimeOffset? value, ref ValueArena arena)
    {
        if (value is not { } date)
        {
            this = default;
            return;
        }

        long ticks = date.UtcTicks;
        _value = new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        _state = Valid;
        Span<byte> formatted = stackalloc byte[HttpDate.FormattedLength];
        HttpDate.TryFormat(_value, formatted, out int length);
        _bytes.SetOwned(arena.Copy(formatted[..length]), present: true);
    }

    /// <summary>Writes the header line when the header is present: the parsed bytes, or the date set.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="nameColonSpace">The encoded <c>"Name: "</c>.</param>
    /// <param name="head">The head of the latest parse call.</param>
    public readonly void Write(ref HeadWriter writer, ReadOnlySpan<byte> nameColonSpace, ReadOnlyMemory<byte> head) =>
        _bytes.Write(ref writer, nameColonSpace, head);
}

/// <summary>
/// A header read as <see cref="CacheControl"/> directives: parsed leniently (<see cref="CacheControl.Parse"/>) on first
/// read; several lines of the header read as one value, as if joined with commas (RFC 9110 §5.3,
/// <see cref="CacheControl.Combine"/>). Absent reads as <c>default</c>, no directives.
/// </summary>
/// <remarks>
/// The first line is kept as a range and parsed when read; a line after it is parsed as it comes (repeated lines are
/// rare) and combined with the lines after the first, which <see cref="CacheControl.Combine"/> allows since combining
/// is associative. So a message whose directives nobody reads costs no parsing.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CacheControlSlot
{
    private BytesSlot _first;     // the first line, or the formatted value set
    private CacheControl _rest;   // the lines after the first, combined
    private CacheControl _value;  // valid when _known
    private bool _repeated;
    private bool _known;

    /// <summary>Whether the header was parsed or set.</summary>
    public readonly bool IsPresent => _first.IsPresent;

    /// <summary>Keeps a parsed line: the first as a range, any later one parsed and combined.</summary>
    /// <param name="range">Where the trimmed value lies in the head.</param>
    /// <param name="value">The trimmed value.</param>
    /// <returns>Always <see cref="ParseErrorKind.None"/>: a malformed directive is skipped, never an error.</returns>
    public ParseErrorKind Keep(HeaderRange range, ReadOnlySpan<byte> value)
    {
        if (!_first.IsPresent)
        {
            return _first.Keep(range);
        }

        CacheControl line = CacheControl.Parse(value);
        _rest = _repeated ? CacheControl.Combine(_rest, line) : line;
        _repeated = true;
        _known = false; // read before this line arrived (a head that came in several calls): combine again
        return ParseErrorKind.None;
    }

    /// <summary>The directives, parsed once; <c>default</c> when absent.</summary>
    internal CacheControl Get(ReadOnlyMemory<byte> head)
    {
        if (!_known)
        {
            _value = Combined(head);
            _known = true;
        }

        return _value;
    }

    private readonly CacheControl Combined(ReadOnlyMemory<byte> head)
    {
        if (_known || !_first.IsPresent)
        {
            return _value;
        }

        CacheControl first = CacheControl.Parse(_first.Bytes.Resolve(head).Span);
        return _repeated ? CacheControl.Combine(first, _rest) : first;
    }

    /// <summary>Sets the directives, formatted now; no directives (<c>default</c>) removes the header.</summary>
    internal void Set(CacheControl value, ref ValueArena arena)
    {
        this = default;
        _value = value;
        _known = true;
        if (!value.IsEmpty)
        {
            Span<byte> buffer = stackalloc byte[MaxFormattedLength];
            _first.SetOwned(arena.Copy(Format(value, buffer)), present: true);
        }
    }

    // Every directive CacheControl keeps, with the largest arguments, fits in well under this.
    private const int MaxFormattedLength = 512;

    private static ReadOnlySpan<byte> Format(CacheControl value, Span<byte> buffer)
    {
        if (!value.TryFormat(buffer, out int length))
        {
            throw new InvalidOperationException("Cache-Control directives longer than " + MaxFormattedLength + " bytes.");
        }

        return buffer[..length];
    }

    /// <summary>
    /// Writes the header line when the header is present: one line as received or set, or, for a parsed header of several
    /// lines, one line of the combined directives.
    /// </summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="nameColonSpace">The encoded <c>"Name: "</c>.</param>
    /// <param name="head">The head of the latest parse call.</param>
    public readonly void Write(ref HeadWriter writer, ReadOnlySpan<byte> nameColonSpace, ReadOnlyMemory<byte> head)
    {
        if (!_repeated)
        {
            _first.Write(ref writer, nameColonSpace, head);
            return;
        }

        Span<byte> buffer = stackalloc byte[MaxFormattedLength];
        ReadOnlySpan<byte> formatted = Format(Combined(head), buffer);
        // HeadWriter copies the value at once, but its parameters are not marked scoped: say so to the compiler.
        writer.WriteHeader(nameColonSpace, MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetReference(formatted), formatted.Length), check: false);
    }
}
