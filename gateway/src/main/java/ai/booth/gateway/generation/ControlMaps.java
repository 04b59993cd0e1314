package ai.booth.gateway.generation;

import ai.booth.contracts.Buckets;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.auth.RateLimits;
import ai.booth.gateway.http.Checks;
import ai.booth.service.ObjectStore;
import ai.booth.service.control.Canny;
import jakarta.enterprise.context.ApplicationScoped;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import static ai.booth.contracts.rules.ControlRules.DEFAULT_CANNY_HIGH;
import static ai.booth.contracts.rules.ControlRules.DEFAULT_CANNY_LOW;
import static ai.booth.contracts.rules.GenerationRules.SIZE;
import static ai.booth.gateway.http.Checks.or;

/**
 * The canny map of a control image before any generation: the same {@link Canny} the sampler runs, at the size the
 * generation will have, so the web client previews exactly the map a ControlNet would be fed. Checked as a
 * generation's control unit; costs one rate-limit token like any request that makes the gateway work.
 */
@ApplicationScoped
class ControlMaps {

    private final GenerationControls controls;
    private final ObjectStore store;
    private final Caller caller;
    private final RateLimits rateLimits;

    ControlMaps(GenerationControls controls, ObjectStore store, Caller caller, RateLimits rateLimits) {
        this.controls = controls;
        this.store = store;
        this.caller = caller;
        this.rateLimits = rateLimits;
    }

    /** The map as PNG bytes; a 400 problem names every bad field. */
    byte[] canny(ControlMapSpec spec) {
        Checks checks = new Checks();
        if (spec == null) {
            checks.fail("body", "is required: a JSON ControlMapSpec");
            checks.done();
        }
        GenerationControls.Source source = controls.source(checks, "", spec.image(), spec.datasetImage(),
                caller.key().ownerId());
        GenerationControls.thresholds(checks, "", spec.lowThreshold(), spec.highThreshold());
        checks.pixels("width", spec.width(), SIZE.minInt(), SIZE.maxInt());
        checks.pixels("height", spec.height(), SIZE.minInt(), SIZE.maxInt());
        rateLimits.spend(caller.key()); // before done(): a request that fails validation costs a token too
        checks.done();
        BufferedImage image = read(source.upload() != null ? source.upload().bytes()
                : store.get(Buckets.DATASETS, source.datasetKey()));
        BufferedImage map = Canny.detect(image, or(spec.width(), image.getWidth()), or(spec.height(),
                image.getHeight()), or(spec.lowThreshold(), DEFAULT_CANNY_LOW), or(spec.highThreshold(),
                DEFAULT_CANNY_HIGH));
        try (ByteArrayOutputStream png = new ByteArrayOutputStream()) {
            ImageIO.write(map, "png", png);
            return png.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage read(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalStateException("a checked control image did not decode");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
