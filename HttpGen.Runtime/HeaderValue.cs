using System.Text;
using HttpGen.Parsing;

namespace HttpGen;

/// <summary>
/// The raw bytes of one header field value plus whether the field was present. A view, not a copy:
/// a parsed value stays valid until the message is reset or parsed again. Comparisons never allocate.
/// </summary>
public readonly struct HeaderValue : IEquatable<HeaderValue>
{
    private readonly ReadOnlyMemory<byte> _value;

    /// <summary>Wraps bytes that are already known to be a valid field value.</summary>
    /// <param name="value">The value bytes (OWS already trimmed).</param>
    /// <param name="isPresent">Whether the field was present.</param>
    /// <param name="isOwned">Whether the bytes are in an array only this value holds.</param>
    internal HeaderValue(ReadOnlyMemory<byte> value, bool isPresent, bool isOwned = false)
    {
        _value = value;
        IsPresent = isPresent;
        IsOwned = isOwned;
    }

    /// <summary>Wraps a value a generated parser has already validated. For generated code; use <see cref="Create(ReadOnlyMemory{byte})"/>.</summary>
    /// <param name="value">The trimmed value bytes.</param>
    /// <returns>A present value.</returns>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static HeaderValue FromParsed(ReadOnlyMemory<byte> value) => new(value, isPresent: true);

    /// <summary>An absent value.</summary>
    public static HeaderValue Absent => default;

    /// <summary>True when the header field was present (its value may still be empty).</summary>
    public bool IsPresent { get; }

    /// <summary>Whether the bytes are in an array only this value holds (made from a string): they cannot change.</summary>
    internal bool IsOwned { get; }

    /// <summary>The value bytes; empty when absent.</summary>
    public ReadOnlySpan<byte> Span => _value.Span;

    /// <summary>The value bytes as memory; empty when absent.</summary>
    public ReadOnlyMemory<byte> Memory => _value;

    /// <summary>The value length in bytes.</summary>
    public int Length => _value.Length;

    /// <summary>
    /// Creates a present value from bytes, validating them as a field value: no CR, LF, NUL or other control
    /// character except HTAB, and no leading or trailing white space. The bytes are not copied: writing a head checks
    /// them again, and refuses (<see cref="InvalidOperationException"/>) a value whose bytes were changed into a control byte.
    /// </summary>
    /// <param name="value">The value bytes.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The bytes cannot be a field value.</exception>
    public static HeaderValue Create(ReadOnlyMemory<byte> value)
    {
        int bad = HttpCharacters.IndexOfInvalidFieldValueByte(value.Span);
        if (bad >= 0)
        {
            throw new ArgumentException($"A header value cannot hold byte 0x{value.Span[bad]:X2} (offset {bad}).", nameof(value));
        }

        if (value.Length > 0 && (HttpCharacters.IsWhitespace(value.Span[0]) || HttpCharacters.IsWhitespace(value.Span[^1])))
        {
            throw new ArgumentException("A header value cannot start or end with white space.", nameof(value));
        }

        return new HeaderValue(value, isPresent: true);
    }

    /// <summary>Creates a present value from a string, encoded as Latin-1 and validated as in <see cref="Create(ReadOnlyMemory{byte})"/>.</summary>
    /// <param name="value">The value text; every character must be in the range U+0000–U+00FF.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The text cannot be a field value.</exception>
    public static HeaderValue Create(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (char c in value)
        {
            if (c > 0xFF)
            {
                throw new ArgumentException("A header value must be Latin-1 text.", nameof(value));
            }
        }

        HeaderValue checkedValue = Create(Encoding.Latin1.GetBytes(value));
        return new HeaderValue(checkedValue.Memory, isPresent: true, isOwned: true);
    }

    /// <summary>Compares the value with <paramref name="other"/> byte for byte.</summary>
    /// <param name="other">The bytes to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ReadOnlySpan<byte> other) => Span.SequenceEqual(other);

    /// <summary>Compares the value with <paramref name="other"/>, ignoring ASCII case.</summary>
    /// <param name="other">The bytes to compare with.</param>
    /// <returns>True when equal apart from ASCII case.</returns>
    public bool EqualsIgnoreCase(ReadOnlySpan<byte> other) => System.Text.Ascii.EqualsIgnoreCase(Span, other);

    /// <summary>Whether the value starts with <paramref name="prefix"/>, ignoring ASCII case.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>True when it does.</returns>
    public bool StartsWithIgnoreCase(ReadOnlySpan<byte> prefix) =>
        Span.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(Span[..prefix.Length], prefix);

    /// <inheritdoc/>
    public bool Equals(HeaderValue other) => IsPresent == other.IsPresent && Span.SequenceEqual(other.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is HeaderValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    /// <summary>The value decoded as Latin-1 (allocates); empty when absent.</summary>
    /// <returns>The value text.</returns>
    public override string ToString() => Encoding.Latin1.GetString(Span);

    /// <summary>Equality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(HeaderValue left, HeaderValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(HeaderValue left, HeaderValue right) => !left.Equals(right);
}
