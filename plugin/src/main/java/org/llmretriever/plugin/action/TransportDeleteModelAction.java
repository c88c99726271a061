package org.llmretriever.plugin.action;

import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.llmretriever.plugin.processor.LlmEmbeddingProcessor;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.clustermanager.AcknowledgedResponse;
import org.opensearch.action.support.clustermanager.TransportClusterManagerNodeAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.ClusterStateUpdateTask;
import org.opensearch.cluster.block.ClusterBlockException;
import org.opensearch.cluster.block.ClusterBlockLevel;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.ingest.IngestMetadata;
import org.opensearch.ingest.PipelineConfiguration;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Removes a definition from cluster state; nodes unload it once in-flight requests are done. */
public final class TransportDeleteModelAction extends TransportClusterManagerNodeAction<DeleteModelAction.Request, AcknowledgedResponse> {

    /** Injected. */
    @Inject
    public TransportDeleteModelAction(TransportService transportService, ClusterService clusterService, ThreadPool threadPool,
                                      ActionFilters actionFilters, IndexNameExpressionResolver resolver) {
        super(DeleteModelAction.NAME, transportService, clusterService, threadPool, actionFilters, DeleteModelAction.Request::new, resolver);
    }

    @Override
    protected String executor() {
        return ThreadPool.Names.SAME;
    }

    @Override
    protected AcknowledgedResponse read(StreamInput in) throws IOException {
        return new AcknowledgedResponse(in);
    }

    @Override
    protected ClusterBlockException checkBlock(DeleteModelAction.Request request, ClusterState state) {
        return state.blocks().globalBlockedException(ClusterBlockLevel.METADATA_WRITE);
    }

    /** Ids of ingest pipelines with an {@code llm_embedding} processor naming the model. */
    static List<String> pipelinesUsing(Metadata metadata, String model) {
        List<String> out = new ArrayList<>();
        IngestMetadata ingest = metadata.custom(IngestMetadata.TYPE);
        if (ingest == null) {
            return out;
        }
        for (PipelineConfiguration p : ingest.getPipelines().values()) {
            if (uses(p.getConfigAsMap().get("processors"), model)) {
                out.add(p.getId());
            }
        }
        return out;
    }

    private static boolean uses(Object processors, String model) {
        if (processors instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (LlmEmbeddingProcessor.TYPE.equals(e.getKey()) && e.getValue() instanceof Map<?, ?> cfg && model.equals(cfg.get("model"))) {
                            return true;
                        }
                        if (e.getValue() instanceof Map<?, ?> cfg && (uses(cfg.get("on_failure"), model))) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    @Override
    protected void clusterManagerOperation(DeleteModelAction.Request request, ClusterState state, ActionListener<AcknowledgedResponse> listener) {
        clusterService.submitStateUpdateTask("delete-llm-model [" + request.name() + "]", new ClusterStateUpdateTask() {
            @Override
            public ClusterState execute(ClusterState current) {
                Map<String, ModelDefinition> all = new TreeMap<>(ModelsMetadata.of(current.metadata()).models());
                if (!all.containsKey(request.name())) {
                    throw new ResourceNotFoundException("model [" + request.name() + "] is not registered");
                }
                List<String> users = pipelinesUsing(current.metadata(), request.name());
                if (!users.isEmpty() && !request.force()) {
                    throw new OpenSearchStatusException("model [" + request.name() + "] is used by ingest pipeline(s) " + users
                        + "; delete or change them first, or pass ?force=true", RestStatus.CONFLICT);
                }
                all.remove(request.name());
                return ClusterState.builder(current)
                    .metadata(Metadata.builder(current.metadata()).putCustom(ModelsMetadata.TYPE, new ModelsMetadata(all)))
                    .build();
            }

            @Override
            public void onFailure(String source, Exception e) {
                listener.onFailure(e);
            }

            @Override
            public void clusterStateProcessed(String source, ClusterState oldState, ClusterState newState) {
                listener.onResponse(new AcknowledgedResponse(true));
            }
        });
    }
}
