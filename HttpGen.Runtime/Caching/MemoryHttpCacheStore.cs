namespace HttpGen.Caching;

/// <summary>
/// An in-memory <see cref="IHttpCacheStore"/> bounded by bytes: when a new response would take the total past the
/// capacity, the least recently used keys (with all their responses) are evicted. Safe for concurrent use: one short
/// lock around a dictionary and a linked list; a lookup allocates nothing.
/// </summary>
/// <remarks>
/// Stored responses are immutable and never pooled, so a reader holding one keeps it valid after its eviction (the
/// garbage collector frees it once nobody does). The responses of a key are kept in an array that is replaced, never
/// changed, so <see cref="Get"/> hands out a snapshot without copying.
/// </remarks>
public sealed class MemoryHttpCacheStore : IHttpCacheStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<byte[], Node> _map = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], Node>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private Node? _newest, _oldest;
    private long _size;
    private int _count;
    private long _evictions;

    private sealed class Node(byte[] key)
    {
        public readonly byte[] Key = key;
        public CachedResponse[] Responses = [];
        public long Size;
        public Node? Newer, Older;
    }

    /// <summary>Creates a store.</summary>
    /// <param name="capacity">The most bytes stored responses may hold together (see <see cref="CachedResponse.Size"/>).</param>
    /// <param name="maxResponsesPerKey">The most responses kept for one primary key (Vary variants); the oldest go first. Default 8.</param>
    public MemoryHttpCacheStore(long capacity, int maxResponsesPerKey = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResponsesPerKey, 1);
        Capacity = capacity;
        MaxResponsesPerKey = maxResponsesPerKey;
        _lookup = _map.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The most bytes stored responses may hold together.</summary>
    public long Capacity { get; }

    /// <summary>The most responses kept for one primary key.</summary>
    public int MaxResponsesPerKey { get; }

    /// <inheritdoc/>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public long Size => Interlocked.Read(ref _size);

    /// <summary>How many responses were evicted to make room (not counting expired or replaced ones).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <inheritdoc/>
    public ReadOnlyMemory<CachedResponse> Get(ReadOnlySpan<byte> primaryKey)
    {
        lock (_lock)
        {
            if (!_lookup.TryGetValue(primaryKey, out Node? node))
            {
                return ReadOnlyMemory<CachedResponse>.Empty;
            }

            MoveToNewest(node);
            return node.Responses;
        }
    }

    /// <inheritdoc/>
    /// <remarks>A response larger than <see cref="Capacity"/> is not stored.</remarks>
    public void Put(CachedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Size > Capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (!_lookup.TryGetValue(response.PrimaryKey, out Node? node))
            {
                node = new Node(response.PrimaryKey.ToArray());
                _map.Add(node.Key, node);
            }
            else
            {
                Unlink(node);
            }

            // The new response first, then the others but the one it replaces, up to the limit.
            CachedResponse[] old = node.Responses;
            int kept = 0;
            var responses = new CachedResponse[Math.Min(old.Length + 1, MaxResponsesPerKey)];
            responses[kept++] = response;
            foreach (CachedResponse other in old)
            {
                if (kept < responses.Length && !other.SecondaryKey.SequenceEqual(response.SecondaryKey))
                {
                    responses[kept++] = other;
                }
            }

            SetResponses(node, kept == responses.Length ? responses : responses[..kept]);
            LinkAsNewest(node);
            while (_size > Capacity && _oldest is { } victim && victim != node)
            {
                _evictions += victim.Responses.Length;
                RemoveNode(victim);
            }
        }
    }

    /// <inheritdoc/>
    public bool Remove(CachedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (_lock)
        {
            if (!_lookup.TryGetValue(response.PrimaryKey, out Node? node) || Array.IndexOf(node.Responses, response) < 0)
            {
                return false;
            }

            RemoveWhere(node, response, 0);
            return true;
        }
    }

    /// <inheritdoc/>
    public int RemoveAll(ReadOnlySpan<byte> primaryKey)
    {
        lock (_lock)
        {
            if (!_lookup.TryGetValue(primaryKey, out Node? node))
            {
                return 0;
            }

            int removed = node.Responses.Length;
            RemoveNode(node);
            return removed;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Walks every key under the lock: call it now and then (<see cref="HttpCache"/> does, on writes), not per request.</remarks>
    public int RemoveExpired(DateTimeOffset now)
    {
        long nowTicks = now.UtcTicks;
        int removed = 0;
        lock (_lock)
        {
            Node? node = _oldest;
            while (node is not null)
            {
                Node? next = node.Newer;
                int expired = 0;
                foreach (CachedResponse response in node.Responses)
                {
                    expired += response.RetainUntilTicks < nowTicks ? 1 : 0;
                }

                if (expired > 0)
                {
                    RemoveWhere(node, null, nowTicks);
                    removed += expired;
                }

                node = next;
            }
        }

        return removed;
    }

    // Removes `response` (by reference), or with `response` null every response retained until before `nowTicks`.
    private void RemoveWhere(Node node, CachedResponse? response, long nowTicks)
    {
        CachedResponse[] old = node.Responses;
        var kept = new List<CachedResponse>(old.Length);
        foreach (CachedResponse r in old)
        {
            if (response is null ? r.RetainUntilTicks >= nowTicks : !ReferenceEquals(r, response))
            {
                kept.Add(r);
            }
        }

        if (kept.Count == 0)
        {
            RemoveNode(node);
        }
        else if (kept.Count != old.Length)
        {
            SetResponses(node, [.. kept]);
        }
    }

    private void SetResponses(Node node, CachedResponse[] responses)
    {
        long size = 0;
        foreach (CachedResponse r in responses)
        {
            size += r.Size;
        }

        Interlocked.Add(ref _size, size - node.Size);
        Volatile.Write(ref _count, _count + responses.Length - node.Responses.Length);
        node.Size = size;
        node.Responses = responses;
    }

    private void RemoveNode(Node node)
    {
        SetResponses(node, []);
        Unlink(node);
        _map.Remove(node.Key);
    }

    private void MoveToNewest(Node node)
    {
        if (_newest != node)
        {
            Unlink(node);
            LinkAsNewest(node);
        }
    }

    private void LinkAsNewest(Node node)
    {
        node.Older = _newest;
        node.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = node;
        }

        _newest = node;
        _oldest ??= node;
    }

    private void Unlink(Node node)
    {
        if (node.Newer is not null)
        {
            node.Newer.Older = node.Older;
        }
        else if (_newest == node)
        {
            _newest = node.Older;
        }

        if (node.Older is not null)
        {
            node.Older.Newer = node.Newer;
        }
        else if (_oldest == node)
        {
            _oldest = node.Newer;
        }

        node.Newer = node.Older = null;
    }

    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
