using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HttpGen.Benchmarks;

/// <summary>One header as picohttpparser reports it: <c>struct phr_header</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PhrHeader
{
    public byte* Name;
    public nuint NameLength;
    public byte* Value;
    public nuint ValueLength;
}

/// <summary>
/// picohttpparser (h2o) as Debian ships it inside <c>libh2o0.13</c>. The benchmark installs nothing: when the
/// library is not there, <see cref="IsAvailable"/> is false and the contender is left out of the run.
/// </summary>
internal static unsafe partial class PicoHttpParser
{
    /// <summary>What to do when the library is missing.</summary>
    public const string InstallHint = "picohttpparser contender skipped: libh2o.so.0.13 (or $" + LibraryVariable + ") could not be loaded. Install it with `apt-get install libh2o0.13` (Debian/Ubuntu) to include it.";

    /// <summary>Set to a file name or path to load a different build (for example a locally built SSE4.2 one).</summary>
    public const string LibraryVariable = "HTTPGEN_PICOHTTPPARSER";

    // The logical name below is resolved by Resolve(), never by the default probing.
    private const string LibraryName = "picohttpparser";

    private static readonly Lazy<(nint Handle, string? Path)> s_library = new(Load);

    /// <summary>Whether the library loaded and exports <c>phr_parse_request</c>.</summary>
    public static bool IsAvailable => s_library.Value.Handle != 0;

    /// <summary>The file the library was loaded from, or null.</summary>
    public static string? LoadedFrom => s_library.Value.Path;

    /// <summary>
    /// <c>int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len,
    /// const char **path, size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers,
    /// size_t last_len)</c>: the head's length on success, -1 on a parse error, -2 when incomplete.
    /// </summary>
    /// <remarks>
    /// <see cref="SuppressGCTransitionAttribute"/> is valid here: the function is short, pure computation over memory
    /// the caller pinned, never blocks, never calls back into managed code and never throws.
    /// </remarks>
    [LibraryImport(LibraryName, EntryPoint = "phr_parse_request")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [SuppressGCTransition]
    public static partial int ParseRequest(
        byte* buf, nuint len,
        byte** method, nuint* methodLength,
        byte** path, nuint* pathLength,
        int* minorVersion,
        PhrHeader* headers, nuint* headerCount,
        nuint lastLength);

    private static (nint, string?) Load()
    {
        string? configured = Environment.GetEnvironmentVariable(LibraryVariable);
        string[] candidates = string.IsNullOrEmpty(configured)
            ? ["libh2o.so.0.13", "/usr/lib/x86_64-linux-gnu/libh2o.so.0.13", "/usr/lib/aarch64-linux-gnu/libh2o.so.0.13"]
            : [configured];
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out nint handle))
            {
                if (NativeLibrary.TryGetExport(handle, "phr_parse_request", out _))
                {
                    return (handle, candidate);
                }

                NativeLibrary.Free(handle);
            }
        }

        return (0, null);
    }

    // Registered when the assembly loads, so that it is in place however early the JIT binds ParseRequest (a call
    // with SuppressGCTransition can be bound while its caller is compiled). Only this assembly asks for LibraryName.
    [ModuleInitializer]
    internal static void RegisterResolver() => NativeLibrary.SetDllImportResolver(typeof(PicoHttpParser).Assembly, Resolve);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibraryName ? s_library.Value.Handle : 0;
}
