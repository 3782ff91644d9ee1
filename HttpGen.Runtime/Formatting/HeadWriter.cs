using System.ComponentModel;
using System.Text;

namespace HttpGen.Formatting;

/// <summary>
/// Writes a message head into a span for generated <c>TryFormat</c> methods. Every write checks space; once one does
/// not fit, the rest are skipped and <see cref="TryComplete"/> reports failure, so callers need no checks in between.
/// </summary>
/// <remarks>
/// Values were validated when they were set, but some are views of memory the caller still owns (a
/// <see cref="HeaderValue"/> made from a buffer, the values and request line of a parsed head): the caller may have
/// changed it since. Those bytes are checked again once copied into the destination, where nobody else can change
/// them: a CR, LF, NUL or other control byte there is refused with <see cref="InvalidOperationException"/>, and header
/// injection stays impossible. Bytes only HttpGen holds (constants, the copies setters make, a HeaderValue made from a
/// string) cannot have changed and are not checked twice. The check scans bytes just written and allocates nothing.
/// </remarks>
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
    /// <exception cref="InvalidOperationException">The method is not a token, or the target holds a byte no target may hold.</exception>
    public void WriteRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target) => WriteRequestLine(method, target, checkMethod: true, checkTarget: true);

    // A check is left out for bytes nobody else can have changed (a constant, or a copy made when they were set).
    internal void WriteRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, bool checkMethod, bool checkTarget)
    {
        Span<byte> written = Copy(method);
        if (checkMethod)
        {
            CheckAllIn(written, Parsing.HttpCharacters.Token, "The method"u8);
        }

        Write(" "u8);
        written = Copy(target);
        if (checkTarget)
        {
            CheckAllIn(written, Parsing.HttpCharacters.Target, "The request-target"u8);
        }

        Write(" HTTP/1.1\r\n"u8);
    }

    /// <summary>Writes <c>HTTP/1.1 SP status SP reason CRLF</c>.</summary>
    /// <exception cref="InvalidOperationException">The reason phrase holds a control byte other than HTAB.</exception>
    public void WriteStatusLine(int statusCode, ReadOnlySpan<byte> reason) => WriteStatusLine(statusCode, reason, checkReason: true);

    // `checkReason` false: a reason phrase nobody else can change (a standard one, or a copy made when it was set).
    internal void WriteStatusLine(int statusCode, ReadOnlySpan<byte> reason, bool checkReason)
    {
        Write("HTTP/1.1 "u8);
        WriteDecimal(statusCode);
        Write(" "u8);
        Span<byte> written = Copy(reason);
        if (checkReason)
        {
            CheckFieldValue(written, "The reason phrase"u8);
        }

        Write("\r\n"u8);
    }

    /// <summary>Writes <c>nameColonSpace value CRLF</c>, where the first argument is a pre-encoded <c>"Name: "u8</c>.</summary>
    /// <exception cref="InvalidOperationException">The value holds a control byte other than HTAB.</exception>
    public void WriteHeader(ReadOnlySpan<byte> nameColonSpace, ReadOnlySpan<byte> value) => WriteHeader(nameColonSpace, value, check: true);

    // `check` false: bytes nobody else can have changed since they were validated (HeaderBytes.IsOwned).
    internal void WriteHeader(ReadOnlySpan<byte> nameColonSpace, ReadOnlySpan<byte> value, bool check)
    {
        Write(nameColonSpace);
        Span<byte> written = Copy(value);
        if (check)
        {
            CheckFieldValue(written, nameColonSpace);
        }

        Write("\r\n"u8);
    }

    /// <summary>Writes a header whose value is Latin-1 text.</summary>
    /// <exception cref="InvalidOperationException">The value holds a control character other than HTAB.</exception>
    public void WriteHeader(ReadOnlySpan<byte> nameColonSpace, string value)
    {
        Write(nameColonSpace);
        int start = _position;
        WriteLatin1(value);
        CheckFieldValue(_overflow ? default : _destination[start.._position], nameColonSpace);
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

    // Writes caller-owned bytes and returns the copy (empty once out of room: the head is written again, bigger).
    private Span<byte> Copy(ReadOnlySpan<byte> bytes)
    {
        int start = _position;
        Write(bytes);
        return _overflow ? default : _destination[start.._position];
    }

    // Checks a field value or reason phrase already in the destination: no control byte but HTAB, no DEL. Most values
    // are visible ASCII and SP, which one range scan confirms; anything else is looked at byte by byte.
    private static void CheckFieldValue(Span<byte> written, ReadOnlySpan<byte> what)
    {
        if (!IsVisibleAscii(written))
        {
            int bad = written.IndexOfAny(Parsing.HttpCharacters.FieldValueStop);
            if (bad >= 0)
            {
                ThrowChanged(what, written[bad]);
            }
        }
    }

    // SP and visible ASCII only. A short value is checked in a loop here: cheaper than a call for a few bytes.
    private static bool IsVisibleAscii(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 16)
        {
            return bytes.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0;
        }

        foreach (byte b in bytes)
        {
            if ((uint)(b - ' ') > '~' - ' ')
            {
                return false;
            }
        }

        return true;
    }

    // Checks a method or target already in the destination: every byte in `allowed`. Inlined, so that the search is
    // bound to the static SearchValues the caller passes.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void CheckAllIn(Span<byte> written, System.Buffers.SearchValues<byte> allowed, ReadOnlySpan<byte> what)
    {
        int bad = written.IndexOfAnyExcept(allowed);
        if (bad >= 0)
        {
            ThrowChanged(what, written[bad]);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowChanged(ReadOnlySpan<byte> what, byte bad)
    {
        string name = Encoding.Latin1.GetString(what);
        name = name.EndsWith(": ", StringComparison.Ordinal) ? "The value of " + name[..^2] : name;
        throw new InvalidOperationException(
            $"{name} holds byte 0x{bad:X2}, which cannot be written: the memory behind it was changed after it was set or parsed. " +
            "Memory given to a setter (HeaderValue.Create) and a parsed buffer must stay unchanged until the head is written.");
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
