using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace HttpGen.Transport;

/// <summary>
/// HttpGen's own I/O loop for plain TCP connections on Linux (the client's by default, the server's when
/// <c>HttpServerOptions.UseEpoll</c> is set): one thread per engine blocked in <c>epoll_wait</c>
/// over the sockets registered with it (edge-triggered, for reading and writing). When a socket becomes readable and
/// a receive waits on it, the engine thread makes the <c>recv</c> itself and queues the waiting continuation to the
/// thread pool; a receive that finds nothing buffered does not call the kernel at all, it waits for the next event.
/// Compared with .NET's socket engine this saves, per exchange, the receive that returns EAGAIN before every wait and
/// the poll that checked an idle connection (<see cref="EpollTransport.HadEventSinceDrained"/> replaces it), and it
/// hands a completion to the thread pool once instead of twice. Elsewhere (other systems and architectures, or when
/// epoll cannot be set up) <see cref="Shared"/> is null and connections use .NET's sockets. The server's engines
/// (<see cref="Server"/>, one per processor) run continuations inline on the engine thread instead: the connection
/// loop, the handler included, runs there until it waits, with no thread-pool hop per request.
/// </summary>
internal sealed class EpollEngine
{
    internal const uint EpollIn = 0x001;
    internal const uint EpollOut = 0x004;
    internal const uint EpollErr = 0x008;
    internal const uint EpollHup = 0x010;
    internal const uint EpollRdHup = 0x2000;
    private const uint EpollEt = 1u << 31;
    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CloseOnExec = 0x80000;
    private const int Eintr = 4;
    private const int MaxEvents = 256;

    // Each group is created on first use and never replaced; an empty group means epoll is not available.
    private static readonly Lock s_createLock = new();
    private static EpollEngine[]? s_clientEngines;
    private static EpollEngine[]? s_serverEngines;
    private static int s_nextClient;
    private static int s_nextServer;

    // epoll_event: { uint32 events; uint64 data; }, packed on x86-64 (12 bytes), naturally aligned on arm64 (16 bytes).
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int s_dataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private EpollTransport?[] _slots = new EpollTransport?[64];
    private readonly Stack<int> _free = new();
    private int _used;
    private uint _generation;

    private EpollEngine(int epoll, string name, bool inline)
    {
        _epoll = epoll;
        Inline = inline;
        var thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.UnsafeStart();
    }

    /// <summary>Whether completions run on the engine thread (server) rather than on the thread pool (client).</summary>
    public bool Inline { get; }

    /// <summary>
    /// An engine of the server's group for a new connection (round-robin over one engine per processor, or
    /// <c>HTTPGEN_SERVER_EPOLL_THREADS</c>), or null where epoll is not available (not Linux on x86-64 or arm64).
    /// </summary>
    public static EpollEngine? Server =>
        Next(ref s_serverEngines, ref s_nextServer, static () => Create(ServerThreads(), "HttpGen server epoll", inline: true));

    /// <summary>
    /// An engine of the client's group for a new connection (round-robin over one engine per 8 processors), or null where
    /// there is none: not Linux on x86-64 or arm64, epoll unavailable, or <c>HTTPGEN_CLIENT_EPOLL=0</c> in the environment.
    /// </summary>
    public static EpollEngine? Shared =>
        Next(ref s_clientEngines, ref s_nextClient, static () => Environment.GetEnvironmentVariable("HTTPGEN_CLIENT_EPOLL") == "0"
            ? null
            : Create(Math.Clamp((Environment.ProcessorCount + 7) / 8, 1, 16), "HttpGen client epoll", inline: false));

    // One loop per processor, or HTTPGEN_SERVER_EPOLL_THREADS (1 to 64) when set.
    private static int ServerThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("HTTPGEN_SERVER_EPOLL_THREADS"), out int threads) && threads is >= 1 and <= 64
            ? threads
            : Math.Clamp(Environment.ProcessorCount, 1, 64);

    // The next engine of a group, round-robin; the group is created on first use (empty where epoll is not available).
    private static EpollEngine? Next(ref EpollEngine[]? group, ref int next, Func<EpollEngine[]?> create)
    {
        EpollEngine[]? engines = Volatile.Read(ref group);
        if (engines is null)
        {
            lock (s_createLock)
            {
                engines = group;
                if (engines is null)
                {
                    engines = create() ?? [];
                    Volatile.Write(ref group, engines);
                }
            }
        }

        return engines.Length switch
        {
            0 => null,
            1 => engines[0],
            _ => engines[(int)((uint)Interlocked.Increment(ref next) % (uint)engines.Length)],
        };
    }

    // Engines with their threads, or null where epoll is not available. Called under s_createLock.
    private static EpollEngine[]? Create(int count, string name, bool inline)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return null;
        }

        var engines = new EpollEngine[count];
        for (int i = 0; i < engines.Length; i++)
        {
            int epoll;
            try
            {
                epoll = EpollCreate(CloseOnExec);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                epoll = -1;
            }

            if (epoll < 0)
            {
                return i == 0 ? null : engines[..i];
            }

            engines[i] = new EpollEngine(epoll, name + " " + i, inline);
        }

        return engines;
    }

    /// <summary>Adds a socket, for read and write readiness, edge-triggered. Returns the key its events carry.</summary>
    public ulong Register(EpollTransport transport, int fd)
    {
        ulong key;
        lock (_lock)
        {
            int slot;
            if (_free.Count > 0)
            {
                slot = _free.Pop();
            }
            else
            {
                if (_used == _slots.Length)
                {
                    var bigger = new EpollTransport?[_slots.Length * 2];
                    _slots.CopyTo(bigger, 0);
                    Volatile.Write(ref _slots, bigger);
                }

                slot = _used++;
            }

            // The high half tells apart the successive sockets of one slot, so a late event of a closed socket is dropped.
            key = ((ulong)++_generation << 32) | (uint)slot;
            transport.EpollKey = key;
            _slots[slot] = transport;
        }

        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ev, EpollIn | EpollOut | EpollRdHup | EpollEt);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[s_dataOffset..], key);
        if (EpollCtl(_epoll, CtlAdd, fd, ref MemoryMarshal.GetReference(ev)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Release(key);
            throw new System.Net.Sockets.SocketException(errno == 12 /* ENOMEM */ ? (int)System.Net.Sockets.SocketError.NoBufferSpaceAvailable : (int)System.Net.Sockets.SocketError.SocketError);
        }

        return key;
    }

    /// <summary>Removes a socket before it is closed; its slot is free for the next one.</summary>
    public void Unregister(ulong key, int fd)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        _ = EpollCtl(_epoll, CtlDel, fd, ref MemoryMarshal.GetReference(ev));
        Release(key);
    }

    private void Release(ulong key)
    {
        int slot = (int)(uint)key;
        lock (_lock)
        {
            if (_slots[slot] is { } t && t.EpollKey == key)
            {
                _slots[slot] = null;
                _free.Push(slot);
            }
        }
    }

    private void Run()
    {
        byte[] events = new byte[MaxEvents * s_eventSize];
        while (true)
        {
            int n = EpollWait(_epoll, ref events[0], MaxEvents, -1);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Eintr)
                {
                    continue;
                }

                // Not expected for a valid epoll descriptor; do not spin.
                Thread.Sleep(10);
                continue;
            }

            EpollTransport?[] slots = Volatile.Read(ref _slots);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> ev = events.AsSpan(i * s_eventSize, s_eventSize);
                uint mask = BinaryPrimitives.ReadUInt32LittleEndian(ev);
                ulong key = BinaryPrimitives.ReadUInt64LittleEndian(ev[s_dataOffset..]);
                int slot = (int)(uint)key;
                EpollTransport? transport = (uint)slot < (uint)slots.Length ? slots[slot] : null;
                if (transport is null || transport.EpollKey != key)
                {
                    continue;
                }

                try
                {
                    transport.OnEvents(mask);
                }
                catch (Exception)
                {
                    // A bug in one connection must not stop the loop that serves them all.
                }
            }
        }
    }

    [DllImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static extern int EpollCreate(int flags);

    [DllImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static extern int EpollCtl(int epoll, int op, int fd, ref byte ev);

    [DllImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static extern int EpollWait(int epoll, ref byte events, int maxEvents, int timeout);
}
