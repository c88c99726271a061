package org.llmretriever.plugin.info;

import org.llmretriever.encoder.runtime.TorchRuntime;
import org.llmretriever.plugin.runtime.NativeRuntime;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.tasks.Task;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

/** Loads libtorch (on a generic thread: the first load extracts natives) and describes it. */
public final class TransportPluginInfoAction extends HandledTransportAction<PluginInfoRequest, PluginInfoResponse> {
    private final NativeRuntime nativeRuntime;
    private final ClusterService clusterService;
    private final ThreadPool threadPool;

    @Inject
    public TransportPluginInfoAction(
        TransportService transportService,
        ActionFilters actionFilters,
        NativeRuntime nativeRuntime,
        ClusterService clusterService
    ) {
        super(PluginInfoAction.NAME, transportService, actionFilters, PluginInfoRequest::new);
        this.nativeRuntime = nativeRuntime;
        this.clusterService = clusterService;
        this.threadPool = transportService.getThreadPool();
    }

    @Override
    protected void doExecute(Task task, PluginInfoRequest request, ActionListener<PluginInfoResponse> listener) {
        threadPool.generic().execute(() -> {
            try {
                TorchRuntime.RuntimeInfo info = nativeRuntime.info();
                listener.onResponse(
                    new PluginInfoResponse(
                        PluginVersion.get(),
                        clusterService.localNode().getName(),
                        info.engine(),
                        info.version(),
                        info.intraOpThreads(),
                        info.devices(),
                        info.cacheDir()
                    )
                );
            } catch (Exception e) {
                listener.onFailure(e);
            }
        });
    }
}
