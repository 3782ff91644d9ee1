using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// One fuzz input: the bytes, and a seed that drives everything else random about the check (split points, segment
/// sizes, which buffer moves). Printed as a C# string literal, so that a failure is a copy-and-paste repro.
/// </summary>
public sealed record FuzzCase(byte[] Input, int Seed, string Origin)
{
    public override string ToString() => $"{Origin}, seed {Seed}, {Input.Length} bytes: {Literal(Input)}";

    /// <summary>The bytes as a C# string literal (Latin-1), with CR, LF, HTAB and every other non-printable escaped.</summary>
    public static string Literal(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder("\"");
        foreach (byte b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\t' => "\\t",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\u{b:X4}",
            });
        }

        return text.Append('"').ToString();
    }
}

/// <summary>
/// Makes inputs by mutating <see cref="Corpus"/> entries the way broken and hostile peers do: byte flips, inserted
/// CR, LF, NUL, SP, HTAB, ':', ',', ';' and obs-text, duplicated, reordered and dropped lines, edited Content-Length
/// and Transfer-Encoding values, truncation; now and then plain random bytes.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] Interesting = [(byte)'\r', (byte)'\n', 0, (byte)' ', (byte)'\t', (byte)':', (byte)',', (byte)';', 0x80, 0xA0, 0xE9, 0xFF, 0x7F, (byte)'"', (byte)'\\', (byte)'/', (byte)'?', (byte)'%', (byte)'#', (byte)'=', (byte)'0', (byte)'a', (byte)'[', (byte)']', (byte)'@'];

    private static readonly string[] ContentLengths = ["0", "5", "-1", "+5", "5 5", "5,5", "5, 5", "00005", " 7 ", "0x10", "1e3", "", "99999999999999999999", "9223372036854775807", "9223372036854775808", "18446744073709551616", "\t3", "3\u00a0", "\u0661"];

    private static readonly string[] TransferEncodings = ["chunked", "gzip, chunked", "chunked, gzip", "Chunked", "CHUNKED", "chunked;q=1", "identity", "chunked, chunked", " chunked ", "\tchunked", "x-gzip,chunked", "", ",chunked", "chunked,", "gzip,,chunked", "br, chunked", "chunked\u00a0", "chunk\u00e9d", "deflate , chunked"];

    private static readonly string[] ExtraLines = ["Content-Length: 3", "Transfer-Encoding: chunked", "Host: other.example", "Connection: close", "Connection: keep-alive, Upgrade", "Expect: 100-continue", " folded continuation", "\tfolded", "X-Empty:", "X-Spaces:   ", ": no-name", "NoColon", "Bad Name: v", "Name : v", "Max-Forwards: 10", "DNT: 1"];

    /// <summary>Mutants of the request corpus, with a seed for the check's own choices.</summary>
    public static Arbitrary<FuzzCase> Requests { get; } = Arbitrary(Corpus.Requests);

    /// <summary>Mutants of the response corpus.</summary>
    public static Arbitrary<FuzzCase> Responses { get; } = Arbitrary(Corpus.Responses);

    /// <summary>Applies 1 to 4 random mutations to a random corpus entry (or, one time in ten, makes random bytes).</summary>
    public static FuzzCase Make((string Name, byte[] Bytes)[] corpus, int seed)
    {
        var random = new Random(seed);
        if (random.Next(10) == 0)
        {
            var noise = new byte[random.Next(0, 48)];
            for (int i = 0; i < noise.Length; i++)
            {
                noise[i] = random.Next(2) == 0 ? (byte)random.Next(256) : Pick(random, Interesting);
            }

            return new FuzzCase(noise, seed, "random bytes");
        }

        (string name, byte[] bytes) = corpus[random.Next(corpus.Length)];
        var data = new List<byte>(bytes);
        int edits = random.Next(4) == 0 ? 0 : random.Next(1, 5);
        var applied = new List<string>();
        for (int e = 0; e < edits; e++)
        {
            applied.Add(Mutate(random, data));
        }

        return new FuzzCase(data.ToArray(), seed, edits == 0 ? name : $"{name} + {string.Join(", ", applied)}");
    }

    private static string Mutate(Random random, List<byte> data)
    {
        int at = data.Count == 0 ? 0 : random.Next(data.Count);
        switch (random.Next(12))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << random.Next(8));
                return "bit flip";
            case 1 when data.Count > 0:
                data[at] = Pick(random, Interesting);
                return "byte replaced";
            case 2:
            case 3:
                data.InsertRange(at, random.Next(4) == 0 ? "\r\n"u8.ToArray() : [Pick(random, Interesting)]);
                return "byte inserted";
            case 4 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, random.Next(1, 4)));
                return "bytes removed";
            case 5:
                return EditLines(random, data, (lines, i) => lines.Insert(i, lines[i]), "line duplicated");
            case 6:
                return EditLines(random, data, (lines, i) => (lines[i], lines[^1]) = (lines[^1], lines[i]), "lines swapped");
            case 7:
                return EditLines(random, data, (lines, i) => lines.RemoveAt(i), "line removed");
            case 8:
                return EditValue(random, data, "Content-Length", ContentLengths);
            case 9:
                return EditValue(random, data, "Transfer-Encoding", TransferEncodings);
            case 10:
                return EditLines(random, data, (lines, i) => lines.Insert(i + 1, Pick(random, ExtraLines)), "line added");
            default:
                data.RemoveRange(at, data.Count - at);
                return "truncated";
        }
    }

    // The head's lines (up to the blank line), edited; the line at index 0 is the start line and is left in place.
    private static string EditLines(Random random, List<byte> data, Action<List<string>, int> edit, string what)
    {
        string text = Encoding.Latin1.GetString(data.ToArray());
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return what + " (no head)";
        }

        var lines = text[..end].Split("\r\n").ToList();
        if (lines.Count < 2)
        {
            return what + " (no header)";
        }

        edit(lines, random.Next(1, lines.Count));
        byte[] head = Encoding.Latin1.GetBytes(string.Join("\r\n", lines));
        data.RemoveRange(0, end);
        data.InsertRange(0, head);
        return what;
    }

    // Replaces the value of the first line with this name, or adds such a line.
    private static string EditValue(Random random, List<byte> data, string name, string[] values)
    {
        string value = Pick(random, values);
        string text = Encoding.Latin1.GetString(data.ToArray());
        int line = text.IndexOf("\r\n" + name + ":", StringComparison.OrdinalIgnoreCase);
        if (line < 0)
        {
            int first = text.IndexOf("\r\n", StringComparison.Ordinal);
            data.InsertRange(first < 0 ? data.Count : first, Encoding.Latin1.GetBytes($"\r\n{name}: {value}"));
            return $"{name}: {value} added";
        }

        int start = line + name.Length + 3;
        int end = text.IndexOf("\r\n", start, StringComparison.Ordinal);
        end = end < 0 ? text.Length : end;
        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.Latin1.GetBytes(" " + value));
        return $"{name}: {value}";
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static Arbitrary<FuzzCase> Arbitrary((string Name, byte[] Bytes)[] corpus) =>
        Arb.From(Gen.Choose(0, int.MaxValue).Select(seed => Make(corpus, seed)), Shrink);

    /// <summary>Smaller inputs with the same seed: halves, quarters ... single bytes removed, for a short repro.</summary>
    public static IEnumerable<FuzzCase> Shrink(FuzzCase c)
    {
        byte[] input = c.Input;
        for (int size = input.Length / 2; size >= 1; size /= 2)
        {
            for (int start = 0; start + size <= input.Length; start += size)
            {
                yield return c with { Input = [.. input.AsSpan(0, start), .. input.AsSpan(start + size)], Origin = c.Origin.StartsWith("shrunk", StringComparison.Ordinal) ? c.Origin : "shrunk from " + c.Origin };
            }
        }
    }
}
