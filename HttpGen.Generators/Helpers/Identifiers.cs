using Microsoft.CodeAnalysis.CSharp;

namespace HttpGen.Generators.Helpers;

/// <summary>Names as they must be written in C# source.</summary>
internal static class Identifiers
{
    /// <summary>A name that is a reserved keyword (<c>default</c>, <c>class</c>) written as a verbatim identifier (<c>@default</c>).</summary>
    public static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>
    /// Whether the compiler warns about the type's name at each of its declarations (CS8981: lowercase ASCII letters
    /// only). The user sees the warning on their own declaration; a generated declaration turns it off
    /// (<see cref="LowercaseTypeNamePragma"/>) rather than repeat it.
    /// </summary>
    public static bool IsLowercaseTypeName(string name)
    {
        name = name.TrimStart('@');
        foreach (char c in name)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return name.Length > 0;
    }

    public const string LowercaseTypeNamePragma = "#pragma warning disable CS8981 // reported on the user's own declaration of the type";
}
