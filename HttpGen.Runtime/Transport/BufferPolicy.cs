using System.Buffers;

namespace HttpGen.Transport;

/// <summary>
/// Where connection buffers come from: the shared pool up to 1 MiB, a plain array beyond. A pooled array stays with
/// the pool after the load that needed it is gone, which is right for the small buffers every request uses and wrong for
/// the occasional large body: those are left to the garbage collector, so memory goes back once the load stops.
/// </summary>
internal static class BufferPolicy
{
    /// <summary>The largest array taken from, and given back to, the shared pool.</summary>
    public const int MaxPooled = 1024 * 1024;

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (its contents are undefined).</summary>
    public static byte[] Rent(int minimumLength) =>
        minimumLength <= MaxPooled ? ArrayPool<byte>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Gives back an array from <see cref="Rent"/>; empty arrays and large ones are simply dropped.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length > 0 && array.Length <= MaxPooled)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
