using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    private Span<byte> _destination; // emptied, with the position, once a write does not fit: every later write fails too
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        int position = _position;
        if ((uint)bytes.Length > (uint)(_destination.Length - position))
        {
            Overflow();
            return;
        }

        // Inlined where the bytes are a constant, the copy is a few moves.
        Unsafe.CopyBlockUnaligned(ref At(position), ref MemoryMarshal.GetReference(bytes), (uint)bytes.Length);
        _position = position + bytes.Length;
    }

    /// <summary>Writes a non-negative number in decimal.</summary>
    public void WriteDecimal(long value)
    {
        if (value < 0)
        {
            WriteFormatted(value);
            return;
        }

        int digits = CountDigits((ulong)value);
        int position = _position;
        if (digits > _destination.Length - position)
        {
            Overflow();
            return;
        }

        WriteDigits(ref At(position + digits), (ulong)value);
        _position = position + digits;
    }

    private static int CountDigits(ulong value)
    {
        int digits = 1;
        for (; value >= 100; value /= 100)
        {
            digits += 2;
        }

        return value >= 10 ? digits + 1 : digits;
    }

    // Writes `value` in decimal so that its last digit lies just before `end`, two digits at a time.
    private static void WriteDigits(ref byte end, ulong value)
    {
        ref byte pairs = ref MemoryMarshal.GetReference(DigitPairs);
        while (value >= 100)
        {
            ulong quotient = value / 100;
            int pair = (int)(value - (quotient * 100));
            end = ref Unsafe.Subtract(ref end, 2);
            Unsafe.WriteUnaligned(ref end, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref pairs, pair * 2)));
            value = quotient;
        }

        if (value >= 10)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Subtract(ref end, 2), Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref pairs, (int)value * 2)));
        }
        else
        {
            Unsafe.Subtract(ref end, 1) = (byte)('0' + value);
        }
    }

    // "00", "01", ... "99".
    private static ReadOnlySpan<byte> DigitPairs => "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>Writes <c>Content-Length: n CRLF</c> with one bounds check.</summary>
    private void WriteContentLength(long value)
    {
        ReadOnlySpan<byte> name = "Content-Length: "u8;
        int position = _position;
        if (value < 0 || name.Length + 20 + 2 > _destination.Length - position)
        {
            WriteHeader(name, value);
            return;
        }

        int digits = CountDigits((ulong)value);
        ref byte at = ref At(position);
        Unsafe.CopyBlockUnaligned(ref at, ref MemoryMarshal.GetReference(name), (uint)name.Length);
        ref byte end = ref Unsafe.Add(ref at, name.Length + digits);
        WriteDigits(ref end, (ulong)value);
        WriteCrLf(ref end);
        _position = position + name.Length + digits + 2;
    }

    private void WriteFormatted(long value)
    {
        if (!value.TryFormat(_destination[_position..], out int written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            Overflow();
            return;
        }

        _position += written;
    }

    /// <summary>Writes Latin-1 text (already validated).</summary>
    public void WriteLatin1(string text)
    {
        if (_destination.Length - _position < text.Length)
        {
            Overflow();
            return;
        }

        _position += Encoding.Latin1.GetBytes(text, _destination[_position..]);
    }

    // The destination byte at `position`, which the caller has checked is in range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ref byte At(int position) => ref Unsafe.Add(ref MemoryMarshal.GetReference(_destination), (nint)(uint)position);

    private void Overflow()
    {
        _overflow = true;
        _destination = default;
        _position = 0;
    }

    // CR LF as one 16-bit store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteCrLf(ref byte at)
    {
        at = (byte)'\r';
        Unsafe.Add(ref at, 1) = (byte)'\n';
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

    /// <summary>Writes the status line of <paramref name="statusCode"/> with its standard reason phrase: one copy of a line encoded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteStandardStatusLine(int statusCode)
    {
        if (statusCode == 200)
        {
            // The usual one, a constant: copied by a few moves.
            Write("HTTP/1.1 200 OK\r\n"u8);
            return;
        }

        WriteTabledStatusLine(statusCode);
    }

    private void WriteTabledStatusLine(int statusCode)
    {
        byte[]? line = StatusLines.Get(statusCode);
        if (line is null)
        {
            WriteStatusLine(statusCode, ReasonPhrases.Get(statusCode), checkReason: false);
            return;
        }

        Write(line);
    }

    /// <summary>Writes the cached <c>Date</c> line of the current second (<see cref="HttpDate.HeaderLine"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteDateLine()
    {
        ReadOnlySpan<byte> line = HttpDate.HeaderLine;
        int position = _position;
        if (line.Length != HttpDate.LineLength || HttpDate.LineLength > _destination.Length - position)
        {
            Write(line);
            return;
        }

        // Its length is a constant: the copy is a few moves, not a call.
        Unsafe.CopyBlockUnaligned(ref At(position), ref MemoryMarshal.GetReference(line), HttpDate.LineLength);
        _position = position + HttpDate.LineLength;
    }

    /// <summary>Writes <c>nameColonSpace value CRLF</c>, where the first argument is a pre-encoded <c>"Name: "u8</c>.</summary>
    /// <exception cref="InvalidOperationException">The value holds a control byte other than HTAB.</exception>
    public void WriteHeader(ReadOnlySpan<byte> nameColonSpace, ReadOnlySpan<byte> value) => WriteHeader(nameColonSpace, value, check: true);

    // `check` false: bytes nobody else can have changed since they were validated (HeaderBytes.IsOwned). One bounds
    // check for the line; inlined where the name is a constant, its copy is a few moves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteHeader(ReadOnlySpan<byte> nameColonSpace, ReadOnlySpan<byte> value, bool check)
    {
        int position = _position;
        if ((long)nameColonSpace.Length + value.Length + 2 > _destination.Length - position)
        {
            Overflow();
            return;
        }

        ref byte at = ref At(position);
        Unsafe.CopyBlockUnaligned(ref at, ref MemoryMarshal.GetReference(nameColonSpace), (uint)nameColonSpace.Length);
        ref byte valueAt = ref Unsafe.Add(ref at, nameColonSpace.Length);
        Unsafe.CopyBlockUnaligned(ref valueAt, ref MemoryMarshal.GetReference(value), (uint)value.Length);
        if (check)
        {
            // The copy is checked, not the source: the caller cannot change it any more.
            CheckFieldValue(MemoryMarshal.CreateSpan(ref valueAt, value.Length), nameColonSpace);
        }

        WriteCrLf(ref Unsafe.Add(ref valueAt, value.Length));
        _position = position + nameColonSpace.Length + value.Length + 2;
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
                WriteContentLength(framing.ContentLength);
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
