package ai.booth.diffusion.testing;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reference fixture set: {@code reference.json} (cases, configs, tolerances) and {@code reference.safetensors}
 * (inputs and expected outputs). Its directory comes from the system property {@code booth.fixtures} so the same
 * tests run unchanged on any fixture set of this layout.
 */
public final class Reference implements AutoCloseable {

    public record Tolerance(double rtol, double atol) { }

    private final Path dir;
    private final JsonNode json;
    private final SafeTensors tensors;

    private Reference(Path dir) {
        this.dir = dir;
        try {
            // Python's json writes -Infinity (lambda_min_clipped in DPM-Solver configs)
            this.json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(Files.readString(dir.resolve("reference.json")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference.json in " + dir, e);
        }
        this.tensors = SafeTensors.open(dir.resolve("reference.safetensors"));
    }

    public static Path fixturesDir() {
        String prop = System.getProperty("booth.fixtures");
        Path dir = prop != null && !prop.isBlank() ? Paths.get(prop) : Paths.get("../fixtures/sd-tiny");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture directory " + dir.toAbsolutePath()
                    + " not found; set -Dbooth.fixtures=<dir>");
        }
        return dir.toAbsolutePath().normalize();
    }

    public static Reference load() {
        return new Reference(fixturesDir());
    }

    /**
     * A fixture subset with its own {@code reference.json} / {@code reference.safetensors} (e.g. {@code eval},
     * {@code controlnet}, {@code training}); its {@link #modelDir()} is still the main set's {@code model/}.
     */
    public static Reference load(String subset) {
        Path dir = fixturesDir().resolve(subset);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture subset " + dir + " not found");
        }
        return new Reference(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path modelDir() {
        Path own = dir.resolve("model");
        return Files.isDirectory(own.resolve("unet")) || !Files.isDirectory(dir.getParent().resolve("model"))
                ? own : dir.getParent().resolve("model");
    }

    /** {@code reference.json}'s {@code cases.<name>}. */
    public JsonNode testCase(String name) {
        JsonNode node = json.path("cases").path(name);
        if (node.isMissingNode()) {
            throw new IllegalStateException("reference.json has no case '" + name + "'");
        }
        return node;
    }

    /** The names of {@code reference.json}'s cases in file order (the order the fixture generator ran them). */
    public java.util.List<String> caseNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        json.path("cases").fieldNames().forEachRemaining(names::add);
        return names;
    }

    public Tolerance tolerance(String kind) {
        JsonNode t = json.path("tolerances").path(kind);
        if (t.isMissingNode()) {
            throw new IllegalStateException("reference.json has no tolerance '" + kind + "'");
        }
        return new Tolerance(t.path("rtol").asDouble(), t.path("atol").asDouble());
    }

    public NDArray tensor(String name, NDManager manager) {
        return tensors.load(name, manager);
    }

    /** The side of the {@code vae} case's input image: the size the fixture's model works at. */
    public int imageSize() {
        return (int) tensors.entry(testCase("vae").at("/encode/input").asText()).shape().get(2);
    }

    public boolean hasTensor(String name) {
        return tensors.contains(name);
    }

    public java.util.Set<String> tensorNames() {
        return tensors.names();
    }

    /** Elementwise |actual − expected| ≤ atol + rtol·|expected|, reporting the worst element on failure. */
    public static void assertClose(String what, NDArray actual, NDArray expected, Tolerance tol) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        int worst = -1;
        double worstExcess = 0;
        double maxAbs = 0;
        int bad = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - e[i]);
            maxAbs = Math.max(maxAbs, diff);
            double excess = diff - (tol.atol() + tol.rtol() * Math.abs(e[i]));
            if (!(excess <= 0)) {
                bad++;
                if (worst < 0 || excess > worstExcess || Double.isNaN(excess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d elements outside atol %.1e rtol %.1e; worst at flat index %d: "
                            + "actual %.8g expected %.8g (max |diff| %.3e)",
                    what, bad, a.length, tol.atol(), tol.rtol(), worst, a[worst], e[worst], maxAbs));
        }
    }

    @Override
    public void close() {
        tensors.close();
    }
}
