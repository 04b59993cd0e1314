package ai.booth.gateway;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;

/**
 * Every gateway test starts once the views have replayed the shared test broker's topics: before that the gateway
 * answers job-starting calls 503 (it cannot tell yet whether a job exists), as a restarted replica must.
 */
public class ViewsReplayedFirst implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        Api.awaitReady();
    }
}
