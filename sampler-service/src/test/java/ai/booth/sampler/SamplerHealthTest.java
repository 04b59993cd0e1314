package ai.booth.sampler;

import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.ServiceHealthContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SamplerHealthTest extends ServiceHealthContract {
}
