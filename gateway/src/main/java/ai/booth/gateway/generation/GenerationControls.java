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
 * {@link ai.booth.contracts.rules.ControlRules}), then — only once the whole request passed — each control image
 * stored beside the generation's images, and the units turned into the event's {@link ControlRef}s.
 */
@ApplicationScoped
class GenerationControls {

    /** A unit whose fields passed, with its decoded image. */
    record Checked(GenerationSpec.ControlSpec spec, ControlImageData image) {
    }

    private final BaseModels models;
    private final ObjectStore store;

    GenerationControls(BaseModels models, ObjectStore store) {
        this.models = models;
        this.store = store;
    }

    /** Checks every unit, naming each bad field ({@code controls[i].scale}); the units that passed come back. */
    List<Checked> check(Checks checks, List<GenerationSpec.ControlSpec> given) {
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
            ControlImageData image = image(checks, field + ".image", unit.image());
            ok &= checks.oneOf(field + ".preprocessor", unit.preprocessor(), PREPROCESSORS);
            ok &= checks.range(field + ".lowThreshold", unit.lowThreshold(), CANNY_THRESHOLD);
            ok &= checks.range(field + ".highThreshold", unit.highThreshold(), CANNY_THRESHOLD);
            if (ok && or(unit.lowThreshold(), DEFAULT_CANNY_LOW) > or(unit.highThreshold(), DEFAULT_CANNY_HIGH)) {
                checks.fail(field + ".highThreshold", "must be at least lowThreshold ("
                        + or(unit.lowThreshold(), DEFAULT_CANNY_LOW) + "), got " + unit.highThreshold());
                ok = false;
            }
            ok &= checks.range(field + ".scale", unit.scale(), SCALE);
            boolean window = checks.range(field + ".guidanceStart", unit.guidanceStart(), GUIDANCE_WINDOW);
            window &= checks.range(field + ".guidanceEnd", unit.guidanceEnd(), GUIDANCE_WINDOW);
            if (window && !validWindow(start(unit), end(unit))) {
                checks.fail(field + ".guidanceEnd", "must be above guidanceStart (" + start(unit) + "), got "
                        + end(unit));
                window = false;
            }
            if (ok && window && image != null) {
                checked.add(new Checked(unit, image));
            }
        }
        return checked;
    }

    /** Stores each unit's image under the generation and returns the event's units, defaults applied. */
    List<ControlRef> store(List<Checked> units, String ownerId, String generationId) {
        List<ControlRef> refs = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Checked unit = units.get(i);
            GenerationSpec.ControlSpec spec = unit.spec();
            String key = Buckets.generationControlImageKey(ownerId, generationId, i, unit.image().extension());
            store.put(Buckets.GENERATIONS, key, unit.image().bytes(), unit.image().contentType());
            refs.add(new ControlRef(spec.model(), key, or(spec.preprocessor(), NONE).toLowerCase(Locale.ROOT),
                    or(spec.lowThreshold(), DEFAULT_CANNY_LOW), or(spec.highThreshold(), DEFAULT_CANNY_HIGH),
                    or(spec.scale(), DEFAULT_SCALE), start(spec), end(spec), or(spec.guessMode(), false)));
        }
        return refs;
    }

    private static ControlImageData image(Checks checks, String field, String image) {
        if (!checks.required(field, image)) {
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
