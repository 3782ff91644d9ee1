using System.Text;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>Which header fields of an origin's response go into the stored head (RFC 9111 §3.1).</summary>
internal readonly ref struct StoredFieldFilter
{
    private readonly ReadOnlySpan<byte> _fields;
    private readonly bool _hasConnection;
    private readonly bool _stripNoCacheNames;
    private readonly bool _stripPrivateNames;

    public StoredFieldFilter(ReadOnlySpan<byte> fields, bool shared)
    {
        _fields = fields;
        var control = new CacheControl.Builder();
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (field.NameEquals("Cache-Control"u8))
            {
                control.Add(field.Value);
            }
            else if (field.NameEquals("Connection"u8))
            {
                _hasConnection = true;
            }
        }

        CacheControl cc = control.Build();
        _stripNoCacheNames = cc.IsNoCacheQualified;
        _stripPrivateNames = shared && cc.IsPrivateQualified;
    }

    /// <summary>The Age value (its first member when a list; -1 when absent or invalid; RFC 9111 §5.1).</summary>
    public static long AgeValue(ReadOnlySpan<byte> fields)
    {
        if (!FieldScan.TryGetFirst(fields, "Age"u8, out ReadOnlySpan<byte> value))
        {
            return -1;
        }

        HeaderValueParsing.TryTakeListElement(ref value, out ReadOnlySpan<byte> first);
        return CacheControl.TryParseDeltaSeconds(first, out long age) ? age : -1;
    }

    /// <summary>Whether <paramref name="field"/> is stored. Only the first valid Date is kept (<paramref name="hasDate"/>).</summary>
    public bool Keeps(HeaderField field, ref bool hasDate)
    {
        ReadOnlySpan<byte> name = field.Name;
        switch (name.Length)
        {
            case 2 when Ascii.EqualsIgnoreCase(name, "TE"u8):
            case 3 when Ascii.EqualsIgnoreCase(name, "Age"u8):
            case 7 when Ascii.EqualsIgnoreCase(name, "Upgrade"u8) || Ascii.EqualsIgnoreCase(name, "Trailer"u8):
            case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8) || Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8):
            case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
            case 16 when Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8):
            case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
            case 18 when Ascii.EqualsIgnoreCase(name, "Proxy-Authenticate"u8):
            case 19 when Ascii.EqualsIgnoreCase(name, "Proxy-Authorization"u8):
            case 25 when Ascii.EqualsIgnoreCase(name, "Proxy-Authentication-Info"u8):
                return false;
            case 4 when Ascii.EqualsIgnoreCase(name, "Date"u8):
                if (hasDate || !HttpDate.TryParse(field.Value, out _))
                {
                    return false;
                }

                hasDate = true;
                return true;
        }

        if (_hasConnection && FieldScan.ListContains(_fields, "Connection"u8, name))
        {
            return false;
        }

        return !(_stripNoCacheNames && NamedBy("no-cache"u8, name)) && !(_stripPrivateNames && NamedBy("private"u8, name));
    }

    private bool NamedBy(ReadOnlySpan<byte> directive, ReadOnlySpan<byte> name)
    {
        foreach (HeaderField field in new HeaderFieldEnumerator(_fields))
        {
            if (field.NameEquals("Cache-Control"u8) && CacheControl.NamesField(field.Value, directive, name))
            {
                return true;
            }
        }

        return false;
    }
}
