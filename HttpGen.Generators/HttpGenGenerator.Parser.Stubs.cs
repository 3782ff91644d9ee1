using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using HttpGen.Generators.Helpers;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HttpGen.Generators;

public sealed partial class HttpGenGenerator
{
    internal static partial class Parser
    {
        /// <summary>
        /// The generated file's name: the type's metadata name (namespace, '+' before each nested type, '`' and the arity
        /// of a generic one), so that it is unique among the types of a compilation. Hint names compare ignoring case,
        /// so when another type's name differs from this one only in case, a hash of the exact name is added.
        /// File-local types never get a file (a file-local type cannot be completed from another file).
        /// </summary>
        internal static string HintName(INamedTypeSymbol type)
        {
            var name = new StringBuilder();
            for (INamespaceSymbol ns = type.ContainingNamespace; !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
            {
                name.Insert(0, ns.Name + "."); // names as declared: a hint name may not hold the '@' of an escaped keyword
            }

            var chain = new Stack<INamedTypeSymbol>();
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                chain.Push(t);
            }

            name.Append(chain.Pop().MetadataName);
            while (chain.Count > 0)
            {
                name.Append('+').Append(chain.Pop().MetadataName);
            }

            if (HasCaseVariant(type))
            {
                name.Append('{').Append(Fnv1a(name.ToString()).ToString("x8", CultureInfo.InvariantCulture)).Append('}');
            }

            return name.Append(".g.cs").ToString();
        }

        // Whether the compilation declares another type whose full name equals this one's ignoring case.
        private static bool HasCaseVariant(INamedTypeSymbol type)
        {
            var namespaces = new Stack<INamespaceSymbol>();
            for (INamespaceSymbol ns = type.ContainingNamespace; !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
            {
                namespaces.Push(ns);
            }

            var types = new Stack<INamedTypeSymbol>();
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                types.Push(t);
            }

            var level = new List<INamespaceOrTypeSymbol> { type.ContainingAssembly.GlobalNamespace };
            while (namespaces.Count > 0)
            {
                INamespaceSymbol part = namespaces.Pop();
                var next = new List<INamespaceOrTypeSymbol>();
                foreach (INamespaceOrTypeSymbol container in level)
                {
                    foreach (INamespaceSymbol candidate in ((INamespaceSymbol)container).GetNamespaceMembers())
                    {
                        if (string.Equals(candidate.Name, part.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            next.Add(candidate);
                        }
                    }
                }

                level = next;
            }

            while (types.Count > 0)
            {
                INamedTypeSymbol part = types.Pop();
                var next = new List<INamespaceOrTypeSymbol>();
                foreach (INamespaceOrTypeSymbol container in level)
                {
                    foreach (INamedTypeSymbol candidate in container.GetTypeMembers())
                    {
                        if (candidate.Arity == part.Arity && string.Equals(candidate.Name, part.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            next.Add(candidate);
                        }
                    }
                }

                level = next;
            }

            return level.Count > 1;
        }

        private static uint Fnv1a(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = unchecked((hash ^ c) * 16777619);
            }

            return hash;
        }

        /// <summary>The type's [HttpHeader] partial properties that still need an implementation.</summary>
        private static List<IPropertySymbol> HeaderPropertiesToImplement(INamedTypeSymbol type)
        {
            var properties = new List<IPropertySymbol>();
            foreach (ISymbol member in type.GetMembers())
            {
                if (member is IPropertySymbol property && NeedsImplementation(property) && FindHeaderAttribute(property) is not null)
                {
                    properties.Add(property);
                }
            }

            return properties;
        }

        /// <summary>
        /// Stubs for a type HttpGen generates no parser for, or null when there is nothing to implement or the type
        /// cannot be reopened from another file (it, or a type containing it, is not partial everywhere or is file-local).
        /// </summary>
        private static StubTypeSpec? BuildStubs(INamedTypeSymbol type, IReadOnlyList<IPropertySymbol> properties, CancellationToken cancellationToken)
        {
            if (properties.Count == 0)
            {
                return null;
            }

            var declarations = new List<string>();
            bool lowercaseName = false;
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                if (t.IsFileLocal || DeclarationHead(t, cancellationToken) is not { } head)
                {
                    return null;
                }

                declarations.Insert(0, head);
                lowercaseName |= Identifiers.IsLowercaseTypeName(t.Name);
            }

            var stubs = new List<StubPropertySpec>();
            foreach (IPropertySymbol property in properties)
            {
                // A type that does not exist is the compiler's error on the user's line; a stub would repeat it in
                // generated code, so the property is left to its own CS9248 beside that error.
                if (property.Type.TypeKind != TypeKind.Error && property.DeclaringSyntaxReferences.Length == 1
                    && property.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is BasePropertyDeclarationSyntax declaration)
                {
                    stubs.Add(StubProperty(property, declaration));
                }
            }

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(NamespaceFormat);
            return new StubTypeSpec(HintName(type), ns, type.Name, new EquatableArray<string>(declarations.ToArray()),
                new EquatableArray<StubPropertySpec>(stubs.ToArray()), lowercaseName);
        }

        // "partial class Outer<T>", "partial record struct R": what reopens the type, or null when it is not partial everywhere.
        private static string? DeclarationHead(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            string? keyword = null;
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return null;
                }

                keyword ??= declaration is RecordDeclarationSyntax record
                    ? "record" + (record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? " struct" : "")
                    : declaration.Keyword.ValueText;
            }

            if (keyword is null)
            {
                return null;
            }

            var head = new StringBuilder("partial ").Append(keyword).Append(' ').Append(Identifiers.Escape(type.Name));
            if (type.TypeParameters.Length > 0)
            {
                head.Append('<');
                for (int i = 0; i < type.TypeParameters.Length; i++)
                {
                    ITypeParameterSymbol parameter = type.TypeParameters[i];
                    head.Append(i > 0 ? ", " : "")
                        .Append(parameter.Variance == VarianceKind.In ? "in " : parameter.Variance == VarianceKind.Out ? "out " : "")
                        .Append(Identifiers.Escape(parameter.Name));
                }

                head.Append('>');
            }

            return head.ToString();
        }

        private static StubPropertySpec StubProperty(IPropertySymbol property, BasePropertyDeclarationSyntax declaration)
        {
            var text = new StringBuilder();
            foreach (SyntaxToken modifier in declaration.Modifiers)
            {
                // A partial member cannot be abstract (CS0750, reported on the user's declaration); without the
                // modifier the stub adds no second error.
                if (!modifier.IsKind(SyntaxKind.AbstractKeyword))
                {
                    text.Append(modifier.ValueText).Append(' ');
                }
            }

            text.Append(property.ReturnsByRefReadonly ? "ref readonly " : property.ReturnsByRef ? "ref " : "")
                .Append(property.Type.ToDisplayString(FullyQualifiedWithNullability)).Append(' ');
            if (property.IsIndexer)
            {
                text.Append("this[");
                for (int i = 0; i < property.Parameters.Length; i++)
                {
                    IParameterSymbol parameter = property.Parameters[i];
                    text.Append(i > 0 ? ", " : "")
                        .Append(parameter.IsParams ? "params " : "")
                        .Append(parameter.RefKind switch { RefKind.Ref => "ref ", RefKind.In => "in ", RefKind.Out => "out ", RefKind.RefReadOnlyParameter => "ref readonly ", _ => "" })
                        .Append(parameter.Type.ToDisplayString(FullyQualifiedWithNullability)).Append(' ')
                        .Append(Identifiers.Escape(parameter.Name));
                }

                text.Append(']');
            }
            else
            {
                text.Append(Identifiers.Escape(property.Name));
            }

            var accessors = new List<string>();
            foreach (AccessorDeclarationSyntax accessor in declaration.AccessorList?.Accessors ?? default)
            {
                var accessorText = new StringBuilder();
                foreach (SyntaxToken modifier in accessor.Modifiers)
                {
                    accessorText.Append(modifier.ValueText).Append(' ');
                }

                accessors.Add(accessorText.Append(accessor.Keyword.ValueText).ToString());
            }

            return new StubPropertySpec(text.ToString(), new EquatableArray<string>(accessors.ToArray()));
        }
    }
}
