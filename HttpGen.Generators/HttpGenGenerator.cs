using HttpGen.Generators.Helpers;
using HttpGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HttpGen.Generators;

/// <summary>
/// The HttpGen incremental generator: finds [HttpRequest] and [HttpResponse] classes, turns each into a value-equal
/// <see cref="MessageTypeSpec"/> (the parser step) and writes its parser from that spec alone (the emitter step).
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

        IncrementalValuesProvider<DiagnosticInfo> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                HeaderAttributeName,
                static (node, _) => node is PropertyDeclarationSyntax,
                static (ctx, _) => Parser.CheckOrphanHeader(ctx))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!)
            .WithTrackingName(TrackingNames.OrphanHeaders);

        context.RegisterSourceOutput(requests, static (spc, result) => Emit(spc, result));
        context.RegisterSourceOutput(responses, static (spc, result) => Emit(spc, result));
        context.RegisterSourceOutput(orphans, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }

    private static void Emit(SourceProductionContext context, MessageTypeResult result)
    {
        foreach (DiagnosticInfo diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Spec is { } spec)
        {
            context.AddSource(Emitter.HintName(spec), Emitter.Emit(spec));
        }
    }
}
