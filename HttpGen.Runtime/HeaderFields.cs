namespace HttpGen;

/// <summary>One header line of a parsed head: its name as received and its trimmed value.</summary>
public readonly ref struct HeaderField
{
    internal HeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The field name, in the case it was received.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The field value without surrounding white space.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Whether the field name equals <paramref name="name"/>, ignoring ASCII case.</summary>
    /// <param name="name">The name to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool NameEquals(ReadOnlySpan<byte> name) => System.Text.Ascii.EqualsIgnoreCase(Name, name);
}

/// <summary>
/// Walks the header lines of an already validated header block without allocating. Use it with <c>foreach</c>.
/// </summary>
public ref struct HeaderFieldEnumerator
{
    private ReadOnlySpan<byte> _remaining;
    private HeaderField _current;

    /// <summary>Starts a walk over <paramref name="headerBlock"/>, the header lines of a parsed head.</summary>
    /// <param name="headerBlock">Header lines as validated by a generated parser.</param>
    public HeaderFieldEnumerator(ReadOnlySpan<byte> headerBlock)
    {
        _remaining = headerBlock;
        _current = default;
    }

    /// <summary>The current field.</summary>
    public readonly HeaderField Current => _current;

    /// <summary>Returns this enumerator, so that it works with <c>foreach</c>.</summary>
    /// <returns>This enumerator.</returns>
    public readonly HeaderFieldEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next field.</summary>
    /// <returns>False at the end of the block.</returns>
    public bool MoveNext()
    {
        int lf = _remaining.IndexOf((byte)'\n');
        // The block was validated by the parser: every line ends in LF (after CR unless bare LF was allowed),
        // and the blank line that ends the block is the first line with nothing before its line ending.
        if (lf <= 0 || (lf == 1 && _remaining[0] == (byte)'\r'))
        {
            _remaining = default;
            return false;
        }

        ReadOnlySpan<byte> line = _remaining[..lf];
        _remaining = _remaining[(lf + 1)..];
        if (line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        int colon = line.IndexOf((byte)':');
        _current = new HeaderField(line[..colon], Parsing.HttpCharacters.TrimWhitespace(line[(colon + 1)..]));
        return true;
    }
}
