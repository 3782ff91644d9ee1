using System.ComponentModel;
using System.Text;

namespace HttpGen.Formatting;

/// <summary>
/// Writes a message head into a span for generated <c>TryFormat</c> methods. Every write checks space; once one does
/// not fit, the rest are skipped and <see cref="TryComplete"/> reports failure, so callers need no checks in between.
/// Values are written as given: they were validated when they were set.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct HeadWriter
{
    private readonly Span<byte> _destination;
    private int _position;
    private bool _overflow;

    /// <summary>Starts writing at the beginning of <paramref name="destination"/>.</summary>
    public HeadWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
        _overflow = false;
    }

    /// <summary>Writes raw bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_overflow || !bytes.TryCopyTo(_destination[_position..]))
        {
            _overflow = true;
            return;
        }

        _position += bytes.Length;
    }

    /// <summary>Writes a non-negative number in decimal.</summary>
    public void WriteDecimal(long value)
    {
        if (_overflow || !value.TryFormat(_destination[_position..], out int written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            _overflow = true;
            return;
        }

        _position += written;
    }

    /// <summary>Writes Latin-1 text (already validated).</summary>
    public void WriteLatin1(string text)
    {
        if (_overflow || _destination.Length - _position < text.Length)
        {
            _overflow = true;
            return;
        }

        _position += Encoding.Latin1.GetBytes(text, _destination[_position..]);
    }

    /// <summary>Writes <c>method SP target SP HTTP/1.1 CRLF</c>.</summary>
    public void WriteRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target)
    {
        Write(method);
        Write(" "u8);
        Write(target);
        Write(" HTTP/1.1\r\n"u8);
    }

    /// <summary>Writes <c>HTTP/1.1 SP status SP reason CRLF</c>.</summary>
    public void WriteStatusLine(int statusCode, ReadOnlySpan<byte> reason)
    {
        Write("HTTP/1.1 "u8);
        WriteDecimal(statusCode);
        Write(" "u8);
        Write(reason);
        Write("\r\n"u8);
    }

    /// <summary>Writes <c>nameColonSpace value CRLF</c>, where the first argument is a pre-encoded <c>"Name: "u8</c>.</summary>
    public void WriteHeader(ReadOnlySpan<byte> nameColonSpace, ReadOnlySpan<byte> value)
    {
        Write(nameColonSpace);
        Write(value);
        Write("\r\n"u8);
    }

    /// <summary>Writes a header whose value is Latin-1 text.</summary>
    public void WriteHeader(ReadOnlySpan<byte> nameColonSpace, string value)
    {
        Write(nameColonSpace);
        WriteLatin1(value);
        Write("\r\n"u8);
    }

    /// <summary>Writes a header whose value is a number.</summary>
    public void WriteHeader(ReadOnlySpan<byte> nameColonSpace, long value)
    {
        Write(nameColonSpace);
        WriteDecimal(value);
        Write("\r\n"u8);
    }

    /// <summary>
    /// Writes the framing headers: Content-Length or Transfer-Encoding from <paramref name="framing"/>, then
    /// <c>Connection: close</c> when the connection will not be kept.
    /// </summary>
    /// <param name="framing">The body framing.</param>
    /// <param name="keepAlive">Whether the connection stays open.</param>
    /// <param name="statusCode">For a response, its status code; 0 for a request.</param>
    public void WriteFraming(BodyFraming framing, bool keepAlive, int statusCode)
    {
        bool response = statusCode != 0;
        switch (framing.Kind)
        {
            case BodyKind.ContentLength:
                WriteHeader("Content-Length: "u8, framing.ContentLength);
                break;
            case BodyKind.Chunked:
                Write("Transfer-Encoding: chunked\r\n"u8);
                break;
            case BodyKind.None when response && !ReasonPhrases.ForbidsBody(statusCode):
                // Without a length a response body would run to the end of the connection: say it is empty.
                Write("Content-Length: 0\r\n"u8);
                break;
        }

        if (!keepAlive || framing.Kind == BodyKind.ReadToClose)
        {
            Write("Connection: close\r\n"u8);
        }
    }

    /// <summary>Writes the blank line that ends the head.</summary>
    /// <param name="bytesWritten">The head's length, or 0 when it did not fit.</param>
    /// <returns>False when the destination was too small.</returns>
    public bool TryComplete(out int bytesWritten)
    {
        Write("\r\n"u8);
        bytesWritten = _overflow ? 0 : _position;
        return !_overflow;
    }
}
