namespace HttpGen.Server;

/// <summary>
/// The slowest a peer may send a request body, or read a response, before the server gives up on it: a rate in bytes
/// per second, enforced after a grace period. It protects against clients that hold a connection open by trickling
/// bytes or by never reading (RFC 9112 §9.5 lets a server close an unproductive connection).
/// </summary>
public sealed class MinDataRate
{
    /// <summary>Creates a rate.</summary>
    /// <param name="bytesPerSecond">The least bytes per second; must be positive.</param>
    /// <param name="gracePeriod">Time allowed before the rate applies; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public MinDataRate(double bytesPerSecond, TimeSpan gracePeriod)
    {
        if (!(bytesPerSecond > 0) || double.IsInfinity(bytesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "The rate must be a positive number of bytes per second.");
        }

        if (gracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(gracePeriod), gracePeriod, "The grace period cannot be negative.");
        }

        BytesPerSecond = bytesPerSecond;
        GracePeriod = gracePeriod;
    }

    /// <summary>The least bytes per second.</summary>
    public double BytesPerSecond { get; }

    /// <summary>Time allowed before the rate applies.</summary>
    public TimeSpan GracePeriod { get; }

    /// <summary>The time allowed to transfer <paramref name="bytes"/>: the grace period plus their length at this rate.</summary>
    /// <param name="bytes">A byte count.</param>
    /// <returns>The allowance.</returns>
    public TimeSpan Allowance(long bytes) => GracePeriod + TimeSpan.FromSeconds(bytes / BytesPerSecond);

    /// <inheritdoc/>
    public override string ToString() => $"{BytesPerSecond} B/s after {GracePeriod.TotalSeconds} s";
}
