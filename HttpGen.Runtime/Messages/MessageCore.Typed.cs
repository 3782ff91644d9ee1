using HttpGen.Caching;
using HttpGen.Parsing;

namespace HttpGen.Messages;

// The accessors of the typed header properties: DateTimeOffset?, CacheControl and EntityTag.
public partial struct MessageCore<TParser, THeaders>
{
    /// <summary>A <c>DateTimeOffset?</c> property's value: parsed on first read; null when absent or not an HTTP-date.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <returns>The date, in UTC.</returns>
    public DateTimeOffset? Date(ref DateSlot slot) => slot.Get(Parser.Head);

    /// <summary>Sets a <c>DateTimeOffset?</c> property: written as an IMF-fixdate, in UTC, to the second; null removes the header.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <param name="value">The date.</param>
    public void Set(ref DateSlot slot, DateTimeOffset? value) => slot.Set(value, ref _arena);

    /// <summary>A <see cref="Caching.CacheControl"/> property's value: every line's directives, parsed on first read.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <returns>The directives; <c>default</c> (none) when absent.</returns>
    public CacheControl CacheControl(ref CacheControlSlot slot) => slot.Get(Parser.Head);

    /// <summary>Sets a <see cref="Caching.CacheControl"/> property, formatted now; no directives removes the header.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <param name="value">The directives.</param>
    public void Set(ref CacheControlSlot slot, CacheControl value) => slot.Set(value, ref _arena);

    /// <summary>An <see cref="Caching.EntityTag"/> property's value, parsed on each read (a view, nothing copied).</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <returns>The tag; <c>default</c> (<see cref="EntityTag.IsPresent"/> false) when absent or not one entity tag.</returns>
    public EntityTag EntityTag(in BytesSlot slot) =>
        slot.IsPresent && Caching.EntityTag.TryParse(slot.Bytes.Resolve(Parser.Head).Span, out EntityTag tag) ? tag : default;

    /// <summary>Sets an <see cref="Caching.EntityTag"/> property: formatted and copied; <c>default</c> removes the header.</summary>
    /// <param name="slot">The property's slot in <see cref="Declared"/>.</param>
    /// <param name="value">The tag.</param>
    /// <exception cref="ArgumentException">The memory the tag views changed since it was made or parsed, and no longer holds a tag.</exception>
    public void Set(ref BytesSlot slot, EntityTag value)
    {
        if (!value.IsPresent)
        {
            slot.SetOwned(default, present: false);
            return;
        }

        // Checked again: a tag is a view of memory the caller owns, which may have changed since it was checked; the
        // copy is written unchecked.
        if (!value.HasValidCharacters)
        {
            throw new ArgumentException("The entity tag holds a double quote, white space or control characters.", nameof(value));
        }

        int size = value.FormattedLength;
        Span<byte> formatted = size <= 256 ? stackalloc byte[256] : new byte[size];
        value.TryFormat(formatted, out int length);
        slot.SetOwned(_arena.Copy(formatted[..length]), present: true);
    }
}
