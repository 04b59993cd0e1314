package ai.booth.gateway.training;

import ai.booth.gateway.Api;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AdapterAndModelResourceTest {

    @Inject
    ObjectStore store;

    @Test
    void installedModelsAreListedWithTheirManifests() {
        Api.installModel(store);
        Api.as("ann").get("/api/v1/models").then().statusCode(200)
                .body("id", hasItem(Api.MODEL))
                .body("find { it.id == '" + Api.MODEL + "' }.manifest.name", is("Test model"));
    }

    @Test
    void adaptersAreListedAndDownloadInBothLayoutsOnlyByTheirOwner() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String trainingId = Api.completedTraining(probe, store, "abe");
            Api.as("abe").get("/api/v1/adapters").then().statusCode(200)
                    .body("items[0].trainingId", is(trainingId))
                    .body("items[0].baseModel", is(Api.MODEL))
                    .body("items[0].instancePrompt", is("a photo of sks dog"))
                    .body("items[0].downloads.kohya", is("/api/v1/adapters/" + trainingId + "?layout=kohya"));
            for (String layout : new String[]{"peft", "kohya"}) {
                String location = Api.as("abe").redirects().follow(false)
                        .get("/api/v1/adapters/" + trainingId + "?layout=" + layout)
                        .then().statusCode(303).extract().header("Location");
                HttpResponse<String> file = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(location))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(layout, file.body(), "the " + layout + " file");
                assertTrue(file.headers().firstValue("Content-Disposition").orElse("").contains(trainingId),
                        file.headers().map().toString());
            }
            Api.as("abe").get("/api/v1/adapters/" + trainingId + "?layout=ckpt").then().statusCode(400)
                    .body("errors[0].field", is("layout"));
            Api.as("zed").redirects().follow(false).get("/api/v1/adapters/" + trainingId).then().statusCode(404)
                    .body("detail", containsString("no adapter"));
            Api.as("zed").get("/api/v1/adapters").then().body("total", is(0));
        }
    }
}
