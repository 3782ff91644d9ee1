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
    internal static partial class Parser
    {
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
                return new MessageTypeResult(null, EquatableArray<DiagnosticInfo>.Empty, null); // reported once, by the request side
            }

            CheckTypeShape(type, location, diagnostics, cancellationToken);
            OptionsSpec options = ReadOptions(context.Attributes[0], type, location, diagnostics, cancellationToken);
            EquatableArray<HeaderPropertySpec> headers = ReadHeaders(type, diagnostics, out bool compilerError, cancellationToken);
            CheckReservedNames(type, kind, options.EnumerateAllHeaders, location, diagnostics);

            var reported = new EquatableArray<DiagnosticInfo>(diagnostics.ToArray());
            if (diagnostics.Count > 0 || compilerError)
            {
                return new MessageTypeResult(null, reported, BuildStubs(type, HeaderPropertiesToImplement(type), cancellationToken));
            }

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(NamespaceFormat);
            var spec = new MessageTypeSpec(HintName(type), ns, Identifiers.Escape(type.Name), kind, options, headers);
            return new MessageTypeResult(spec, reported, null);
        }

        /// <summary>A [HttpHeader] property whose type is not a message type.</summary>
        public static OrphanHeaderResult? CheckOrphanHeader(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            INamedTypeSymbol? owner = context.TargetSymbol.ContainingType;
            if (owner is null || HasAttribute(owner, RequestAttributeName) || HasAttribute(owner, ResponseAttributeName))
            {
                return null;
            }

            var property = (IPropertySymbol)context.TargetSymbol;
            var syntax = (BasePropertyDeclarationSyntax)context.TargetNode;
            Location location = syntax is PropertyDeclarationSyntax named ? named.Identifier.GetLocation() : syntax.Type.GetLocation();
            DiagnosticInfo diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.HeaderOutsideMessage, location, property.Name, owner.Name);
            IPropertySymbol[] stub = NeedsImplementation(property) ? new[] { property } : Array.Empty<IPropertySymbol>();
            return new OrphanHeaderResult(diagnostic, BuildStubs(owner, stub, cancellationToken));
        }

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

        // One diagnostic for the first thing that rules the type out: each later check assumes the earlier ones passed.
        private static void CheckTypeShape(INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            if (type.TypeKind != TypeKind.Class || type.IsRecord || type.IsStatic)
            {
                string what = type.IsRecord ? "a record" : type.IsStatic ? "a static class" : "a " + type.TypeKind.ToString().ToLowerInvariant();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAClass, location, type.Name, what));
            }
            else if (type.IsFileLocal)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FileLocalType, location, type.Name));
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
            else if (type.IsAbstract)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AbstractType, location, type.Name));
            }
            else if (!type.InstanceConstructors.Any(c => c.Parameters.Length == 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoParameterlessConstructor, location, type.Name));
            }
        }

        private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return false;
                }
            }

            return true;
        }

        private static OptionsSpec ReadOptions(AttributeData attribute, INamedTypeSymbol type, Location typeLocation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
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
                    Location location = NamedArgumentLocation(attribute, name, cancellationToken) ?? typeLocation;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLimit, location, type.Name, name, limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    return 0;
                }

                return limit;
            }
        }

        private static Location? NamedArgumentLocation(AttributeData attribute, string name, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } list })
            {
                foreach (AttributeArgumentSyntax argument in list.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    {
                        return argument.GetLocation();
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// Reads every [HttpHeader] property. <paramref name="compilerError"/> is set when a property cannot be bound for a
        /// reason the compiler reports itself (a type that does not exist, an attribute without its argument): HttpGen
        /// then generates no parser for the type, but adds no diagnostic of its own to the compiler's.
        /// </summary>
        private static EquatableArray<HeaderPropertySpec> ReadHeaders(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics, out bool compilerError, CancellationToken cancellationToken)
        {
            compilerError = false;
            var headers = new List<HeaderPropertySpec>();
            var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int nextId = FramingHeaders.Length;
            foreach (ISymbol member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is not IPropertySymbol property || FindHeaderAttribute(property) is not { } attribute)
                {
                    continue;
                }

                if (attribute.AttributeConstructor is null || property.Type.TypeKind == TypeKind.Error)
                {
                    compilerError = true;
                    continue;
                }

                var declaration = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as BasePropertyDeclarationSyntax;
                Location location = property.Locations.Length > 0 ? property.Locations[0] : Location.None;
                string? headerName = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                int before = diagnostics.Count;
                if (!IsToken(headerName))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHeaderName, ArgumentLocation(attribute, cancellationToken) ?? location, headerName ?? "(null)"));
                }
                else if (byName.TryGetValue(headerName!, out string? other))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateHeader, location, headerName!, other));
                }
                else
                {
                    byName.Add(headerName!, property.Name);
                }

                if (!NeedsImplementation(property))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PropertyNotPartial, location, property.Name));
                }
                else if (ShapeProblem(property) is { } problem)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrongAccessors, location, property.Name, problem));
                }

                HeaderValueKind? valueKind = Classify(property.Type, property.NullableAnnotation);
                if (valueKind is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedPropertyType, declaration?.Type.GetLocation() ?? location, property.Name, property.Type.ToDisplayString()));
                }

                bool settable = property.SetMethod is { IsInitOnly: false };
                if (settable && (IsHeader(headerName, "Transfer-Encoding") || IsHeader(headerName, "Connection")))
                {
                    string instead = IsHeader(headerName, "Transfer-Encoding") ? "BodyFraming" : "KeepAlive";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FramingHeaderSetter, SetterLocation(declaration) ?? location, property.Name, headerName!, instead));
                }
                else if (settable && IsHeader(headerName, "Content-Length") && valueKind is not (null or HeaderValueKind.Int64 or HeaderValueKind.Int32))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContentLengthNotNumeric, SetterLocation(declaration) ?? location, property.Name, property.Type.ToDisplayString()));
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
                    valueKind == HeaderValueKind.String ? "string?" : property.Type.ToDisplayString(FullyQualifiedWithNullability),
                    AccessibilityText(property.DeclaredAccessibility) + (IsNew(declaration) ? " new" : ""),
                    property.SetMethod is not null,
                    AccessorModifier(property, property.GetMethod),
                    AccessorModifier(property, property.SetMethod)));
            }

            if (headers.Count > MaxDeclaredHeaders)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyHeaders, type.Locations[0], type.Name,
                    headers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), MaxDeclaredHeaders.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return new EquatableArray<HeaderPropertySpec>(headers.ToArray());
        }

        private static bool IsHeader(string? name, string header) => string.Equals(name, header, StringComparison.OrdinalIgnoreCase);

        private static bool IsNew(BasePropertyDeclarationSyntax? declaration) => declaration is not null && declaration.Modifiers.Any(SyntaxKind.NewKeyword);

        // An accessor's own accessibility ("private set"), which the implementation must repeat.
        private static string AccessorModifier(IPropertySymbol property, IMethodSymbol? accessor) =>
            accessor is null || accessor.DeclaredAccessibility == property.DeclaredAccessibility ? "" : AccessibilityText(accessor.DeclaredAccessibility) + " ";

        private static Location? SetterLocation(BasePropertyDeclarationSyntax? declaration)
        {
            foreach (AccessorDeclarationSyntax accessor in declaration?.AccessorList?.Accessors ?? default)
            {
                if (accessor.Keyword.IsKind(SyntaxKind.SetKeyword))
                {
                    return accessor.Keyword.GetLocation();
                }
            }

            return null;
        }

        private static Location? ArgumentLocation(AttributeData attribute, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } syntax
                ? syntax.ArgumentList!.Arguments[0].Expression.GetLocation()
                : null;

        private static AttributeData? FindHeaderAttribute(IPropertySymbol property)
        {
            foreach (AttributeData candidate in property.GetAttributes())
            {
                if (candidate.AttributeClass?.ToDisplayString() == HeaderAttributeName)
                {
                    return candidate;
                }
            }

            return null;
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
                    // A non-nullable string could not say "absent". Oblivious (nullable disabled) is accepted: the generated
                    // file enables annotations and implements it as string?, which the oblivious declaration matches.
                    return annotation == NullableAnnotation.NotAnnotated ? null : HeaderValueKind.String;
                case SpecialType.System_Boolean:
                    return HeaderValueKind.Presence;
            }

            if (type is INamedTypeSymbol named)
            {
                if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
                {
                    ITypeSymbol underlying = named.TypeArguments[0];
                    return underlying.SpecialType switch
                    {
                        SpecialType.System_Int64 => HeaderValueKind.Int64,
                        SpecialType.System_Int32 => HeaderValueKind.Int32,
                        _ => underlying.ToDisplayString() == "System.DateTimeOffset" ? HeaderValueKind.Date : null,
                    };
                }

                string name = named.OriginalDefinition.ToDisplayString();
                if (name == "System.ReadOnlySpan<T>" && named.TypeArguments[0].SpecialType == SpecialType.System_Byte)
                {
                    return HeaderValueKind.Span;
                }

                switch (name)
                {
                    case "HttpGen.HeaderValue":
                        return HeaderValueKind.HeaderValue;
                    case "HttpGen.Caching.CacheControl":
                        return HeaderValueKind.CacheControl;
                    case "HttpGen.Caching.EntityTag":
                        return HeaderValueKind.EntityTag;
                }
            }

            return null;
        }

        private static readonly SymbolDisplayFormat FullyQualifiedWithNullability =
            SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        // "Shop.Orders", with a keyword part escaped ("Shop.@event").
        private static readonly SymbolDisplayFormat NamespaceFormat = new(
            globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

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
