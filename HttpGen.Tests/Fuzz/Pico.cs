using System.Runtime.InteropServices;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// picohttpparser's <c>phr_parse_request</c> from Debian's <c>libh2o0.13</c>, bound without unsafe code (the test
/// project does not allow it): the buffer is pinned by the marshaller, pointers come back as addresses and are turned
/// into offsets of that buffer. The benchmarks have their own, pointer-based binding for speed.
/// </summary>
internal static class Pico
{
    public const string Library = "libh2o.so.0.13";
    public const string LibraryPath = "/usr/lib/x86_64-linux-gnu/libh2o.so.0.13";

    /// <summary>More header lines than HttpGen's default limit (100), so that pico's own limit never decides.</summary>
    public const int MaxHeaders = 128;

    private static readonly Lazy<bool> s_available = new(() =>
    {
        if (!NativeLibrary.TryLoad(Library, out nint handle) && !NativeLibrary.TryLoad(LibraryPath, out handle))
        {
            return false;
        }

        return NativeLibrary.TryGetExport(handle, "phr_parse_request", out _);
    });

    /// <summary>Whether the library can be loaded.</summary>
    public static bool IsAvailable => s_available.Value;

    /// <summary>One header line: offsets into the parsed buffer; a continuation line (obs-fold) has no name (-1).</summary>
    public readonly record struct Header(int NameStart, int NameLength, int ValueStart, int ValueLength);

    /// <summary>What pico made of a buffer: the head length (or -1 error, -2 incomplete) and the parts.</summary>
    public sealed record Result(int Length, (int Start, int Length) Method, (int Start, int Length) Path, int MinorVersion, Header[] Headers);

    /// <summary>Parses <paramref name="input"/> as one request head, as a server using pico would.</summary>
    public static Result ParseRequest(byte[] input)
    {
        var headers = new PhrHeader[MaxHeaders];
        nuint count = MaxHeaders;
        GCHandle pin = GCHandle.Alloc(input, GCHandleType.Pinned);
        try
        {
            nint start = pin.AddrOfPinnedObject();
            int length = phr_parse_request(start, (nuint)input.Length, out nint method, out nuint methodLength, out nint path, out nuint pathLength,
                out int minor, headers, ref count, 0);
            int Offset(nint pointer) => pointer == 0 ? -1 : (int)(pointer - start);
            var parsed = new Header[length > 0 ? (int)count : 0];
            for (int i = 0; i < parsed.Length; i++)
            {
                PhrHeader h = headers[i];
                parsed[i] = new Header(Offset(h.Name), (int)h.NameLength, Offset(h.Value), (int)h.ValueLength);
            }

            return new Result(length, (Offset(method), (int)methodLength), (Offset(path), (int)pathLength), minor, parsed);
        }
        finally
        {
            pin.Free();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PhrHeader
    {
        public nint Name;
        public nuint NameLength;
        public nint Value;
        public nuint ValueLength;
    }

    // int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
    //     size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers, size_t last_len)
    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int phr_parse_request(
        nint buf, nuint len, out nint method, out nuint methodLength, out nint path, out nuint pathLength, out int minorVersion,
        [In, Out] PhrHeader[] headers, ref nuint numHeaders, nuint lastLength);
}
