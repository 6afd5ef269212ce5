using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>The handlers a named client's builder actions add, as <c>IHttpClientFactory</c> would build them: the
/// library's own, outermost first.</summary>
internal static class ChainShape
{
    public static List<Type> Of(IServiceProvider provider, string name)
    {
        var factoryOptions = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(name);
        var builder = new RecordingBuilder(provider, name);
        foreach (var action in factoryOptions.HttpMessageHandlerBuilderActions)
        {
            action(builder);
        }

        return [.. builder.AdditionalHandlers.Select(h => h.GetType()).Where(t => t.Namespace!.StartsWith("GraphAuthResilience", StringComparison.Ordinal))];
    }

    private sealed class RecordingBuilder(IServiceProvider services, string name) : HttpMessageHandlerBuilder
    {
        public override string? Name { get; set; } = name;

        public override HttpMessageHandler PrimaryHandler { get; set; } = new HttpClientHandler();

        public override IList<DelegatingHandler> AdditionalHandlers { get; } = new List<DelegatingHandler>();

        public override IServiceProvider Services => services;

        public override HttpMessageHandler Build() => CreateHandlerPipeline(PrimaryHandler, AdditionalHandlers);
    }
}
