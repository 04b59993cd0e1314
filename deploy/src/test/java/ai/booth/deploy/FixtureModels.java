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

/** Fixture models installed into a running stack through the API, as a model admin would. */
final class FixtureModels {

    private FixtureModels() {
    }

    /** {@code fixtures/sd-tiny/controlnet/model} as ControlNet {@code id}. */
    static void controlNet(Stack stack, StackSettings settings, String id) throws Exception {
        install(stack, settings, id, "controlnet", "controlnet/model");
    }

    /** The eval fixture's CLIP and DINO folders as encoders {@code eval-clip} and {@code eval-dino}. */
    static void encoders(Stack stack, StackSettings settings) throws Exception {
        install(stack, settings, "eval-clip", "encoder", "eval/clip");
        install(stack, settings, "eval-dino", "encoder", "eval/dino");
    }

    /**
     * Installs the fixture folder {@code fixtures/sd-tiny/<folder>} as model {@code id} of {@code kind} with a key of
     * owner demo (the gateway's default model admin) and waits until the gateway lists it (it lists models afresh
     * every few seconds). Installing the same folder again is accepted (200).
     */
    private static void install(Stack stack, StackSettings settings, String id, String kind, String folder)
            throws Exception {
        String admin = new ApiKeyStore(settings.keysFile()).create("demo", "admin", "unlimited").keyText();
        String gateway = stack.url(Service.GATEWAY).toString();
        int status = given().baseUri(gateway).header("Authorization", "Bearer " + admin)
                .contentType("application/zip").body(zip(BoothHome.root().resolve("fixtures/sd-tiny").resolve(folder)))
                .post("/api/v1/models?id=" + id + "&kind=" + kind).then().extract().statusCode();
        if (status != 201 && status != 200) {
            throw new AssertionError("installing " + folder + " as " + kind + " " + id + " answered " + status);
        }
        String listed = "find { it.id == '" + id + "' }.kind";
        Instant deadline = Instant.now().plusSeconds(30);
        while (!kind.equals(given().baseUri(gateway).header("Authorization", "Bearer " + admin)
                .get("/api/v1/models").then().extract().path(listed))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the gateway does not list " + kind + " " + id);
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
