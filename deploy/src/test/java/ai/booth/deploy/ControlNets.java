package ai.booth.deploy;

import ai.booth.infra.BoothHome;
import ai.booth.keys.ApiKeyStore;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.restassured.RestAssured.given;

/** The fixture ControlNet installed into a running stack through the API, as a model admin would. */
final class ControlNets {

    private ControlNets() {
    }

    /**
     * Installs {@code fixtures/sd-tiny/controlnet/model} as ControlNet {@code id} with a key of owner demo (the
     * gateway's default model admin) and waits until the gateway lists it (it lists models afresh every few
     * seconds).
     */
    static void install(Stack stack, StackSettings settings, String id) throws Exception {
        String admin = new ApiKeyStore(settings.keysFile()).create("demo", "admin", "unlimited").keyText();
        String gateway = stack.url(Service.GATEWAY).toString();
        given().baseUri(gateway).header("Authorization", "Bearer " + admin).contentType("application/zip")
                .body(zip(BoothHome.root().resolve("fixtures/sd-tiny/controlnet/model")))
                .post("/api/v1/models?id=" + id + "&kind=controlnet").then().statusCode(201);
        String kind = "find { it.id == '" + id + "' }.kind";
        Instant deadline = Instant.now().plusSeconds(30);
        while (!"controlnet".equals(given().baseUri(gateway).header("Authorization", "Bearer " + admin)
                .get("/api/v1/models").then().extract().path(kind))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the gateway does not list ControlNet " + id);
            }
            Thread.sleep(500);
        }
    }

    /** A folder's files as a zip, at its root. */
    private static byte[] zip(Path folder) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes); Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                out.putNextEntry(new ZipEntry(file.getFileName().toString()));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
