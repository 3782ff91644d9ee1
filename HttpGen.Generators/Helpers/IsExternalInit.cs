namespace System.Runtime.CompilerServices;

// Lets records and init accessors compile for netstandard2.0.
internal static class IsExternalInit
{
}
