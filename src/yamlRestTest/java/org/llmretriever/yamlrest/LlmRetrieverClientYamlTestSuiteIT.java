package org.llmretriever.yamlrest;

import com.carrotsearch.randomizedtesting.annotations.Name;
import com.carrotsearch.randomizedtesting.annotations.ParametersFactory;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakFilters;

import org.opensearch.test.rest.yaml.ClientYamlTestCandidate;
import org.opensearch.test.rest.yaml.OpenSearchClientYamlSuiteTestCase;

/** Runs every {@code .yml} suite under {@code rest-api-spec/test} against the harness's node. */
@ThreadLeakFilters(filters = HarnessThreadFilter.class)
public class LlmRetrieverClientYamlTestSuiteIT extends OpenSearchClientYamlSuiteTestCase {

    public LlmRetrieverClientYamlTestSuiteIT(@Name("yaml") ClientYamlTestCandidate testCandidate) {
        super(testCandidate);
    }

    @ParametersFactory
    public static Iterable<Object[]> parameters() throws Exception {
        return createParameters();
    }

    @Override
    protected String getTestRestCluster() {
        return SharedTestCluster.get().httpHosts();
    }

    /** SMILE/CBOR bulk bodies break k-NN 3.5's vector parsing: always JSON. */
    @Override
    protected boolean randomizeContentType() {
        return false;
    }
}
