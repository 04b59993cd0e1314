package ai.booth.gateway.generation;

import ai.booth.gateway.Api;
import ai.booth.service.control.Canny;
import ai.booth.testing.BoothInfraResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Base64;

import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The canny map of a control image, previewed before a generation feeds it to a ControlNet. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ControlMapResourceTest {

    @Test
    void aPhotosCannyMapComesBackAtTheGenerationsSizeAsTheSamplerWouldFeedIt() throws Exception {
        BufferedImage square = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(16, 16, 32, 32);
        g.dispose();
        byte[] png = Api.as("cara").contentType(ContentType.JSON)
                .body("{\"image\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(png(square))
                        + "\",\"lowThreshold\":50,\"highThreshold\":150,\"width\":128,\"height\":128}")
                .post("/api/v1/control-maps/canny")
                .then().statusCode(200).contentType("image/png").extract().asByteArray();
        BufferedImage map = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(128, map.getWidth());
        assertEquals(128, map.getHeight());
        BufferedImage sampler = Canny.detect(square, 128, 128, 50, 150);
        int edges = 0;
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                assertEquals(sampler.getRGB(x, y), map.getRGB(x, y), "pixel " + x + "," + y);
                edges += (map.getRGB(x, y) & 0xFF) == 255 ? 1 : 0;
            }
        }
        assertEquals(0, map.getRGB(64, 64) & 0xFFFFFF, "no edge inside the square");
        assertEquals(true, edges > 4 * 48, "the square's outline at twice its size: " + edges + " edge pixels");
    }

    @Test
    void aMapRequestNamesEveryBadField() {
        Api.as("cara").contentType(ContentType.JSON)
                .body("{\"image\":\"not an image\",\"lowThreshold\":0,\"highThreshold\":300,\"width\":63}")
                .post("/api/v1/control-maps/canny")
                .then().statusCode(400)
                .body("errors.field", containsInAnyOrder("image", "lowThreshold", "highThreshold", "width"));
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
