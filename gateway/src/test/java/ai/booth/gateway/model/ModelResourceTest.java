package ai.booth.gateway.model;

import ai.booth.gateway.Api;
import ai.booth.contracts.Buckets;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.BoothInfraResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Installing base models over the API: a zipped diffusers folder, a single file, and every refusal. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ModelResourceTest {

    private static final Path FIXTURES = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny"));
    private static final String ADMIN = "root"; // %test.booth.gateway.models.admins

    @Inject
    ObjectStore store;

    @Inject
    ModelRegistry registry;

    @TempDir
    Path tmp;

    @Test
    void aZippedDiffusersFolderIsInstalledOnceAndListed() throws IOException {
        Path zip = zip(FIXTURES.resolve("model"), "sd-tiny/");
        String hash = Api.as(ADMIN).contentType("application/zip").body(zip.toFile())
                .post("/api/v1/models?id=zipped&name=Zipped tiny").then().statusCode(201)
                .body("id", is("zipped")).body("kind", is("folder")).body("name", is("Zipped tiny"))
                .extract().path("contentHash");
        Api.as("ann").get("/api/v1/models").then().statusCode(200).body("id", hasItem("zipped"))
                .body("find { it.id == 'zipped' }.manifest.contentHash", is(hash));
        Api.as(ADMIN).contentType("application/zip").body(zip.toFile())
                .post("/api/v1/models?id=zipped").then().statusCode(200).body("contentHash", is(hash));
        // a single file described by the folder's configs: the same weights, installed beside it
        Api.as(ADMIN).contentType("application/octet-stream")
                .body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=single&configFrom=zipped").then().statusCode(201)
                .body("kind", is("single-file")).body("weights", is("single.safetensors"));
        assertTrue(store.exists(Buckets.MODELS, ModelRegistry.objectKey("single", "single.safetensors")));
        assertTrue(store.exists(Buckets.MODELS, ModelRegistry.objectKey("single",
                ModelRegistry.COMPANION_PREFIX + "unet/config.json")), "the lent configs are stored with it");
        // other weights under a taken id: the folder with one VAE weight changed
        Path changed = tmp.resolve("changed");
        try (Stream<Path> files = Files.walk(FIXTURES.resolve("model"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = changed.resolve(FIXTURES.resolve("model").relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        Path vae = changed.resolve("vae/diffusion_pytorch_model.safetensors");
        byte[] bytes = Files.readAllBytes(vae);
        bytes[bytes.length - 1] ^= 0x40; // the last tensor's last byte: the header stays valid
        Files.write(vae, bytes);
        Api.as(ADMIN).contentType("application/zip").body(zip(changed, "").toFile())
                .post("/api/v1/models?id=zipped").then().statusCode(409)
                .body("detail", containsString("already installed with other weights"));
        Api.as("ann").get("/api/v1/models").then().body("find { it.id == 'zipped' }.manifest.contentHash", is(hash));
    }

    @Test
    void aSingleFileWhoseArchitectureCannotBeInferredIsRefusedWithTheReason() {
        // the tiny model's norm groups cannot be read from its shapes (SD-1.5's can)
        Api.as(ADMIN).contentType("application/octet-stream").body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=inferred").then().statusCode(400).body("detail", containsString("groups"));
        Api.as(ADMIN).contentType("application/octet-stream").body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=inferred&config=sd15&configFrom=zipped").then().statusCode(400)
                .body("errors.field", hasItem("configFrom"));
        Api.as(ADMIN).contentType("application/octet-stream").body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=inferred&configFrom=nope").then().statusCode(400)
                .body("errors[0].field", is("configFrom"));
        assertTrue(registry.manifest("inferred").isEmpty());
    }

    @Test
    void onlyAdminsInstallAndFieldsAreChecked() {
        Api.as("ann").contentType("application/octet-stream").body(new byte[] {1, 2, 3})
                .post("/api/v1/models?id=mine").then().statusCode(403).body("detail", containsString("ann"));
        Api.as(ADMIN).contentType("application/octet-stream").body(new byte[] {1, 2, 3})
                .post("/api/v1/models?id=../up&config=sd3").then().statusCode(400)
                .body("errors.field", hasItem("id")).body("errors.field", hasItem("config"));
        Api.as(ADMIN).contentType("application/octet-stream").body(new byte[] {1, 2, 3})
                .post("/api/v1/models").then().statusCode(400).body("errors[0].field", is("id"));
    }

    @Test
    void refusedUploadsLeaveNothingBehind() throws IOException {
        Api.as(ADMIN).contentType("application/octet-stream").body("not a model at all".getBytes())
                .post("/api/v1/models?id=garbage").then().statusCode(400).body("errors[0].field", is("body"));
        Path noIndex = tmp.resolve("no-index");
        Files.createDirectories(noIndex.resolve("unet"));
        Files.writeString(noIndex.resolve("unet/config.json"), "{}");
        Api.as(ADMIN).contentType("application/zip").body(zip(noIndex, "").toFile())
                .post("/api/v1/models?id=garbage").then().statusCode(400)
                .body("detail", containsString("model_index.json"));
        Path big = tmp.resolve("big.safetensors");
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write(new byte[40_000_001]); // %test.booth.gateway.models.max-bytes + 1
        }
        Api.as(ADMIN).contentType("application/octet-stream").body(big.toFile())
                .post("/api/v1/models?id=garbage").then().statusCode(413);
        assertTrue(registry.manifest("garbage").isEmpty());
        assertEquals(0, store.list(Buckets.MODELS, "garbage/").size(), "objects of a refused model");
        Api.as("ann").get("/api/v1/models").then().body("id", not(hasItem("garbage")));
    }

    @Test
    void aControlNetIsInstalledAsItsKindAndNeverStandsInForABaseModel() throws IOException {
        Path zip = zip(FIXTURES.resolve("controlnet/model"), "canny/");
        Api.as(ADMIN).contentType("application/zip").body(zip.toFile())
                .post("/api/v1/models?id=cn-zipped&kind=controlnet").then().statusCode(201)
                .body("type", is("controlnet")).body("kind", is("folder"))
                .body("weights", is("diffusion_pytorch_model.safetensors"));
        assertTrue(store.exists(Buckets.MODELS, ModelRegistry.objectKey("cn-zipped", "config.json")));
        Api.as("ann").get("/api/v1/models").then().statusCode(200)
                .body("find { it.id == 'cn-zipped' }.kind", is("controlnet"))
                .body("find { it.id == 'cn-zipped' }.manifest.type", is("controlnet"));
        // a base model's file is no ControlNet, a ControlNet's weights no base model: refused with the reason
        Api.as(ADMIN).contentType("application/octet-stream").body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=not-cn&kind=controlnet").then().statusCode(400)
                .body("errors[0].field", is("body"))
                .body("errors[0].message", containsString("not an A1111 ControlNet"));
        Api.as(ADMIN).contentType("application/octet-stream")
                .body(FIXTURES.resolve("controlnet/model/diffusion_pytorch_model.safetensors").toFile())
                .post("/api/v1/models?id=not-base&config=sd15").then().statusCode(400)
                .body("errors[0].field", is("body"));
        // a ControlNet takes no config and lends none
        Api.as(ADMIN).contentType("application/zip").body(zip.toFile())
                .post("/api/v1/models?id=cn-other&kind=controlnet&config=sd15").then().statusCode(400)
                .body("errors[0].field", is("config"));
        Api.as(ADMIN).contentType("application/octet-stream").body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=lent&configFrom=cn-zipped").then().statusCode(400)
                .body("errors[0].field", is("configFrom"))
                .body("errors[0].message", containsString("is a ControlNet"));
        assertTrue(registry.manifest("not-cn").isEmpty());
        assertTrue(registry.manifest("not-base").isEmpty());
    }

    @Test
    void evaluationEncodersAreInstalledWithTheirRoleAndNeverStandInForABaseModel() throws IOException {
        Api.as(ADMIN).contentType("application/zip").body(zip(FIXTURES.resolve("eval/clip"), "clip/").toFile())
                .post("/api/v1/models?id=enc-clip&kind=encoder").then().statusCode(201)
                .body("type", is("encoder")).body("configSource", is("clip"));
        Api.as(ADMIN).contentType("application/zip").body(zip(FIXTURES.resolve("eval/dino"), "").toFile())
                .post("/api/v1/models?id=enc-dino&kind=encoder&name=DINO").then().statusCode(201)
                .body("configSource", is("dino"));
        Api.as("ann").get("/api/v1/models").then().statusCode(200)
                .body("find { it.id == 'enc-clip' }.kind", is("encoder"))
                .body("find { it.id == 'enc-dino' }.manifest.name", is("DINO"));
        // a ControlNet folder is no encoder, an encoder no base model, and encoders take no config
        Api.as(ADMIN).contentType("application/zip").body(zip(FIXTURES.resolve("controlnet/model"), "").toFile())
                .post("/api/v1/models?id=not-enc&kind=encoder").then().statusCode(400)
                .body("errors[0].field", is("body"))
                .body("errors[0].message", containsString("model_type"));
        Api.as(ADMIN).contentType("application/zip").body(zip(FIXTURES.resolve("eval/dino"), "").toFile())
                .post("/api/v1/models?id=enc-other&kind=encoder&config=sd15").then().statusCode(400)
                .body("errors[0].field", is("config"));
        Api.as(ADMIN).contentType("application/octet-stream").body(FIXTURES.resolve("model.ckpt.safetensors").toFile())
                .post("/api/v1/models?id=lent-enc&configFrom=enc-clip").then().statusCode(400)
                .body("errors[0].message", containsString("is an evaluation encoder, not a base model"));
        assertTrue(registry.manifest("not-enc").isEmpty());
        assertTrue(registry.manifest("enc-other").isEmpty());
    }

    /** The folder's files in a zip, each under {@code prefix}. */
    private Path zip(Path folder, String prefix) throws IOException {
        Path zip = tmp.resolve(folder.getFileName() + ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
             Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new ZipEntry(prefix + folder.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return zip;
    }
}
