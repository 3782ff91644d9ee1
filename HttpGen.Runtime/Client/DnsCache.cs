using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace HttpGen.Client;

/// <summary>
/// Host name to addresses, from <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>, kept for a bounded
/// time. IP literals never get here. Failures are not cached. The table is bounded: past its size it is cleared.
/// </summary>
internal sealed class DnsCache
{
    private const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly long _ttlMs;

    public DnsCache(TimeSpan ttl) => _ttlMs = (long)ttl.TotalMilliseconds;

    private sealed record Entry(IPAddress[] Addresses, long ExpiresAt);

    /// <summary>The addresses of <paramref name="origin"/>, in the resolver's order.</summary>
    /// <exception cref="HttpGenClientException">The name did not resolve (<see cref="HttpClientErrorKind.NameResolution"/>).</exception>
    public ValueTask<IPAddress[]> ResolveAsync(HttpOrigin origin, long timeoutMs, CancellationToken cancellationToken)
    {
        if (origin.AddressList is { } literal)
        {
            return new ValueTask<IPAddress[]>(literal);
        }

        if (_ttlMs > 0 && _entries.TryGetValue(origin.Host, out Entry? entry) && entry.ExpiresAt > Environment.TickCount64)
        {
            return new ValueTask<IPAddress[]>(entry.Addresses);
        }

        return LookUpAsync(origin, timeoutMs, cancellationToken);
    }

    private async ValueTask<IPAddress[]> LookUpAsync(HttpOrigin origin, long timeoutMs, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeoutMs != long.MaxValue)
        {
            timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, timeoutMs)));
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(origin.Host, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new HttpGenClientException(HttpClientErrorKind.NameResolution, $"Could not resolve the host of {origin}: {e.Message} ({e.SocketErrorCode}).", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpGenClientException(HttpClientErrorKind.NameResolution, $"Could not resolve the host of {origin}: no answer within {timeoutMs} ms.");
        }

        // Only the families a TCP socket can use, in the resolver's order (it sorts by RFC 6724 preference).
        addresses = Array.FindAll(addresses, a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);
        if (addresses.Length == 0)
        {
            throw new HttpGenClientException(HttpClientErrorKind.NameResolution, $"Could not resolve the host of {origin}: the name has no IPv4 or IPv6 address.");
        }

        if (_ttlMs > 0)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[origin.Host] = new Entry(addresses, Environment.TickCount64 + _ttlMs);
        }

        return addresses;
    }
}
