package ai.booth.gateway.training;

import ai.booth.gateway.Api;
import ai.booth.gateway.http.Problem;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test profile: {@code booth.gateway.max-streams-per-key=2}. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EventStreamLimitTest {

    @Inject
    ObjectStore store;

    @TestHTTPResource("/")
    URL root;

    @Test
    void aKeyHoldsAtMostItsNumberOfOpenStreamsAndAClosedOneFreesItsSlot() throws Exception {
        Api.installModel(store);
        String trainingId;
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = Api.readyDataset(probe, "stella");
            trainingId = Api.as("stella").contentType(ContentType.JSON)
                    .body("{\"baseModel\":\"" + Api.MODEL + "\",\"datasetId\":\"" + datasetId
                            + "\",\"classNoun\":\"dog\"}")
                    .post("/api/v1/trainings").then().statusCode(202).extract().path("trainingId");
        }
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest follow = HttpRequest.newBuilder(URI.create(root + "api/v1/trainings/" + trainingId + "/events"))
                .header("Authorization", "Bearer " + Api.created("stella", "standard").keyText())
                .header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> first = client.send(follow, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> second = client.send(follow, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, first.statusCode());
        assertEquals(200, second.statusCode());

        HttpResponse<String> third = client.send(follow, HttpResponse.BodyHandlers.ofString());
        assertEquals(429, third.statusCode(), third.body());
        assertTrue(third.headers().firstValue("Content-Type").orElse("").startsWith(Problem.MEDIA_TYPE));
        assertTrue(third.body().contains("too-many-streams") && third.body().contains("2 jobs"), third.body());
        assertTrue(third.headers().firstValue("Retry-After").isPresent());
        Api.as("stella").get("/api/v1/trainings/" + trainingId).then().statusCode(200); // plain reads go on

        first.body().close();
        await().atMost(Api.WAIT).until(() -> {
            HttpResponse<InputStream> again = client.send(follow, HttpResponse.BodyHandlers.ofInputStream());
            again.body().close();
            return again.statusCode() == 200;
        });
        second.body().close();
    }
}
