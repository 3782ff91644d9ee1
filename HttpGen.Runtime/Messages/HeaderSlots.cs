using System.ComponentModel;
using System.Runtime.CompilerServices;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Messages;

// The storage of one declared header, one struct per kind of property. Generated code keeps one field of one of these
// per [HttpHeader] property, in a struct that MessageCore resets with `= default`: default is "absent". Each slot keeps
// what the parser handed it (Keep), what a setter gave it (Set) and writes itself (Write); reading a value that lies in
// the parsed head goes through MessageCore, which knows the buffer of the latest parse call.

/// <summary>
/// A header kept as bytes (<see cref="ReadOnlySpan{T}"/> of bytes and <see cref="HeaderValue"/> properties): the range
/// of a parsed value, or the memory a setter was given. The first occurrence of a repeated header wins.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct BytesSlot
{
    private HeaderBytes _bytes;
    private bool _present;

    /// <summary>Whether the header was parsed or set.</summary>
    public readonly bool IsPresent => _present;

    internal readonly HeaderBytes Bytes => _bytes;

    /// <summary>Keeps a parsed value, unless an earlier line of the same header was kept.</summary>
    /// <param name="range">Where the trimmed value lies in the head.</param>
    /// <returns>Always <see cref="ParseErrorKind.None"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ParseErrorKind Keep(HeaderRange range)
    {
        if (!_present)
        {
            _present = true;
            _bytes = HeaderBytes.Parsed(range);
        }

        return ParseErrorKind.None;
    }

    /// <summary>Sets a <see cref="HeaderValue"/> (validated when it was made); an absent one removes the header.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(HeaderValue value)
    {
        _bytes = HeaderBytes.Set(value);
        _present = value.IsPresent;
    }

    /// <summary>Sets bytes the message owns (a copy in its arena); <paramref name="present"/> false removes the header.</summary>
    internal void SetOwned(ReadOnlyMemory<byte> copy, bool present)
    {
        _bytes = HeaderBytes.Copied(copy);
        _present = present;
    }

    /// <summary>Writes the header line when the header is present.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="nameColonSpace">The encoded <c>"Name: "</c>.</param>
    /// <param name="head">The head of the latest parse call, where parsed values lie.</param>
    public readonly void Write(ref HeadWriter writer, ReadOnlySpan<byte> nameColonSpace, ReadOnlyMemory<byte> head)
    {
        if (_present)
        {
            // Parsed values and HeaderValues made from the caller's memory are checked again as they are written.
            writer.WriteHeader(nameColonSpace, _bytes.Resolve(head).Span, check: !_bytes.IsOwned);
        }
    }
}

/// <summary>A header read as a <see cref="string"/>: decoded as Latin-1 on first read, or set as text.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct StringSlot
{
    private BytesSlot _bytes;
    private string? _text; // decoded on first read, or set

    /// <summary>Whether the header was parsed or set.</summary>
    public readonly bool IsPresent => _text is not null || _bytes.IsPresent;

    /// <summary>Keeps a parsed value; see <see cref="BytesSlot.Keep"/>.</summary>
    /// <param name="range">Where the trimmed value lies in the head.</param>
    /// <returns>Always <see cref="ParseErrorKind.None"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ParseErrorKind Keep(HeaderRange range) => _bytes.Keep(range);

    /// <summary>The value, decoded once from <paramref name="head"/>; null when absent.</summary>
    internal string? Get(ReadOnlyMemory<byte> head) =>
        _text ?? (_bytes.IsPresent ? _text = System.Text.Encoding.Latin1.GetString(_bytes.Bytes.Resolve(head).Span) : null);

    /// <summary>Sets the value (validated here); null removes the header.</summary>
    /// <param name="value">The text.</param>
    /// <exception cref="ArgumentException">The text cannot be a field value.</exception>
    public void Set(string? value)
    {
        if (value is not null)
        {
            HeaderValidation.ValidateValue(value, nameof(value));
        }

        _text = value;
        _bytes = default;
    }

    /// <summary>Writes the header line when the header is present.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="nameColonSpace">The encoded <c>"Name: "</c>.</param>
    /// <param name="head">The head of the latest parse call.</param>
    public readonly void Write(ref HeadWriter writer, ReadOnlySpan<byte> nameColonSpace, ReadOnlyMemory<byte> head)
    {
        if (_text is not null)
        {
            writer.WriteHeader(nameColonSpace, _text);
        }
        else
        {
            _bytes.Write(ref writer, nameColonSpace, head);
        }
    }
}

/// <summary>
/// A header read as a number (<c>long?</c> and <c>int?</c> properties): strict decimal digits, parsed as the head is.
/// A repeated or malformed one rejects the message: two different numbers for one field leave no safe choice.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct NumberSlot
{
    private long _value;
    private bool _present;

    /// <summary>Whether the header was parsed or set.</summary>
    public readonly bool IsPresent => _present;

    /// <summary>The number as a <c>long?</c>; null when absent.</summary>
    public readonly long? Int64 => _present ? _value : null;

    /// <summary>The number as an <c>int?</c>; null when absent (a kept value always fits).</summary>
    public readonly int? Int32 => _present ? (int)_value : null;

    /// <summary>Parses and keeps a value that must fit in a <see cref="long"/>.</summary>
    /// <param name="value">The trimmed value.</param>
    /// <returns>None, or why the message is rejected.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ParseErrorKind KeepInt64(ReadOnlySpan<byte> value) => Keep(value, long.MaxValue);

    /// <summary>Parses and keeps a value that must fit in an <see cref="int"/>.</summary>
    /// <param name="value">The trimmed value.</param>
    /// <returns>None, or why the message is rejected.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ParseErrorKind KeepInt32(ReadOnlySpan<byte> value) => Keep(value, int.MaxValue);

    private ParseErrorKind Keep(ReadOnlySpan<byte> value, long max)
    {
        if (_present)
        {
            return ParseErrorKind.DuplicateNumericHeader;
        }

        if (!HeaderValueParsing.TryParseDecimal(value, out _value) || _value > max)
        {
            return ParseErrorKind.InvalidNumericHeader;
        }

        _present = true;
        return ParseErrorKind.None;
    }

    /// <summary>Sets the number; null removes the header.</summary>
    /// <param name="value">The number.</param>
    /// <exception cref="ArgumentOutOfRangeException">The number is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(long? value)
    {
        if (value < 0)
        {
            ThrowNegative(value.GetValueOrDefault());
        }

        _value = value.GetValueOrDefault();
        _present = value.HasValue;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNegative(long value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, "A numeric header cannot be negative.");

    /// <summary>Writes the header line when the header is present.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="nameColonSpace">The encoded <c>"Name: "</c>.</param>
    public readonly void Write(ref HeadWriter writer, ReadOnlySpan<byte> nameColonSpace)
    {
        if (_present)
        {
            writer.WriteHeader(nameColonSpace, _value);
        }
    }
}

/// <summary>A header whose presence is all that counts (<c>bool</c> properties); written with an empty value.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct PresenceSlot
{
    /// <summary>Whether the header was parsed or set.</summary>
    public bool IsPresent;

    /// <summary>Notes that the header was present.</summary>
    /// <returns>Always <see cref="ParseErrorKind.None"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ParseErrorKind Keep()
    {
        IsPresent = true;
        return ParseErrorKind.None;
    }

    /// <summary>Writes the header line, with an empty value, when the header is present.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="nameColonSpace">The encoded <c>"Name: "</c>.</param>
    public readonly void Write(ref HeadWriter writer, ReadOnlySpan<byte> nameColonSpace)
    {
        if (IsPresent)
        {
            writer.WriteHeader(nameColonSpace, ReadOnlySpan<byte>.Empty, check: false);
        }
    }
}
