using System.ComponentModel;

namespace HttpGen.Formatting;

/// <summary>
/// Per-message storage for values set from spans (which a class cannot hold): bytes are appended to one array that the
/// message keeps across <c>Reset</c>, so setting values allocates nothing once the array is big enough. When the array
/// grows, values already handed out keep pointing into the old one, which stays valid.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ValueArena
{
    private byte[]? _buffer;
    private int _used;

    /// <summary>Copies <paramref name="value"/> into the arena.</summary>
    /// <param name="value">The bytes.</param>
    /// <returns>The copy.</returns>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_buffer is null || _buffer.Length - _used < value.Length)
        {
            _buffer = new byte[Math.Max(256, Math.Max(value.Length, (_buffer?.Length ?? 0) * 2))];
            _used = 0;
        }

        Memory<byte> slot = _buffer.AsMemory(_used, value.Length);
        value.CopyTo(slot.Span);
        _used += value.Length;
        return slot;
    }

    /// <summary>Forgets every value, keeping the array for reuse.</summary>
    public void Clear() => _used = 0;
}
