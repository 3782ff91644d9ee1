using System.Text;
using HttpGen.Formatting;

namespace HttpGen;

/// <summary>
/// Header lines to write besides the ones a message type declares: for proxies, echo servers and one-off headers.
/// Names and values are validated when added; lines are kept pre-encoded in a buffer that <see cref="Clear"/> keeps,
/// so adding headers allocates nothing once the buffer is big enough.
/// </summary>
/// <remarks>
/// The framing headers Content-Length, Transfer-Encoding and Connection cannot be added here: they are written from the
/// message's <c>BodyFraming</c> and <c>KeepAlive</c>, so that a head can never carry two framings.
/// </remarks>
public sealed class HeaderList
{
    private byte[] _buffer = new byte[256];
    private int _length;

    /// <summary>How many header lines were added.</summary>
    public int Count { get; private set; }

    /// <summary>Whether a Host line was added.</summary>
    public bool ContainsHost { get; private set; }

    /// <summary>Whether a Date line was added.</summary>
    public bool ContainsDate { get; private set; }

    /// <summary>The encoded lines, each <c>Name: value\r\n</c>.</summary>
    public ReadOnlySpan<byte> Lines => _buffer.AsSpan(0, _length);

    /// <summary>Adds a header line.</summary>
    /// <param name="name">The field name: a token.</param>
    /// <param name="value">The field value: no controls but HTAB, no surrounding white space.</param>
    /// <exception cref="ArgumentException">The name or value is invalid, or the name is a framing header.</exception>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        HeaderValidation.ValidateName(name);
        HeaderValidation.ValidateValue(value);
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) || Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            throw new ArgumentException("Content-Length, Transfer-Encoding and Connection are written from BodyFraming and KeepAlive; set those instead.", nameof(name));
        }

        Ensure(name.Length + value.Length + 4);
        name.CopyTo(_buffer.AsSpan(_length));
        _length += name.Length;
        ": "u8.CopyTo(_buffer.AsSpan(_length));
        _length += 2;
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
        "\r\n"u8.CopyTo(_buffer.AsSpan(_length));
        _length += 2;
        Count++;
        ContainsHost |= Ascii.EqualsIgnoreCase(name, "Host"u8);
        ContainsDate |= Ascii.EqualsIgnoreCase(name, "Date"u8);
    }

    /// <summary>Adds a header line from Latin-1 text.</summary>
    /// <param name="name">The field name: a token.</param>
    /// <param name="value">The field value.</param>
    /// <exception cref="ArgumentException">The name or value is invalid, or the name is a framing header.</exception>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        HeaderValidation.ValidateValue(value);
        Span<byte> nameBytes = name.Length <= 256 ? stackalloc byte[name.Length] : new byte[name.Length];
        Span<byte> valueBytes = value.Length <= 1024 ? stackalloc byte[value.Length] : new byte[value.Length];
        if (Encoding.Latin1.GetBytes(name, nameBytes) != name.Length || !Ascii.IsValid(name))
        {
            throw new ArgumentException("A header name must be ASCII.", nameof(name));
        }

        Encoding.Latin1.GetBytes(value, valueBytes);
        Add(nameBytes, valueBytes);
    }

    /// <summary>Removes every line, keeping the buffer.</summary>
    public void Clear()
    {
        _length = 0;
        Count = 0;
        ContainsHost = false;
        ContainsDate = false;
    }

    private void Ensure(int extra)
    {
        if (_buffer.Length - _length < extra)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
