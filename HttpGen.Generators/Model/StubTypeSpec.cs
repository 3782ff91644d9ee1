using HttpGen.Generators.Helpers;

namespace HttpGen.Generators.Model;

/// <summary>
/// A type HttpGen reported an error for, reopened only to implement its partial header properties with members that
/// throw: without them each such property adds its own compiler error (CS9248) beside the one HTTPGEN error.
/// </summary>
/// <param name="HintName">The generated file's name, unique in the compilation.</param>
/// <param name="Namespace">The containing namespace as C# source, or null for the global namespace.</param>
/// <param name="TypeName">The type's name as written in messages (for the file's comment).</param>
/// <param name="Declarations">The type declaration heads from the outermost containing type inward, for example
/// <c>partial class Outer&lt;T&gt;</c> then <c>partial record Inner</c>.</param>
/// <param name="Properties">The partial header properties that have no implementation.</param>
/// <param name="LowercaseTypeName">Whether one of the declared types has a name the compiler warns about (CS8981).</param>
internal sealed record StubTypeSpec(
    string HintName,
    string? Namespace,
    string TypeName,
    EquatableArray<string> Declarations,
    EquatableArray<StubPropertySpec> Properties,
    bool LowercaseTypeName);

/// <summary>One partial property to implement with accessors that throw.</summary>
/// <param name="Declaration">Everything before the accessor list: the declared modifiers (without <c>abstract</c>, which a
/// partial member cannot have), the fully qualified type, and the name or indexer parameters.</param>
/// <param name="Accessors">Each accessor as declared, with its own modifiers: <c>get</c>, <c>private set</c>, <c>init</c>.</param>
internal sealed record StubPropertySpec(string Declaration, EquatableArray<string> Accessors);

/// <summary>An [HttpHeader] property on a type that is not a message type: its diagnostic, and a stub when one can be written.</summary>
internal sealed record OrphanHeaderResult(DiagnosticInfo Diagnostic, StubTypeSpec? Stubs);
