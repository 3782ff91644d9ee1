using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HttpGen.Parsing;

/// <summary>
/// Unaligned little-endian reads used by generated header-name matchers. A matcher switches on the name length first,
/// so every read here is known to be in bounds; the reads skip the span's bounds check for that reason.
/// </summary>
/// <remarks>
/// A name matches case-insensitively when <c>(Read(name, i) | mask) == lowercase</c>, where <c>mask</c> has 0x20 in
/// every byte position that holds a letter: OR-ing 0x20 folds 'A'–'Z' onto 'a'–'z' and leaves the other token bytes
/// compared exactly.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class HeaderNameMatching
{
    /// <summary>Reads 8 bytes at <paramref name="offset"/> as a little-endian <see cref="ulong"/>. The caller guarantees bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read64(ReadOnlySpan<byte> name, int offset)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(name), offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Reads 4 bytes at <paramref name="offset"/> as a little-endian <see cref="uint"/>. The caller guarantees bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read32(ReadOnlySpan<byte> name, int offset)
    {
        uint value = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(name), offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Reads 2 bytes at <paramref name="offset"/> as a little-endian <see cref="ushort"/>. The caller guarantees bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Read16(ReadOnlySpan<byte> name, int offset)
    {
        ushort value = Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(name), offset));
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Reads the byte at <paramref name="offset"/>. The caller guarantees bounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Read8(ReadOnlySpan<byte> name, int offset) => Unsafe.Add(ref MemoryMarshal.GetReference(name), offset);
}
