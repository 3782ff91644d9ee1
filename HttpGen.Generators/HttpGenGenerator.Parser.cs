using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using HttpGen.Generators.Helpers;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HttpGen.Generators;

public sealed partial class HttpGenGenerator
{
    internal const string RequestAttributeName = "HttpGen.HttpRequestAttribute";
    internal const string ResponseAttributeName = "HttpGen.HttpResponseAttribute";
    internal const string HeaderAttributeName = "HttpGen.HttpHeaderAttribute";

    /// <summary>At most this many headers per type: one bit each in the generated presence mask.</summary>
    internal const int MaxDeclaredHeaders = 64;

    /// <summary>
    /// Turns symbols into a <see cref="MessageTypeSpec"/> and diagnostics. Nothing it returns refers to a symbol,
    /// a syntax node or a compilation, so the incremental driver can compare results by value.
    /// </summary>
    internal static class Parser
    {
        /// <summary>Names the generated code adds to message types (the union over requests and responses).</summary>
        internal static readonly string[] ReservedMembers =
        {
            "TryParse", "Reset", "TryFormat", "WriteTo", "Options", "Method", "RawMethod", "Target", "TargetForm", "Path",
            "Query", "Version", "StatusCode", "ReasonPhrase", "RequestMethod", "BodyFraming", "KeepAlive", "Error",
            "Headers", "ExtraHeaders",
        };

        // The framing headers have fixed ids in every matcher (HttpGen.Parsing.KnownHeaderIds).
        private static readonly string[] FramingHeaders = { "host", "content-length", "transfer-encoding", "connection", "expect" };

        public static MessageTypeResult Parse(GeneratorAttributeSyntaxContext context, MessageKind kind, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            var diagnostics = new List<DiagnosticInfo>();
            Location location = syntax.Identifier.GetLocation();

            if (kind == MessageKind.Request && HasAttribute(type, ResponseAttributeName))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RequestAndResponse, location, type.Name));
            }

            if (kind == MessageKind.Response && HasAttribute(type, RequestAttributeName))
            {
                return Result(null, diagnostics); // reported once, by the request side
            }

            if (type.TypeKind != TypeKind.Class || type.IsRecord || type.IsStatic)
            {
                string what = type.IsRecord ? "a record" : type.IsStatic ? "a static class" : "a " + type.TypeKind.ToString().ToLowerInvariant();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAClass, location, type.Name, what));
            }
            else if (type.ContainingType is not null || type.TypeParameters.Length > 0)
            {
                string what = type.ContainingType is not null ? "nested in '" + type.ContainingType.Name + "'" : "generic";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTypeShape, location, type.Name, what));
            }
            else if (!IsPartialEverywhere(type, cancellationToken))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, location, type.Name));
            }

            else if (!type.InstanceConstructors.Any(c => c.Parameters.Length == 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoParameterlessConstructor, location, type.Name));
            }

            OptionsSpec options = ReadOptions(context.Attributes[0], type, location, diagnostics);
            EquatableArray<HeaderPropertySpec> headers = ReadHeaders(type, diagnostics, cancellationToken);
            CheckReservedNames(type, diagnostics);

            if (diagnostics.Count > 0)
            {
                return Result(null, diagnostics);
            }

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            return Result(new MessageTypeSpec(ns, type.Name, kind, options, headers), diagnostics);
        }

        /// <summary>A [HttpHeader] property whose type is not a message type.</summary>
        public static DiagnosticInfo? CheckOrphanHeader(GeneratorAttributeSyntaxContext context)
        {
            INamedTypeSymbol? owner = context.TargetSymbol.ContainingType;
            if (owner is null || HasAttribute(owner, RequestAttributeName) || HasAttribute(owner, ResponseAttributeName))
            {
                return null;
            }

            var property = (PropertyDeclarationSyntax)context.TargetNode;
            return DiagnosticInfo.Create(DiagnosticDescriptors.HeaderOutsideMessage, property.Identifier.GetLocation(), context.TargetSymbol.Name, owner.Name);
        }

        private static MessageTypeResult Result(MessageTypeSpec? spec, List<DiagnosticInfo> diagnostics) =>
            new(spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));

        private static bool HasAttribute(ISymbol symbol, string metadataName)
        {
            foreach (AttributeData attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == metadataName)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return false;
                }
            }

            return true;
        }

        private static OptionsSpec ReadOptions(AttributeData attribute, INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics)
        {
            int maxRequestLine = 0, maxHeaderBlock = 0, maxHeaderCount = 0, maxFieldName = 0, maxFieldValue = 0;
            bool allowBareLf = false, enumerateAll = false;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                object? value = argument.Value.Value;
                switch (argument.Key)
                {
                    case "MaxRequestLineLength":
                        maxRequestLine = Limit(argument.Key, value);
                        break;
                    case "MaxHeaderBlockLength":
                        maxHeaderBlock = Limit(argument.Key, value);
                        break;
                    case "MaxHeaderCount":
                        maxHeaderCount = Limit(argument.Key, value);
                        break;
                    case "MaxFieldNameLength":
                        maxFieldName = Limit(argument.Key, value);
                        break;
                    case "MaxFieldValueLength":
                        maxFieldValue = Limit(argument.Key, value);
                        break;
                    case "AllowBareLineFeed":
                        allowBareLf = value is true;
                        break;
                    case "EnumerateAllHeaders":
                        enumerateAll = value is true;
                        break;
                }
            }

            return new OptionsSpec(maxRequestLine, maxHeaderBlock, maxHeaderCount, maxFieldName, maxFieldValue, allowBareLf, enumerateAll);

            int Limit(string name, object? value)
            {
                int limit = value is int i ? i : 0;
                if (limit < 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLimit, location, type.Name, name, limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    return 0;
                }

                return limit;
            }
        }

        private static EquatableArray<HeaderPropertySpec> ReadHeaders(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var headers = new List<HeaderPropertySpec>();
            var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int nextId = FramingHeaders.Length;
            foreach (ISymbol member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is not IPropertySymbol property || !TryGetHeaderName(property, out string? headerName, out AttributeData? attribute))
                {
                    continue;
                }

                Location location = property.Locations.Length > 0 ? property.Locations[0] : Location.None;
                int before = diagnostics.Count;
                if (!IsToken(headerName))
                {
                    Location attributeLocation = attribute!.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? location;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHeaderName, attributeLocation, headerName ?? "(null)"));
                }
                else if (byName.TryGetValue(headerName!, out string? other))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateHeader, location, headerName!, other));
                }
                else
                {
                    byName.Add(headerName!, property.Name);
                }

                if (!property.IsPartialDefinition || property.PartialImplementationPart is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PropertyNotPartial, location, property.Name));
                }
                else if (!HasExpectedShape(property))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongAccessors, location, property.Name,
                        "an instance property with a 'get' accessor and, to set the value before writing, a 'set' accessor (not 'init')"));
                }

                if (property.SetMethod is not null && headerName is not null
                    && (string.Equals(headerName, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || string.Equals(headerName, "Connection", StringComparison.OrdinalIgnoreCase)))
                {
                    bool te = string.Equals(headerName, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FramingHeaderSetter, location, property.Name, headerName, te ? "BodyFraming" : "KeepAlive"));
                }

                HeaderValueKind? valueKind = Classify(property.Type, property.NullableAnnotation);
                if (valueKind is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedPropertyType, location, property.Name, property.Type.ToDisplayString()));
                }

                if (diagnostics.Count > before)
                {
                    continue;
                }

                int framingIndex = Array.IndexOf(FramingHeaders, headerName!.ToLowerInvariant());
                int id = framingIndex >= 0 ? framingIndex : nextId++;
                headers.Add(new HeaderPropertySpec(
                    property.Name,
                    headerName,
                    id,
                    headers.Count,
                    valueKind!.Value,
                    property.Type.ToDisplayString(FullyQualifiedWithNullability),
                    AccessibilityText(property.DeclaredAccessibility),
                    property.SetMethod is not null));
            }

            if (headers.Count > MaxDeclaredHeaders)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyHeaders, type.Locations[0], type.Name,
                    headers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), MaxDeclaredHeaders.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return new EquatableArray<HeaderPropertySpec>(headers.ToArray());
        }

        // A getter always; a setter when the value is to be written (init-only cannot work: messages are reused).
        private static bool HasExpectedShape(IPropertySymbol property) =>
            !property.IsStatic && !property.IsIndexer && property.GetMethod is not null && property.SetMethod is not { IsInitOnly: true };

        private static void CheckReservedNames(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
        {
            foreach (ISymbol member in type.GetMembers())
            {
                if (member.IsImplicitlyDeclared || Array.IndexOf(ReservedMembers, member.Name) < 0)
                {
                    continue;
                }

                Location location = member.Locations.Length > 0 ? member.Locations[0] : Location.None;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservedMemberName, location, member.Name, type.Name, string.Join(", ", ReservedMembers)));
            }
        }

        private static bool TryGetHeaderName(IPropertySymbol property, out string? name, out AttributeData? attribute)
        {
            foreach (AttributeData candidate in property.GetAttributes())
            {
                if (candidate.AttributeClass?.ToDisplayString() == HeaderAttributeName)
                {
                    attribute = candidate;
                    name = candidate.ConstructorArguments.Length == 1 ? candidate.ConstructorArguments[0].Value as string : null;
                    return true;
                }
            }

            name = null;
            attribute = null;
            return false;
        }

        /// <summary>tchar per RFC 9110 §5.6.2.</summary>
        internal static bool IsToken(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return false;
            }

            foreach (char c in name!)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        private static HeaderValueKind? Classify(ITypeSymbol type, NullableAnnotation annotation)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_String:
                    // A non-nullable string could not say "absent"; oblivious (nullable disabled) is accepted.
                    return annotation == NullableAnnotation.NotAnnotated ? null : HeaderValueKind.String;
                case SpecialType.System_Boolean:
                    return HeaderValueKind.Presence;
            }

            if (type is INamedTypeSymbol named)
            {
                if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
                {
                    return named.TypeArguments[0].SpecialType switch
                    {
                        SpecialType.System_Int64 => HeaderValueKind.Int64,
                        SpecialType.System_Int32 => HeaderValueKind.Int32,
                        _ => null,
                    };
                }

                string name = named.OriginalDefinition.ToDisplayString();
                if (name == "System.ReadOnlySpan<T>" && named.TypeArguments[0].SpecialType == SpecialType.System_Byte)
                {
                    return HeaderValueKind.Span;
                }

                if (name == "HttpGen.HeaderValue")
                {
                    return HeaderValueKind.HeaderValue;
                }
            }

            return null;
        }

        private static readonly SymbolDisplayFormat FullyQualifiedWithNullability =
            SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };
    }
}
