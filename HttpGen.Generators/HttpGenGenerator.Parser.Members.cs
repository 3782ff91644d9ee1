using System;
using System.Collections.Generic;
using HttpGen.Generators.Helpers;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace HttpGen.Generators;

public sealed partial class HttpGenGenerator
{
    internal static partial class Parser
    {
        // The members the emitter adds to a message type, by name. A user member of one of these names would clash with
        // it (CS0102/CS0111), an inherited one would be hidden (CS0108); docs/diagnostics.md lists the same names, and
        // a test compares them with the members of real generated code.

        /// <summary>Public members on every message type.</summary>
        internal static readonly string[] CommonMembers =
        {
            "TryParse", "TryFormat", "WriteTo", "Reset", "Options", "Version", "BodyFraming", "KeepAlive", "Error", "ExtraHeaders",
        };

        /// <summary>Public members on [HttpRequest] types only.</summary>
        internal static readonly string[] RequestMembers = { "Method", "RawMethod", "Target", "TargetForm", "Path", "Query" };

        /// <summary>Public members on [HttpResponse] types only.</summary>
        internal static readonly string[] ResponseMembers = { "StatusCode", "ReasonPhrase", "RequestMethod" };

        /// <summary>The public member added with <c>EnumerateAllHeaders = true</c>.</summary>
        internal const string EnumerateAllHeadersMember = "Headers";

        /// <summary>
        /// Every private member the generated code declares (the field that holds the message core, the struct of the
        /// declared headers) starts with this: C# reserves names with two underscores for generated code.
        /// </summary>
        internal const string ReservedPrefix = "__";

        /// <summary>The public names generated on a message type of this kind and options.</summary>
        internal static List<string> PublicMembers(MessageKind kind, bool enumerateAllHeaders)
        {
            var names = new List<string>(CommonMembers);
            names.AddRange(kind == MessageKind.Request ? RequestMembers : ResponseMembers);
            if (enumerateAllHeaders)
            {
                names.Add(EnumerateAllHeadersMember);
            }

            return names;
        }

        private static bool IsReserved(string name, List<string> publicMembers) =>
            name.StartsWith(ReservedPrefix, StringComparison.Ordinal) || publicMembers.Contains(name);

        /// <summary>HTTPGEN009 for the type's name and its own members, HTTPGEN020 for inherited ones.</summary>
        private static void CheckReservedNames(INamedTypeSymbol type, MessageKind kind, bool enumerateAllHeaders, Location typeLocation, List<DiagnosticInfo> diagnostics)
        {
            List<string> publicMembers = PublicMembers(kind, enumerateAllHeaders);
            string reservedList = string.Join(", ", publicMembers) + " and every name that starts with '" + ReservedPrefix + "'";

            // A member may not have the name of its type (CS0542), so the type's own name is reserved too.
            if (IsReserved(type.Name, publicMembers))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservedMemberName, typeLocation, type.Name, type.Name, reservedList));
            }

            foreach (ISymbol member in type.GetMembers())
            {
                if (!member.IsImplicitlyDeclared && member.CanBeReferencedByName && IsReserved(member.Name, publicMembers))
                {
                    Location location = member.Locations.Length > 0 ? member.Locations[0] : typeLocation;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservedMemberName, location, member.Name, type.Name, reservedList));
                }
            }

            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
            {
                var clashes = new List<string>();
                foreach (ISymbol member in baseType.GetMembers())
                {
                    if (!member.IsImplicitlyDeclared && member.CanBeReferencedByName && member.DeclaredAccessibility != Accessibility.Private
                        && IsReserved(member.Name, publicMembers) && !clashes.Contains(member.Name))
                    {
                        clashes.Add(member.Name);
                    }
                }

                // The base's own generated members are not in this compilation yet: a message base type has them all.
                MessageKind? baseKind = HasAttribute(baseType, RequestAttributeName) ? MessageKind.Request
                    : HasAttribute(baseType, ResponseAttributeName) ? MessageKind.Response : null;
                if (baseKind is { } k)
                {
                    foreach (string name in PublicMembers(k, enumerateAllHeaders: true))
                    {
                        if (publicMembers.Contains(name) && !clashes.Contains(name))
                        {
                            clashes.Add(name);
                        }
                    }
                }

                if (clashes.Count > 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InheritedMemberClash, typeLocation, type.Name,
                        "'" + string.Join("', '", clashes) + "'", baseType.Name));
                }
            }
        }

        /// <summary>A partial property definition that nothing implements yet: HttpGen writes its implementation.</summary>
        private static bool NeedsImplementation(IPropertySymbol property) =>
            property.IsPartialDefinition && property.PartialImplementationPart is null;

        /// <summary>What is wrong with a header property's declaration, phrased to follow "Property 'X' must be ", or null.</summary>
        private static string? ShapeProblem(IPropertySymbol property)
        {
            if (property.IsIndexer)
            {
                return "a named property, not an indexer: one property holds one header";
            }

            // In a static class (HTTPGEN003) every member is static: that is the type's error, not the property's.
            if (property.IsStatic && !property.ContainingType.IsStatic)
            {
                return "an instance property: remove 'static' (each message instance holds its own values)";
            }

            if (property.IsAbstract)
            {
                return "implemented by HttpGen: remove 'abstract'";
            }

            if (property.IsVirtual || property.IsOverride || property.IsSealed)
            {
                string modifier = property.IsVirtual ? "virtual" : property.IsSealed ? "sealed override" : "override";
                return "non-virtual: remove '" + modifier + "' (the parser stores the value in a field that an override would not read)";
            }

            if (property.IsRequired)
            {
                return "settable after construction: remove 'required' (the server and client create messages with 'new()')";
            }

            if (property.ReturnsByRef || property.ReturnsByRefReadonly)
            {
                return "returned by value: remove 'ref'";
            }

            if (property.GetMethod is null)
            {
                return "readable: add a 'get' accessor";
            }

            if (property.SetMethod is { IsInitOnly: true })
            {
                return "get-only, or settable with 'set' (not 'init'): messages are reused, so a value is set after construction";
            }

            return null;
        }
    }
}
