using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace HttpGen.Formatting;

/// <summary>
/// HTTP-dates (RFC 9110 §5.6.7): parsing of the three forms a recipient must accept, formatting as IMF-fixdate, and the
/// current time as a complete <c>Date: IMF-fixdate CRLF</c> header line, formatted at most once per second and shared by
/// every response (a timer refreshes it on the thread pool, so the request path only reads a reference).
/// </summary>
public static class HttpDate
{
    /// <summary>The length of an IMF-fixdate, <c>Sun, 06 Nov 1994 08:49:37 GMT</c>: 29 bytes.</summary>
    public const int FormattedLength = 29;

    // "Date: " + "Sun, 06 Nov 1994 08:49:37 GMT" + CRLF
    internal const int LineLength = 6 + FormattedLength + 2;

    private static long s_lastRefreshTicks = Environment.TickCount64;
    private static int s_reads;
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
            // Should the timer fall behind (a starved thread pool), correct it here rather than send a stale date. Reading
            // the clock costs several nanoseconds, a sizeable part of writing a head: one read in 32 looks (the count is
            // a hint, not a tally: lost increments between threads do no harm).
            if ((++s_reads & 31) == 0 && Environment.TickCount64 - s_lastRefreshTicks > 2000)
            {
                Refresh();
                line = Volatile.Read(ref s_current);
            }

            return line.Bytes;
        }
    }

    /// <summary>The date value alone (IMF-fixdate, 29 bytes), for the current second.</summary>
    public static ReadOnlySpan<byte> Value => HeaderLine.Slice(6, FormattedLength);

    /// <summary>
    /// Writes <paramref name="value"/> as an IMF-fixdate (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>, always 29 bytes), in
    /// UTC and truncated to the second.
    /// </summary>
    /// <param name="value">The time.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">29, or 0 when <paramref name="destination"/> is too small.</param>
    /// <returns>False when <paramref name="destination"/> is shorter than <see cref="FormattedLength"/>.</returns>
    public static bool TryFormat(DateTimeOffset value, Span<byte> destination, out int bytesWritten)
    {
        // The 'R' format is RFC 1123, which is IMF-fixdate.
        if (Utf8Formatter.TryFormat(value.ToUniversalTime(), destination, out bytesWritten, new System.Buffers.StandardFormat('R')))
        {
            return true;
        }

        bytesWritten = 0;
        return false;
    }

    /// <summary>
    /// Parses an HTTP-date in any of the three forms of RFC 9110 §5.6.7: IMF-fixdate (<c>Sun, 06 Nov 1994 08:49:37
    /// GMT</c>), the obsolete RFC 850 form (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and the obsolete asctime form
    /// (<c>Sun Nov  6 08:49:37 1994</c>). Nothing is allocated.
    /// </summary>
    /// <param name="value">The trimmed field value.</param>
    /// <param name="result">The time, in UTC; <c>default</c> when the value is not an HTTP-date.</param>
    /// <returns>False when the value is not an HTTP-date (wrong shape, unknown day or month name, a day that the month
    /// does not have, an hour past 23...).</returns>
    /// <remarks>
    /// Names are matched ignoring case, as RFC 9111 §4.2 asks of caches. The day name is checked to be a day name but
    /// not checked against the date. A leap second (<c>:60</c>) is read as <c>:59</c>. A two-digit RFC 850 year is put in
    /// the century that makes it at most 50 years in the future, as of the system clock (RFC 9110 §5.6.7); use the
    /// overload with <c>now</c> to choose the reference time.
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> value, out DateTimeOffset result) => TryParse(value, default, out result);

    /// <summary>As <see cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>, with the reference time for RFC 850's
    /// two-digit years.</summary>
    /// <param name="value">The trimmed field value.</param>
    /// <param name="now">The current time, to place a two-digit year; <c>default</c> means the system clock.</param>
    /// <param name="result">The time, in UTC.</param>
    /// <returns>False when the value is not an HTTP-date.</returns>
    public static bool TryParse(ReadOnlySpan<byte> value, DateTimeOffset now, out DateTimeOffset result)
    {
        result = default;
        if (value.Length < 24)
        {
            return false;
        }

        if (value[3] == (byte)',')
        {
            return value.Length == FormattedLength && value[4] == (byte)' ' && IsDayName(value[..3]) && TryParseImfFixdate(value[5..], out result);
        }

        if (value[3] == (byte)' ')
        {
            return value.Length == 24 && IsDayName(value[..3]) && TryParseAsctime(value[4..], out result);
        }

        int comma = value.IndexOf((byte)',');
        return comma is >= 6 and <= 9 && IsLongDayName(value[..comma]) && TryParseRfc850(value[(comma + 1)..], now, out result);
    }

    // "06 Nov 1994 08:49:37 GMT"
    private static bool TryParseImfFixdate(ReadOnlySpan<byte> s, out DateTimeOffset result)
    {
        result = default;
        return s[2] == (byte)' ' && s[6] == (byte)' ' && s[11] == (byte)' ' && s[20] == (byte)' '
            && TwoDigits(s, 0, out int day) && TryMonth(s.Slice(3, 3), out int month) && FourDigits(s.Slice(7, 4), out int year)
            && Ascii.EqualsIgnoreCase(s.Slice(21, 3), "GMT"u8)
            && TryTime(s.Slice(12, 8), year, month, day, out result);
    }

    // " 06-Nov-94 08:49:37 GMT"
    private static bool TryParseRfc850(ReadOnlySpan<byte> s, DateTimeOffset now, out DateTimeOffset result)
    {
        result = default;
        if (s.Length != 23 || s[0] != (byte)' ' || s[3] != (byte)'-' || s[7] != (byte)'-' || s[10] != (byte)' ' || s[19] != (byte)' '
            || !TwoDigits(s, 1, out int day) || !TryMonth(s.Slice(4, 3), out int month) || !TwoDigits(s, 8, out int twoDigitYear)
            || !Ascii.EqualsIgnoreCase(s.Slice(20, 3), "GMT"u8))
        {
            return false;
        }

        // RFC 9110 §5.6.7: a year that appears to be more than 50 years in the future is the most recent past year with
        // the same last two digits. Otherwise the year of the current century (or the next) within 50 years.
        int currentYear = (now == default ? DateTimeOffset.UtcNow : now).UtcDateTime.Year;
        int year = currentYear - currentYear % 100 + twoDigitYear;
        if (year > currentYear + 50)
        {
            year -= 100;
        }
        else if (year <= currentYear - 50)
        {
            year += 100;
        }

        return TryTime(s.Slice(11, 8), year, month, day, out result);
    }

    // "Nov  6 08:49:37 1994" (the day is SP DIGIT or 2DIGIT)
    private static bool TryParseAsctime(ReadOnlySpan<byte> s, out DateTimeOffset result)
    {
        result = default;
        if (s[3] != (byte)' ' || s[6] != (byte)' ' || s[15] != (byte)' ' || !TryMonth(s[..3], out int month) || !FourDigits(s.Slice(16, 4), out int year))
        {
            return false;
        }

        int day;
        if (s[4] == (byte)' ')
        {
            day = s[5] - '0';
            if ((uint)day > 9)
            {
                return false;
            }
        }
        else if (!TwoDigits(s, 4, out day))
        {
            return false;
        }

        return TryTime(s.Slice(7, 8), year, month, day, out result);
    }

    // "08:49:37", then the date itself.
    private static bool TryTime(ReadOnlySpan<byte> s, int year, int month, int day, out DateTimeOffset result)
    {
        result = default;
        if (s[2] != (byte)':' || s[5] != (byte)':' || !TwoDigits(s, 0, out int hour) || !TwoDigits(s, 3, out int minute) || !TwoDigits(s, 6, out int second)
            || hour > 23 || minute > 59 || second > 60 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        result = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.Zero);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        uint tens = (uint)(s[at] - '0'), ones = (uint)(s[at + 1] - '0');
        value = (int)(tens * 10 + ones);
        return tens <= 9 && ones <= 9;
    }

    private static bool FourDigits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (byte b in s)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = value * 10 + (int)digit;
        }

        return true;
    }

    private static bool TryMonth(ReadOnlySpan<byte> s, out int month)
    {
        // Three letters folded to lower case, packed into one number.
        int key = (s[0] | 0x20) << 16 | (s[1] | 0x20) << 8 | (s[2] | 0x20);
        month = key switch
        {
            'j' << 16 | 'a' << 8 | 'n' => 1,
            'f' << 16 | 'e' << 8 | 'b' => 2,
            'm' << 16 | 'a' << 8 | 'r' => 3,
            'a' << 16 | 'p' << 8 | 'r' => 4,
            'm' << 16 | 'a' << 8 | 'y' => 5,
            'j' << 16 | 'u' << 8 | 'n' => 6,
            'j' << 16 | 'u' << 8 | 'l' => 7,
            'a' << 16 | 'u' << 8 | 'g' => 8,
            's' << 16 | 'e' << 8 | 'p' => 9,
            'o' << 16 | 'c' << 8 | 't' => 10,
            'n' << 16 | 'o' << 8 | 'v' => 11,
            'd' << 16 | 'e' << 8 | 'c' => 12,
            _ => 0,
        };
        return month != 0;
    }

    private static bool IsDayName(ReadOnlySpan<byte> s)
    {
        int key = (s[0] | 0x20) << 16 | (s[1] | 0x20) << 8 | (s[2] | 0x20);
        return key is ('m' << 16 | 'o' << 8 | 'n') or ('t' << 16 | 'u' << 8 | 'e') or ('w' << 16 | 'e' << 8 | 'd') or ('t' << 16 | 'h' << 8 | 'u')
            or ('f' << 16 | 'r' << 8 | 'i') or ('s' << 16 | 'a' << 8 | 't') or ('s' << 16 | 'u' << 8 | 'n');
    }

    private static bool IsLongDayName(ReadOnlySpan<byte> s) =>
        Ascii.EqualsIgnoreCase(s, "Monday"u8) || Ascii.EqualsIgnoreCase(s, "Tuesday"u8) || Ascii.EqualsIgnoreCase(s, "Wednesday"u8)
        || Ascii.EqualsIgnoreCase(s, "Thursday"u8) || Ascii.EqualsIgnoreCase(s, "Friday"u8) || Ascii.EqualsIgnoreCase(s, "Saturday"u8)
        || Ascii.EqualsIgnoreCase(s, "Sunday"u8);

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
        if (!TryFormat(now, bytes.AsSpan(6), out int written) || written != FormattedLength)
        {
            throw new InvalidOperationException("IMF-fixdate formatting failed.");
        }

        bytes[35] = (byte)'\r';
        bytes[36] = (byte)'\n';
        return new DateLine(now.ToUnixTimeSeconds(), bytes);
    }
}
