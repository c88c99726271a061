package org.llmretriever.plugin.info;

import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;

/** Plugin version, engine, libtorch version, threads and devices of the node that answered. */
public final class PluginInfoResponse extends ActionResponse implements ToXContentObject {
    private final String pluginVersion;
    private final String nodeName;
    private final String engine;
    private final String engineVersion;
    private final int intraOpThreads;
    private final List<String> devices;
    private final String nativeCacheDir;

    public PluginInfoResponse(
        String pluginVersion,
        String nodeName,
        String engine,
        String engineVersion,
        int intraOpThreads,
        List<String> devices,
        String nativeCacheDir
    ) {
        this.pluginVersion = pluginVersion;
        this.nodeName = nodeName;
        this.engine = engine;
        this.engineVersion = engineVersion;
        this.intraOpThreads = intraOpThreads;
        this.devices = List.copyOf(devices);
        this.nativeCacheDir = nativeCacheDir;
    }

    public PluginInfoResponse(StreamInput in) throws IOException {
        super(in);
        this.pluginVersion = in.readString();
        this.nodeName = in.readString();
        this.engine = in.readString();
        this.engineVersion = in.readString();
        this.intraOpThreads = in.readVInt();
        this.devices = in.readStringList();
        this.nativeCacheDir = in.readString();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(pluginVersion);
        out.writeString(nodeName);
        out.writeString(engine);
        out.writeString(engineVersion);
        out.writeVInt(intraOpThreads);
        out.writeStringCollection(devices);
        out.writeString(nativeCacheDir);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("plugin", "llm-retriever");
        builder.field("version", pluginVersion);
        builder.field("node", nodeName);
        builder.startObject("engine");
        builder.field("name", engine);
        builder.field("version", engineVersion);
        builder.field("intra_op_threads", intraOpThreads);
        builder.field("devices", devices);
        builder.field("native_cache_dir", nativeCacheDir);
        builder.endObject();
        return builder.endObject();
    }
}
