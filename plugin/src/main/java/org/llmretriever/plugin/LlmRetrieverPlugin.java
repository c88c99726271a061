package org.llmretriever.plugin;

import org.llmretriever.plugin.action.DeleteModelAction;
import org.llmretriever.plugin.action.EmbedAction;
import org.llmretriever.plugin.action.GetModelsAction;
import org.llmretriever.plugin.action.LoadModelAction;
import org.llmretriever.plugin.action.NodesModelsAction;
import org.llmretriever.plugin.action.PutModelAction;
import org.llmretriever.plugin.action.TransportDeleteModelAction;
import org.llmretriever.plugin.action.TransportEmbedAction;
import org.llmretriever.plugin.action.TransportGetModelsAction;
import org.llmretriever.plugin.action.TransportNodesModelsAction;
import org.llmretriever.plugin.action.TransportPutModelAction;
import org.llmretriever.plugin.info.PluginInfoAction;
import org.llmretriever.plugin.info.TransportPluginInfoAction;
import org.llmretriever.plugin.inference.ModelService;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.llmretriever.plugin.processor.LlmEmbeddingProcessor;
import org.llmretriever.plugin.query.HybridRrfQueryBuilder;
import org.llmretriever.plugin.registry.ModelRegistry;
import org.llmretriever.plugin.query.LlmKnnQueryBuilder;
import org.llmretriever.plugin.rest.RestDeleteModelAction;
import org.llmretriever.plugin.rest.RestEmbedAction;
import org.llmretriever.plugin.rest.RestGetModelsAction;
import org.llmretriever.plugin.rest.RestLoadModelAction;
import org.llmretriever.plugin.rest.RestModelStatsAction;
import org.llmretriever.plugin.rest.RestPresetsAction;
import org.llmretriever.plugin.rest.RestPluginInfoAction;
import org.llmretriever.plugin.rest.RestPutModelAction;
import org.llmretriever.plugin.runtime.NativeRuntime;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.action.ActionRequest;
import org.opensearch.cluster.NamedDiff;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.IndexScopedSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.settings.SettingsFilter;
import org.opensearch.core.ParseField;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.rest.RestController;
import org.opensearch.rest.RestHandler;
import org.opensearch.script.ScriptService;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.FixedExecutorBuilder;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;
import org.opensearch.watcher.ResourceWatcherService;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Entry point of the llm-retriever OpenSearch plugin: the model registry and its REST API, the
 * {@code llm_embedding} ingest processor, the {@code llm_knn} query, the inference thread pool and settings.
 */
public class LlmRetrieverPlugin extends Plugin implements ActionPlugin, IngestPlugin, SearchPlugin {
    private ModelService modelService;

    @Override
    public Collection<Object> createComponents(
        Client client,
        ClusterService clusterService,
        ThreadPool threadPool,
        ResourceWatcherService resourceWatcherService,
        ScriptService scriptService,
        NamedXContentRegistry xContentRegistry,
        Environment environment,
        NodeEnvironment nodeEnvironment,
        NamedWriteableRegistry namedWriteableRegistry,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<RepositoriesService> repositoriesServiceSupplier
    ) {
        NativeRuntime runtime = new NativeRuntime(environment.settings(), environment);
        ModelRegistry registry = new ModelRegistry(clusterService);
        modelService = new ModelService(environment.settings(), environment, clusterService, threadPool, runtime, registry);
        clusterService.addListener(modelService);
        return List.of(runtime, registry, modelService);
    }

    @Override
    public List<Setting<?>> getSettings() {
        return LlmRetrieverSettings.all();
    }

    @Override
    public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
        // One forward pass at a time by default: each already uses every core through libtorch's intra-op
        // threads, and concurrent passes would oversubscribe the cores (measured: 4x slower ingest on 2 cores).
        // More threads make sense with fewer torch threads each (plugins.llm_retriever.torch_threads) or a GPU.
        return List.of(new FixedExecutorBuilder(settings, LlmRetrieverSettings.INFERENCE_POOL, 1, 256,
            "thread_pool." + LlmRetrieverSettings.INFERENCE_POOL));
    }

    @Override
    public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
        return List.of(
            new ActionHandler<>(PluginInfoAction.INSTANCE, TransportPluginInfoAction.class),
            new ActionHandler<>(PutModelAction.INSTANCE, TransportPutModelAction.class),
            new ActionHandler<>(DeleteModelAction.INSTANCE, TransportDeleteModelAction.class),
            new ActionHandler<>(GetModelsAction.INSTANCE, TransportGetModelsAction.class),
            new ActionHandler<>(NodesModelsAction.INSTANCE, TransportNodesModelsAction.class),
            new ActionHandler<>(LoadModelAction.INSTANCE, TransportNodesModelsAction.Load.class),
            new ActionHandler<>(EmbedAction.INSTANCE, TransportEmbedAction.class));
    }

    @Override
    public List<RestHandler> getRestHandlers(
        Settings settings,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster
    ) {
        return List.of(new RestPluginInfoAction(), new RestPresetsAction(), new RestPutModelAction(), new RestGetModelsAction(),
            new RestDeleteModelAction(), new RestLoadModelAction(), new RestEmbedAction(), new RestModelStatsAction());
    }

    @Override
    public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
        return Map.of(LlmEmbeddingProcessor.TYPE,
            new LlmEmbeddingProcessor.Factory(parameters.client, parameters.ingestService.getClusterService()));
    }

    @Override
    public List<QuerySpec<?>> getQueries() {
        return List.of(
            new QuerySpec<>(LlmKnnQueryBuilder.NAME, LlmKnnQueryBuilder::new, LlmKnnQueryBuilder::fromXContent),
            new QuerySpec<>(HybridRrfQueryBuilder.NAME, HybridRrfQueryBuilder::new, HybridRrfQueryBuilder::fromXContent));
    }

    @Override
    public List<NamedWriteableRegistry.Entry> getNamedWriteables() {
        return List.of(
            new NamedWriteableRegistry.Entry(Metadata.Custom.class, ModelsMetadata.TYPE, ModelsMetadata::new),
            new NamedWriteableRegistry.Entry(NamedDiff.class, ModelsMetadata.TYPE, ModelsMetadata::readDiffFrom));
    }

    @Override
    public List<NamedXContentRegistry.Entry> getNamedXContent() {
        return List.of(new NamedXContentRegistry.Entry(Metadata.Custom.class, new ParseField(ModelsMetadata.TYPE), ModelsMetadata::fromXContent));
    }

    @Override
    public void close() {
        if (modelService != null) {
            modelService.close();
        }
    }
}
