using System.Buffers.Text;

namespace HttpGen.Caching;

/// <summary>
/// Appends bytes to a caller's span and remembers whether everything fit: the writers of heads, fields and values
/// append without checking each step, then look at <see cref="Ok"/> once.
/// </summary>
internal ref struct ByteAppender(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    /// <summary>Bytes written so far.</summary>
    public int Length;

    /// <summary>False once something did not fit; nothing more is written after that.</summary>
    public bool Ok = true;

    /// <summary>The part of the destination not written yet.</summary>
    public readonly Span<byte> Rest => Ok ? _destination[Length..] : default;

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        if (Ok && bytes.TryCopyTo(_destination[Length..]))
        {
            Length += bytes.Length;
        }
        else
        {
            Ok = false;
        }
    }

    public void Number(long value)
    {
        if (Ok && Utf8Formatter.TryFormat(value, _destination[Length..], out int written))
        {
            Length += written;
        }
        else
        {
            Ok = false;
        }
    }

    /// <summary>Counts bytes a callee wrote into <see cref="Rest"/>, or fails the whole write.</summary>
    public void Advance(bool written, int length)
    {
        if (Ok && written)
        {
            Length += length;
        }
        else
        {
            Ok = false;
        }
    }

    /// <summary>A header line: <c>name: value CRLF</c>.</summary>
    public void Field(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
    {
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
    }

    /// <summary>The result: the length when everything fit, otherwise 0 and false.</summary>
    public readonly bool Finish(out int bytesWritten)
    {
        bytesWritten = Ok ? Length : 0;
        return Ok;
    }
}
