using System.Text;
using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>
/// The directives of a <c>Cache-Control</c> field (RFC 9111 §5.2), request and response ones together, parsed from
/// bytes without allocating. Directive names are matched ignoring case; arguments may be tokens or quoted strings;
/// unknown directives (extensions) are skipped. <c>default</c> is a field with no directives.
/// </summary>
/// <remarks>
/// <para>
/// Invalid arguments are read the way RFC 9111 §1.2.2 and §4.2.1 ask, always towards less reuse: an invalid or missing
/// <c>max-age</c> or <c>s-maxage</c> is 0 (the response is stale), and so is one repeated with different values; an
/// invalid <c>min-fresh</c> asks for more freshness than any response has; an invalid <c>max-stale</c>,
/// <c>stale-while-revalidate</c> or <c>stale-if-error</c> is ignored (no stale response allowed). A repeated
/// <c>min-fresh</c> keeps the largest value; repeated <c>max-stale</c>, <c>stale-while-revalidate</c> or
/// <c>stale-if-error</c> keep the smallest. A delta-seconds beyond 2^31 is read as 2^31 (§1.2.2).
/// </para>
/// <para>
/// <c>no-cache</c> and <c>private</c> may name fields (<c>no-cache="Set-Cookie"</c>): <see cref="NoCache"/> is then true
/// with <see cref="IsNoCacheQualified"/>; the names stay in the field value (<see cref="TryGetFieldNames"/>). When both
/// forms are present the unqualified one wins. Formatting writes the unqualified form, which is stricter.
/// </para>
/// </remarks>
public readonly struct CacheControl : IEquatable<CacheControl>
{
    /// <summary>The largest delta-seconds value kept: 2^31 (RFC 9111 §1.2.2).</summary>
    public const long MaxDeltaSeconds = 2147483648;

    private readonly Flags _flags;
    private readonly long _maxAge, _sharedMaxAge, _maxStale, _minFresh, _staleWhileRevalidate, _staleIfError;

    [System.Flags]
    private enum Flags
    {
        None = 0,
        NoCache = 1 << 0,
        NoCacheQualified = 1 << 1,
        NoStore = 1 << 2,
        Private = 1 << 3,
        PrivateQualified = 1 << 4,
        Public = 1 << 5,
        MustRevalidate = 1 << 6,
        ProxyRevalidate = 1 << 7,
        MustUnderstand = 1 << 8,
        NoTransform = 1 << 9,
        Immutable = 1 << 10,
        OnlyIfCached = 1 << 11,
        MaxAge = 1 << 12,
        SharedMaxAge = 1 << 13,
        MaxStale = 1 << 14,
        MinFresh = 1 << 15,
        StaleWhileRevalidate = 1 << 16,
        StaleIfError = 1 << 17,
        // Builder-only: which no-cache/private forms were seen, so that the unqualified form wins whatever the order.
        NoCacheBare = 1 << 18,
        PrivateBare = 1 << 19,
    }

    private CacheControl(Flags flags, long maxAge, long sharedMaxAge, long maxStale, long minFresh, long swr, long sie)
    {
        _flags = flags & ~(Flags.NoCacheBare | Flags.PrivateBare);
        _maxAge = maxAge;
        _sharedMaxAge = sharedMaxAge;
        _maxStale = maxStale;
        _minFresh = minFresh;
        _staleWhileRevalidate = swr;
        _staleIfError = sie;
    }

    /// <summary><c>no-cache</c>: a stored response must be validated before each use (RFC 9111 §5.2.1.4, §5.2.2.4).</summary>
    public bool NoCache { get => Has(Flags.NoCache); init => _flags = With(Flags.NoCache, value) & ~Flags.NoCacheQualified; }

    /// <summary><c>no-cache</c> was present only with field names: it applies to those fields, not the whole response.</summary>
    public bool IsNoCacheQualified => Has(Flags.NoCacheQualified);

    /// <summary><c>no-store</c>: nothing of the request or response may be stored (RFC 9111 §5.2.1.5, §5.2.2.5).</summary>
    public bool NoStore { get => Has(Flags.NoStore); init => _flags = With(Flags.NoStore, value); }

    /// <summary><c>private</c>: a shared cache must not store the response (RFC 9111 §5.2.2.7).</summary>
    public bool Private { get => Has(Flags.Private); init => _flags = With(Flags.Private, value) & ~Flags.PrivateQualified; }

    /// <summary><c>private</c> was present only with field names: a shared cache must not store those fields.</summary>
    public bool IsPrivateQualified => Has(Flags.PrivateQualified);

    /// <summary><c>public</c>: any cache may store the response, even one that would otherwise not be (RFC 9111 §5.2.2.9).</summary>
    public bool Public { get => Has(Flags.Public); init => _flags = With(Flags.Public, value); }

    /// <summary><c>must-revalidate</c>: once stale, the response must not be used without validation (RFC 9111 §5.2.2.2).</summary>
    public bool MustRevalidate { get => Has(Flags.MustRevalidate); init => _flags = With(Flags.MustRevalidate, value); }

    /// <summary><c>proxy-revalidate</c>: <c>must-revalidate</c> for shared caches only (RFC 9111 §5.2.2.8).</summary>
    public bool ProxyRevalidate { get => Has(Flags.ProxyRevalidate); init => _flags = With(Flags.ProxyRevalidate, value); }

    /// <summary><c>must-understand</c>: store only if the cache understands the status code (RFC 9111 §5.2.2.3).</summary>
    public bool MustUnderstand { get => Has(Flags.MustUnderstand); init => _flags = With(Flags.MustUnderstand, value); }

    /// <summary><c>no-transform</c>: intermediaries must not transform the content (RFC 9111 §5.2.1.6, §5.2.2.6).</summary>
    public bool NoTransform { get => Has(Flags.NoTransform); init => _flags = With(Flags.NoTransform, value); }

    /// <summary><c>immutable</c>: the response will not change while fresh (RFC 8246).</summary>
    public bool Immutable { get => Has(Flags.Immutable); init => _flags = With(Flags.Immutable, value); }

    /// <summary><c>only-if-cached</c>: answer from the cache or with 504 (RFC 9111 §5.2.1.7).</summary>
    public bool OnlyIfCached { get => Has(Flags.OnlyIfCached); init => _flags = With(Flags.OnlyIfCached, value); }

    /// <summary><c>max-age</c>: freshness lifetime of a response, or the oldest response a request accepts.</summary>
    public TimeSpan? MaxAge { get => Get(Flags.MaxAge, _maxAge); init => _maxAge = Set(Flags.MaxAge, value, ref _flags); }

    /// <summary><c>s-maxage</c>: freshness lifetime in shared caches, overriding <c>max-age</c> and <c>Expires</c>.</summary>
    public TimeSpan? SharedMaxAge { get => Get(Flags.SharedMaxAge, _sharedMaxAge); init => _sharedMaxAge = Set(Flags.SharedMaxAge, value, ref _flags); }

    /// <summary>
    /// <c>max-stale</c>: how stale a response the request accepts; <see cref="TimeSpan.MaxValue"/> when present without
    /// a value (any staleness).
    /// </summary>
    public TimeSpan? MaxStale
    {
        get => !Has(Flags.MaxStale) ? null : _maxStale == long.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromSeconds(_maxStale);
        init => _maxStale = value == TimeSpan.MaxValue ? SetUnlimited(ref _flags) : Set(Flags.MaxStale, value, ref _flags);
    }

    /// <summary><c>min-fresh</c>: the request wants a response that stays fresh at least this long.</summary>
    public TimeSpan? MinFresh { get => Get(Flags.MinFresh, _minFresh); init => _minFresh = Set(Flags.MinFresh, value, ref _flags); }

    /// <summary><c>stale-while-revalidate</c>: how long a stale response may be served while it is revalidated (RFC 5861 §3).</summary>
    public TimeSpan? StaleWhileRevalidate { get => Get(Flags.StaleWhileRevalidate, _staleWhileRevalidate); init => _staleWhileRevalidate = Set(Flags.StaleWhileRevalidate, value, ref _flags); }

    /// <summary><c>stale-if-error</c>: how long a stale response may be served when the origin fails (RFC 5861 §4).</summary>
    public TimeSpan? StaleIfError { get => Get(Flags.StaleIfError, _staleIfError); init => _staleIfError = Set(Flags.StaleIfError, value, ref _flags); }

    // Seconds, or -1 when absent: for the cache's arithmetic without TimeSpan conversions.
    internal long MaxAgeSeconds => Has(Flags.MaxAge) ? _maxAge : -1;

    internal long SharedMaxAgeSeconds => Has(Flags.SharedMaxAge) ? _sharedMaxAge : -1;

    internal long MaxStaleSeconds => Has(Flags.MaxStale) ? _maxStale : -1;

    internal long MinFreshSeconds => Has(Flags.MinFresh) ? _minFresh : -1;

    internal long StaleWhileRevalidateSeconds => Has(Flags.StaleWhileRevalidate) ? _staleWhileRevalidate : -1;

    internal long StaleIfErrorSeconds => Has(Flags.StaleIfError) ? _staleIfError : -1;

    /// <summary>Whether no directive is present.</summary>
    public bool IsEmpty => _flags == Flags.None;

    /// <summary>
    /// Parses a Cache-Control value leniently: malformed elements and unknown directives are skipped, invalid arguments
    /// are read as described on <see cref="CacheControl"/>. Never fails.
    /// </summary>
    /// <param name="value">One field line's value, or several joined with commas.</param>
    /// <returns>The directives.</returns>
    public static CacheControl Parse(ReadOnlySpan<byte> value)
    {
        var builder = new Builder();
        builder.Add(value);
        return builder.Build();
    }

    /// <summary>Parses a Cache-Control value strictly: any malformed element or invalid argument of a known directive fails.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="result">The directives; <c>default</c> on failure.</param>
    /// <returns>False when the value does not follow RFC 9111 §5.2.</returns>
    public static bool TryParse(ReadOnlySpan<byte> value, out CacheControl result)
    {
        var builder = new Builder();
        if (builder.Add(value))
        {
            result = builder.Build();
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>
    /// The directives of two field lines of the same message together, as if their values were joined with a comma
    /// (RFC 9110 §5.3), with the rules for repeated directives described on <see cref="CacheControl"/>.
    /// </summary>
    /// <param name="first">The directives of the earlier lines.</param>
    /// <param name="second">The directives of the later line.</param>
    /// <returns>The combined directives.</returns>
    public static CacheControl Combine(CacheControl first, CacheControl second)
    {
        var builder = new Builder();
        builder.Merge(first);
        builder.Merge(second);
        return builder.Build();
    }

    /// <summary>
    /// Finds the field names of the qualified form of <c>no-cache</c> or <c>private</c> in a Cache-Control value.
    /// </summary>
    /// <param name="value">The field value.</param>
    /// <param name="directive"><c>no-cache</c> or <c>private</c> (any directive name works).</param>
    /// <param name="fieldNames">The argument of its first occurrence with one: a comma-separated list of field names.</param>
    /// <returns>False when the directive has no argument in <paramref name="value"/>.</returns>
    public static bool TryGetFieldNames(ReadOnlySpan<byte> value, ReadOnlySpan<byte> directive, out ReadOnlySpan<byte> fieldNames)
    {
        var reader = new CacheControlReader(value);
        while (reader.MoveNext())
        {
            if (reader.HasArgument && Ascii.EqualsIgnoreCase(reader.Name, directive))
            {
                fieldNames = reader.Argument;
                return true;
            }
        }

        fieldNames = default;
        return false;
    }

    /// <summary>Whether a qualified <paramref name="directive"/> in <paramref name="value"/> names <paramref name="fieldName"/>.</summary>
    internal static bool NamesField(ReadOnlySpan<byte> value, ReadOnlySpan<byte> directive, ReadOnlySpan<byte> fieldName)
    {
        var reader = new CacheControlReader(value);
        while (reader.MoveNext())
        {
            if (!reader.HasArgument || !Ascii.EqualsIgnoreCase(reader.Name, directive))
            {
                continue;
            }

            ReadOnlySpan<byte> names = reader.Argument;
            while (HeaderValueParsing.TryTakeListElement(ref names, out ReadOnlySpan<byte> name))
            {
                if (Ascii.EqualsIgnoreCase(name, fieldName))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Writes the directives, comma-separated, in a fixed order (boolean directives first, then those with a value).
    /// Qualified <c>no-cache</c> and <c>private</c> are written unqualified; extensions are not kept.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The length written; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(Span<byte> destination, out int bytesWritten)
    {
        var w = new ByteAppender(destination);
        Flag(ref w, Public, "public"u8);
        Flag(ref w, Private, "private"u8);
        Flag(ref w, NoCache, "no-cache"u8);
        Flag(ref w, NoStore, "no-store"u8);
        Flag(ref w, NoTransform, "no-transform"u8);
        Flag(ref w, MustRevalidate, "must-revalidate"u8);
        Flag(ref w, ProxyRevalidate, "proxy-revalidate"u8);
        Flag(ref w, MustUnderstand, "must-understand"u8);
        Flag(ref w, Immutable, "immutable"u8);
        Flag(ref w, OnlyIfCached, "only-if-cached"u8);
        Seconds(ref w, MaxAgeSeconds, "max-age"u8);
        Seconds(ref w, SharedMaxAgeSeconds, "s-maxage"u8);
        if (Has(Flags.MaxStale) && _maxStale == long.MaxValue)
        {
            Flag(ref w, true, "max-stale"u8);
        }
        else
        {
            Seconds(ref w, MaxStaleSeconds, "max-stale"u8);
        }

        Seconds(ref w, MinFreshSeconds, "min-fresh"u8);
        Seconds(ref w, StaleWhileRevalidateSeconds, "stale-while-revalidate"u8);
        Seconds(ref w, StaleIfErrorSeconds, "stale-if-error"u8);
        return w.Finish(out bytesWritten);
    }

    private static void Flag(ref ByteAppender w, bool on, ReadOnlySpan<byte> name)
    {
        if (on)
        {
            w.Append(w.Length > 0 ? ", "u8 : default);
            w.Append(name);
        }
    }

    private static void Seconds(ref ByteAppender w, long seconds, ReadOnlySpan<byte> name)
    {
        if (seconds >= 0)
        {
            Flag(ref w, true, name);
            w.Append("="u8);
            w.Number(seconds);
        }
    }

    /// <summary>The formatted directives (allocates).</summary>
    /// <returns>The value, as <see cref="TryFormat"/> writes it.</returns>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[256];
        return TryFormat(buffer, out int written) ? Encoding.ASCII.GetString(buffer[..written]) : string.Empty;
    }

    /// <inheritdoc/>
    public bool Equals(CacheControl other) =>
        _flags == other._flags && _maxAge == other._maxAge && _sharedMaxAge == other._sharedMaxAge && _maxStale == other._maxStale
        && _minFresh == other._minFresh && _staleWhileRevalidate == other._staleWhileRevalidate && _staleIfError == other._staleIfError;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CacheControl other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_flags, _maxAge, _sharedMaxAge, _maxStale, _minFresh, _staleWhileRevalidate, _staleIfError);

    /// <summary>Equality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(CacheControl left, CacheControl right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(CacheControl left, CacheControl right) => !left.Equals(right);

    private bool Has(Flags flag) => (_flags & flag) != 0;

    private Flags With(Flags flag, bool on) => on ? _flags | flag : _flags & ~flag;

    private TimeSpan? Get(Flags flag, long seconds) => Has(flag) ? TimeSpan.FromSeconds(seconds) : null;

    private static long Set(Flags flag, TimeSpan? value, ref Flags flags)
    {
        if (value is not { } v)
        {
            flags &= ~flag;
            return 0;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(v, TimeSpan.Zero, nameof(value));
        flags |= flag;
        return Math.Min(v.Ticks / TimeSpan.TicksPerSecond, MaxDeltaSeconds);
    }

    private static long SetUnlimited(ref Flags flags)
    {
        flags |= Flags.MaxStale;
        return long.MaxValue;
    }

    /// <summary>Parses 1*DIGIT with the §1.2.2 ceiling; false for anything else (an escape, a sign, nothing).</summary>
    internal static bool TryParseDeltaSeconds(ReadOnlySpan<byte> value, out long seconds)
    {
        seconds = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                seconds = 0;
                return false;
            }

            seconds = Math.Min(seconds * 10 + digit, MaxDeltaSeconds);
        }

        return true;
    }

    /// <summary>Accumulates directives over one or more values, applying the rules for invalid and repeated ones.</summary>
    internal struct Builder
    {
        private Flags _flags;
        private long _maxAge, _sharedMaxAge, _maxStale, _minFresh, _swr, _sie;

        public readonly CacheControl Build() => new(_flags, _maxAge, _sharedMaxAge, _maxStale, _minFresh, _swr, _sie);

        /// <summary>Adds the directives of one value.</summary>
        /// <returns>False when an element was malformed or a known directive's argument invalid (all else is still added).</returns>
        public bool Add(ReadOnlySpan<byte> value)
        {
            bool wellFormed = true;
            var reader = new CacheControlReader(value);
            while (reader.MoveNext())
            {
                bool valid = Apply(ref reader);
                wellFormed &= valid && reader.IsWellFormed;
            }

            return wellFormed;
        }

        public void Merge(CacheControl other)
        {
            Flags f = other._flags;
            Flags bare = (f & Flags.NoCache) != 0 && (f & Flags.NoCacheQualified) == 0 ? Flags.NoCacheBare : Flags.None;
            bare |= (f & Flags.Private) != 0 && (f & Flags.PrivateQualified) == 0 ? Flags.PrivateBare : Flags.None;
            const Flags valued = Flags.MaxAge | Flags.SharedMaxAge | Flags.MaxStale | Flags.MinFresh | Flags.StaleWhileRevalidate | Flags.StaleIfError
                | Flags.NoCacheQualified | Flags.PrivateQualified;
            _flags |= (f & ~valued) | bare;
            if ((f & Flags.NoCacheQualified) != 0)
            {
                Qualified(Flags.NoCache, Flags.NoCacheQualified, Flags.NoCacheBare);
            }

            if ((f & Flags.PrivateQualified) != 0)
            {
                Qualified(Flags.Private, Flags.PrivateQualified, Flags.PrivateBare);
            }

            Bare();
            if ((f & Flags.MaxAge) != 0) SetExact(Flags.MaxAge, ref _maxAge, other._maxAge);
            if ((f & Flags.SharedMaxAge) != 0) SetExact(Flags.SharedMaxAge, ref _sharedMaxAge, other._sharedMaxAge);
            if ((f & Flags.MaxStale) != 0) SetSmallest(Flags.MaxStale, ref _maxStale, other._maxStale);
            if ((f & Flags.MinFresh) != 0) SetLargest(Flags.MinFresh, ref _minFresh, other._minFresh);
            if ((f & Flags.StaleWhileRevalidate) != 0) SetSmallest(Flags.StaleWhileRevalidate, ref _swr, other._staleWhileRevalidate);
            if ((f & Flags.StaleIfError) != 0) SetSmallest(Flags.StaleIfError, ref _sie, other._staleIfError);
        }

        private bool Apply(ref CacheControlReader d)
        {
            ReadOnlySpan<byte> name = d.Name;
            switch (name.Length)
            {
                case 6 when Ascii.EqualsIgnoreCase(name, "public"u8): return Boolean(Flags.Public, ref d);
                case 7 when Ascii.EqualsIgnoreCase(name, "max-age"u8): return Delta(Flags.MaxAge, ref _maxAge, ref d, invalid: 0);
                case 7 when Ascii.EqualsIgnoreCase(name, "private"u8): return FieldNames(Flags.Private, Flags.PrivateQualified, Flags.PrivateBare, ref d);
                case 8 when Ascii.EqualsIgnoreCase(name, "no-cache"u8): return FieldNames(Flags.NoCache, Flags.NoCacheQualified, Flags.NoCacheBare, ref d);
                case 8 when Ascii.EqualsIgnoreCase(name, "no-store"u8): return Boolean(Flags.NoStore, ref d);
                case 8 when Ascii.EqualsIgnoreCase(name, "s-maxage"u8): return Delta(Flags.SharedMaxAge, ref _sharedMaxAge, ref d, invalid: 0);
                case 9 when Ascii.EqualsIgnoreCase(name, "immutable"u8): return Boolean(Flags.Immutable, ref d);
                case 9 when Ascii.EqualsIgnoreCase(name, "max-stale"u8): return MaxStale(ref d);
                case 9 when Ascii.EqualsIgnoreCase(name, "min-fresh"u8): return Delta(Flags.MinFresh, ref _minFresh, ref d, invalid: MaxDeltaSeconds);
                case 12 when Ascii.EqualsIgnoreCase(name, "no-transform"u8): return Boolean(Flags.NoTransform, ref d);
                case 14 when Ascii.EqualsIgnoreCase(name, "only-if-cached"u8): return Boolean(Flags.OnlyIfCached, ref d);
                case 14 when Ascii.EqualsIgnoreCase(name, "stale-if-error"u8): return Delta(Flags.StaleIfError, ref _sie, ref d, invalid: -1);
                case 15 when Ascii.EqualsIgnoreCase(name, "must-revalidate"u8): return Boolean(Flags.MustRevalidate, ref d);
                case 15 when Ascii.EqualsIgnoreCase(name, "must-understand"u8): return Boolean(Flags.MustUnderstand, ref d);
                case 16 when Ascii.EqualsIgnoreCase(name, "proxy-revalidate"u8): return Boolean(Flags.ProxyRevalidate, ref d);
                case 22 when Ascii.EqualsIgnoreCase(name, "stale-while-revalidate"u8): return Delta(Flags.StaleWhileRevalidate, ref _swr, ref d, invalid: -1);
                default: return true; // an extension: ignored (RFC 9111 §5.2.3)
            }
        }

        private bool Boolean(Flags flag, ref CacheControlReader d)
        {
            _flags |= flag;
            return !d.HasArgument;
        }

        private bool FieldNames(Flags flag, Flags qualified, Flags bare, ref CacheControlReader d)
        {
            ReadOnlySpan<byte> names = d.Argument;
            if (d.HasArgument && HeaderValueParsing.TryTakeListElement(ref names, out _))
            {
                Qualified(flag, qualified, bare);
                return true;
            }

            _flags |= flag | bare;
            Bare();
            return !d.HasArgument;
        }

        private void Qualified(Flags flag, Flags qualified, Flags bare)
        {
            _flags |= flag;
            if ((_flags & bare) == 0)
            {
                _flags |= qualified;
            }
        }

        private void Bare()
        {
            if ((_flags & Flags.NoCacheBare) != 0) _flags &= ~Flags.NoCacheQualified;
            if ((_flags & Flags.PrivateBare) != 0) _flags &= ~Flags.PrivateQualified;
        }

        private bool MaxStale(ref CacheControlReader d)
        {
            if (!d.HasArgument)
            {
                SetSmallest(Flags.MaxStale, ref _maxStale, long.MaxValue);
                return true;
            }

            if (TryParseDeltaSeconds(d.Argument, out long seconds))
            {
                SetSmallest(Flags.MaxStale, ref _maxStale, seconds);
                return true;
            }

            return false;
        }

        // A directive with a delta-seconds argument; `invalid` is the value an invalid or missing argument stands for
        // (-1: the directive is ignored).
        private bool Delta(Flags flag, ref long field, ref CacheControlReader d, long invalid)
        {
            long seconds = 0;
            bool valid = d.HasArgument && TryParseDeltaSeconds(d.Argument, out seconds);
            seconds = valid ? seconds : invalid;
            if (seconds >= 0)
            {
                switch (flag)
                {
                    case Flags.MaxAge or Flags.SharedMaxAge: SetExact(flag, ref field, seconds); break;
                    case Flags.MinFresh: SetLargest(flag, ref field, seconds); break;
                    default: SetSmallest(flag, ref field, seconds); break;
                }
            }

            return valid;
        }

        // max-age, s-maxage: "either the first occurrence should be used or the response should be considered stale"
        // (RFC 9111 §4.2.1); differing repeats make it stale.
        private void SetExact(Flags flag, ref long field, long seconds)
        {
            field = (_flags & flag) == 0 || field == seconds ? seconds : 0;
            _flags |= flag;
        }

        private void SetSmallest(Flags flag, ref long field, long seconds)
        {
            field = (_flags & flag) == 0 ? seconds : Math.Min(field, seconds);
            _flags |= flag;
        }

        private void SetLargest(Flags flag, ref long field, long seconds)
        {
            field = (_flags & flag) == 0 ? seconds : Math.Max(field, seconds);
            _flags |= flag;
        }
    }
}
