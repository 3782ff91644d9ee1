using System.Buffers.Text;

namespace HttpGen.Formatting;

/// <summary>
/// The current time as a complete <c>Date: IMF-fixdate CRLF</c> header line, formatted at most once per second and
/// shared by every response. A timer refreshes it on the thread pool, so the request path only reads a reference.
/// </summary>
public static class HttpDate
{
    // "Date: " + "Sun, 06 Nov 1994 08:49:37 GMT" + CRLF
    private const int LineLength = 6 + 29 + 2;

    private static long s_lastRefreshTicks = Environment.TickCount64;
    private static DateLine s_current = Format(DateTimeOffset.UtcNow);
    private static readonly Timer s_timer = new(static _ => Refresh(), null, 1000 - DateTime.UtcNow.Millisecond, 1000);

    private sealed class DateLine(long unixSecond, byte[] bytes)
    {
        public readonly long UnixSecond = unixSecond;
        public readonly byte[] Bytes = bytes;
    }

    /// <summary>The header line <c>Date: ... GMT\r\n</c> for the current second.</summary>
    public static ReadOnlySpan<byte> HeaderLine
    {
        get
        {
            GC.KeepAlive(s_timer);
            DateLine line = Volatile.Read(ref s_current);
            // Should the timer fall behind (a starved thread pool), correct it here rather than send a stale date.
            if (Environment.TickCount64 - s_lastRefreshTicks > 2000)
            {
                Refresh();
                line = Volatile.Read(ref s_current);
            }

            return line.Bytes;
        }
    }

    /// <summary>The date value alone (IMF-fixdate, 29 bytes), for the current second.</summary>
    public static ReadOnlySpan<byte> Value => HeaderLine.Slice(6, 29);

    private static void Refresh()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        s_lastRefreshTicks = Environment.TickCount64;
        if (now.ToUnixTimeSeconds() != Volatile.Read(ref s_current).UnixSecond)
        {
            Volatile.Write(ref s_current, Format(now));
        }
    }

    private static DateLine Format(DateTimeOffset now)
    {
        var bytes = new byte[LineLength];
        "Date: "u8.CopyTo(bytes);
        // The 'R' format is RFC 1123, which is IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
        if (!Utf8Formatter.TryFormat(now, bytes.AsSpan(6), out int written, new System.Buffers.StandardFormat('R')) || written != 29)
        {
            throw new InvalidOperationException("IMF-fixdate formatting failed.");
        }

        bytes[35] = (byte)'\r';
        bytes[36] = (byte)'\n';
        return new DateLine(now.ToUnixTimeSeconds(), bytes);
    }
}
