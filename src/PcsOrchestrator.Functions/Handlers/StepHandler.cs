using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PcsOrchestrator.Lambda.Runtime;

namespace PcsOrchestrator.Functions.Handlers;

/// <summary>
/// A workflow step as a Lambda handler: deserialize the state document (source-generated JSON), run the step,
/// serialize its section. Nothing else happens here; the step services hold the logic.
/// </summary>
public sealed class StepHandler<TIn, TOut>(JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, Func<TIn, CancellationToken, Task<TOut>> step) : ILambdaHandler
{
    public async Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
    {
        TIn? request;
        try
        {
            request = JsonSerializer.Deserialize(payload.Span, input);
        }
        catch (JsonException ex)
        {
            throw new StepException(Domain.ErrorNames.RequestInvalid, $"{ex.Path ?? "$"}: the step's input is not a {typeof(TIn).Name} document: {ex.Message} [{Domain.Validation.Rules.InvalidJson}]", ex);
        }

        if (request is null)
        {
            throw new StepException(Domain.ErrorNames.RequestInvalid, $"the step's input is null, expected a {typeof(TIn).Name} document");
        }

        var result = await step(request, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(result, output);
    }
}
