namespace HttpGen.Generators;

/// <summary>Names of the pipeline steps, so that tests can check that each step is cached.</summary>
internal static class TrackingNames
{
    public const string RequestTypes = nameof(RequestTypes);
    public const string ResponseTypes = nameof(ResponseTypes);
    public const string OrphanHeaders = nameof(OrphanHeaders);
}
