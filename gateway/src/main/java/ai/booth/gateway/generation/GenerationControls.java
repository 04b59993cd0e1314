package ai.booth.gateway.generation;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.ControlRef;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.model.BaseModels;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static ai.booth.contracts.rules.ControlRules.*;
import static ai.booth.gateway.http.Checks.or;

/**
 * The {@code controls[]} of a generation: every field checked (bounds from
 * {@link ai.booth.contracts.rules.ControlRules}), then — only once the whole request passed — each uploaded control
 * image stored beside the generation's images (a dataset image stays where it is), and the units turned into the
 * event's {@link ControlRef}s.
 */
@ApplicationScoped
class GenerationControls {

    /** A unit whose fields passed, with its image: decoded from the body, or the key of a dataset image. */
    record Checked(GenerationSpec.ControlSpec spec, ControlImageData upload, String datasetKey) {
    }

    private final BaseModels models;
    private final DatasetControlImages datasetImages;
    private final ObjectStore store;

    GenerationControls(BaseModels models, DatasetControlImages datasetImages, ObjectStore store) {
        this.models = models;
        this.datasetImages = datasetImages;
        this.store = store;
    }

    /**
     * Checks every unit of owner {@code ownerId}'s request, naming each bad field ({@code controls[i].scale}); the
     * units that passed come back.
     */
    List<Checked> check(Checks checks, List<GenerationSpec.ControlSpec> given, String ownerId) {
        List<GenerationSpec.ControlSpec> units = or(given, List.of());
        checks.size("controls", units, MAX_CONTROLS);
        List<Checked> checked = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            String field = "controls[" + i + "]";
            GenerationSpec.ControlSpec unit = units.get(i);
            if (unit == null) {
                checks.fail(field, "is null");
                continue;
            }
            boolean ok = models.checkControlNet(checks, field + ".model", unit.model());
            Source source = source(checks, field + ".", unit.image(), unit.datasetImage(), ownerId);
            ok &= checks.oneOf(field + ".preprocessor", unit.preprocessor(), PREPROCESSORS);
            ok &= thresholds(checks, field + ".", unit.lowThreshold(), unit.highThreshold());
            ok &= checks.range(field + ".scale", unit.scale(), SCALE);
            boolean window = checks.range(field + ".guidanceStart", unit.guidanceStart(), GUIDANCE_WINDOW);
            window &= checks.range(field + ".guidanceEnd", unit.guidanceEnd(), GUIDANCE_WINDOW);
            if (window && !validWindow(start(unit), end(unit))) {
                checks.fail(field + ".guidanceEnd", "must be above guidanceStart (" + start(unit) + "), got "
                        + end(unit));
                window = false;
            }
            if (ok && window && source != null) {
                checked.add(new Checked(unit, source.upload(), source.datasetKey()));
            }
        }
        return checked;
    }

    /** Stores each uploaded image under the generation and returns the event's units, defaults applied. */
    List<ControlRef> store(List<Checked> units, String ownerId, String generationId) {
        List<ControlRef> refs = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Checked unit = units.get(i);
            GenerationSpec.ControlSpec spec = unit.spec();
            String bucket = Buckets.DATASETS;
            String key = unit.datasetKey();
            if (unit.upload() != null) {
                bucket = Buckets.GENERATIONS;
                key = Buckets.generationControlImageKey(ownerId, generationId, i, unit.upload().extension());
                store.put(bucket, key, unit.upload().bytes(), unit.upload().contentType());
            }
            refs.add(new ControlRef(spec.model(), bucket, key,
                    or(spec.preprocessor(), NONE).toLowerCase(Locale.ROOT),
                    or(spec.lowThreshold(), DEFAULT_CANNY_LOW), or(spec.highThreshold(), DEFAULT_CANNY_HIGH),
                    or(spec.scale(), DEFAULT_SCALE), start(spec), end(spec), or(spec.guessMode(), false)));
        }
        return refs;
    }

    /** A control image: decoded from the body, or the key of one of the owner's dataset images. */
    record Source(ControlImageData upload, String datasetKey) {
    }

    /**
     * Checks a unit's {@code image} or {@code datasetImage} (exactly one; field names after {@code prefix}); null when
     * a check failed.
     */
    Source source(Checks checks, String prefix, String image, GenerationSpec.DatasetImageSpec datasetImage,
                  String ownerId) {
        if (image != null && datasetImage != null) {
            checks.fail(prefix + "datasetImage", "give image or datasetImage, not both");
            return null;
        }
        if (datasetImage != null) {
            String key = datasetImages.key(checks, prefix + "datasetImage", datasetImage, ownerId);
            return key == null ? null : new Source(null, key);
        }
        ControlImageData upload = image(checks, prefix + "image", image);
        return upload == null ? null : new Source(upload, null);
    }

    /** Checks canny thresholds ({@code prefix}lowThreshold, highThreshold): in range, low at most high. */
    static boolean thresholds(Checks checks, String prefix, Integer low, Integer high) {
        boolean ok = checks.range(prefix + "lowThreshold", low, CANNY_THRESHOLD);
        ok &= checks.range(prefix + "highThreshold", high, CANNY_THRESHOLD);
        if (ok && or(low, DEFAULT_CANNY_LOW) > or(high, DEFAULT_CANNY_HIGH)) {
            checks.fail(prefix + "highThreshold", "must be at least lowThreshold (" + or(low, DEFAULT_CANNY_LOW)
                    + "), got " + high);
            return false;
        }
        return ok;
    }

    private static ControlImageData image(Checks checks, String field, String image) {
        if (image == null || image.isBlank()) {
            checks.fail(field, "is required (or datasetImage: one of your dataset's images)");
            return null;
        }
        try {
            return ControlImageData.decode(image);
        } catch (IllegalArgumentException e) {
            checks.fail(field, e.getMessage());
            return null;
        }
    }

    private static double start(GenerationSpec.ControlSpec spec) {
        return or(spec.guidanceStart(), DEFAULT_GUIDANCE_START);
    }

    private static double end(GenerationSpec.ControlSpec spec) {
        return or(spec.guidanceEnd(), DEFAULT_GUIDANCE_END);
    }
}
