using System.Collections.Generic;
using System.Collections.Immutable;
using HttpGen.Generators.Helpers;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HttpGen.Generators;

/// <summary>
/// The HttpGen incremental generator: finds [HttpRequest] and [HttpResponse] classes, turns each into a value-equal
/// <see cref="MessageTypeSpec"/> (the parser step) and writes its parser from that spec alone (the emitter step).
/// A type with an HTTPGEN error gets no parser, only stubs for its partial properties (<see cref="StubEmitter"/>).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class HttpGenGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<MessageTypeResult> requests = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                RequestAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, MessageKind.Request, ct))
            .WithTrackingName(TrackingNames.RequestTypes);

        IncrementalValuesProvider<MessageTypeResult> responses = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ResponseAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, MessageKind.Response, ct))
            .WithTrackingName(TrackingNames.ResponseTypes);

        // One result per orphan property, then all of them together: the stubs of one type go into one file. In a
        // program without orphans (any program that builds) the collected array is empty and stays cached.
        IncrementalValueProvider<ImmutableArray<OrphanHeaderResult>> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                HeaderAttributeName,
                static (node, _) => node is BasePropertyDeclarationSyntax,
                static (ctx, ct) => Parser.CheckOrphanHeader(ctx, ct))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!)
            .WithTrackingName(TrackingNames.OrphanHeaders)
            .Collect();

        context.RegisterSourceOutput(requests, static (spc, result) => Emit(spc, result));
        context.RegisterSourceOutput(responses, static (spc, result) => Emit(spc, result));
        context.RegisterSourceOutput(orphans, static (spc, results) => EmitOrphans(spc, results));
    }

    private static void Emit(SourceProductionContext context, MessageTypeResult result)
    {
        foreach (DiagnosticInfo diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Spec is { } spec)
        {
            context.AddSource(spec.HintName, Emitter.Emit(spec));
        }
        else if (result.Stubs is { Properties.Count: > 0 } stubs)
        {
            context.AddSource(stubs.HintName, StubEmitter.Emit(stubs));
        }
    }

    private static void EmitOrphans(SourceProductionContext context, ImmutableArray<OrphanHeaderResult> results)
    {
        var byType = new Dictionary<string, List<StubTypeSpec>>();
        var order = new List<string>();
        foreach (OrphanHeaderResult result in results)
        {
            context.ReportDiagnostic(result.Diagnostic.ToDiagnostic());
            if (result.Stubs is { Properties.Count: > 0 } stubs)
            {
                if (!byType.TryGetValue(stubs.HintName, out List<StubTypeSpec>? parts))
                {
                    byType.Add(stubs.HintName, parts = new List<StubTypeSpec>());
                    order.Add(stubs.HintName);
                }

                parts.Add(stubs);
            }
        }

        foreach (string hintName in order)
        {
            context.AddSource(hintName, StubEmitter.Emit(StubEmitter.Merge(byType[hintName])));
        }
    }
}
