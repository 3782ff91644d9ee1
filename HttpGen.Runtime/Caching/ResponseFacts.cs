using System.Text;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>The response header fields the cache decides by, gathered in one pass over a validated response head.</summary>
internal ref struct ResponseFacts
{
    public int Status;
    public ReadOnlySpan<byte> Reason;
    public ReadOnlySpan<byte> Fields;
    public CacheControl Control;
    public bool HasDate;
    public long DateTicks;
    public bool HasExpires;
    public bool ExpiresValid;
    public long ExpiresTicks;
    public long AgeSeconds; // -1: absent or invalid
    public bool HasETag;
    public ReadOnlySpan<byte> ETag; // the raw, valid entity tag
    public bool HasLastModified;
    public ReadOnlySpan<byte> LastModified; // the raw value
    public long LastModifiedTicks;
    public bool HasVary;
    public bool VaryStar;
    public bool HasConnection;
    public long ContentLength; // -1: absent
    public ReadOnlySpan<byte> Location;
    public ReadOnlySpan<byte> ContentLocation;

    public static bool TryRead(ReadOnlySpan<byte> head, DateTimeOffset now, out ResponseFacts facts)
    {
        facts = default;
        facts.AgeSeconds = -1;
        facts.ContentLength = -1;
        if (!FieldScan.TryReadStatusLine(head, out facts.Status, out facts.Reason, out facts.Fields))
        {
            return false;
        }

        var control = new CacheControl.Builder();
        foreach (HeaderField field in new HeaderFieldEnumerator(facts.Fields))
        {
            ReadOnlySpan<byte> name = field.Name, value = field.Value;
            switch (name.Length)
            {
                case 3 when Ascii.EqualsIgnoreCase(name, "Age"u8):
                    // A list-valued Age uses its first member; an invalid one is ignored (RFC 9111 §5.1).
                    if (facts.AgeSeconds < 0)
                    {
                        HeaderValueParsing.TryTakeListElement(ref value, out ReadOnlySpan<byte> first);
                        facts.AgeSeconds = CacheControl.TryParseDeltaSeconds(first, out long age) ? age : -1;
                    }

                    break;
                case 4 when Ascii.EqualsIgnoreCase(name, "Date"u8):
                    if (!facts.HasDate && HttpDate.TryParse(value, now, out DateTimeOffset date))
                    {
                        facts.HasDate = true;
                        facts.DateTicks = date.UtcTicks;
                    }

                    break;
                case 4 when Ascii.EqualsIgnoreCase(name, "ETag"u8):
                    if (!facts.HasETag && EntityTag.TryParse(value, out _))
                    {
                        facts.HasETag = true;
                        facts.ETag = value;
                    }

                    break;
                case 4 when Ascii.EqualsIgnoreCase(name, "Vary"u8):
                    facts.HasVary = true;
                    facts.VaryStar |= FieldScan.ValueListContains(value, "*"u8);
                    break;
                case 7 when Ascii.EqualsIgnoreCase(name, "Expires"u8):
                    // The first Expires counts; an invalid one (such as "0") means already expired (RFC 9111 §5.3).
                    if (!facts.HasExpires)
                    {
                        facts.HasExpires = true;
                        facts.ExpiresValid = HttpDate.TryParse(value, now, out DateTimeOffset expires);
                        facts.ExpiresTicks = expires.UtcTicks;
                    }

                    break;
                case 8 when Ascii.EqualsIgnoreCase(name, "Location"u8):
                    facts.Location = facts.Location.IsEmpty ? value : facts.Location;
                    break;
                case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                    facts.HasConnection = true;
                    break;
                case 13 when Ascii.EqualsIgnoreCase(name, "Cache-Control"u8):
                    control.Add(value);
                    break;
                case 13 when Ascii.EqualsIgnoreCase(name, "Last-Modified"u8):
                    if (!facts.HasLastModified && HttpDate.TryParse(value, now, out DateTimeOffset modified))
                    {
                        facts.HasLastModified = true;
                        facts.LastModified = value;
                        facts.LastModifiedTicks = modified.UtcTicks;
                    }

                    break;
                case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                    facts.ContentLength = HeaderValueParsing.TryParseDecimal(value, out long length) ? length : -1;
                    break;
                case 16 when Ascii.EqualsIgnoreCase(name, "Content-Location"u8):
                    facts.ContentLocation = facts.ContentLocation.IsEmpty ? value : facts.ContentLocation;
                    break;
            }
        }

        facts.Control = control.Build();
        return true;
    }

    /// <summary>The strong or weak entity tag, when there is one.</summary>
    public readonly bool TryGetETag(out EntityTag tag)
    {
        tag = default;
        return HasETag && EntityTag.TryParse(ETag, out tag);
    }
}
