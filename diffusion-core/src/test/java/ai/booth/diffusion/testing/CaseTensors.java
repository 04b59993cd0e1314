package ai.booth.diffusion.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the tensor references reference.json uses in its cases: a tensor name, optionally followed by a python
 * slice of the first axis ({@code tokenizer.input_ids[:3]}) and/or a trailing comment in parentheses
 * ({@code vae.logvar (clamped -30..20)}).
 */
public final class CaseTensors {

    private static final Pattern REF = Pattern.compile("^\\s*([A-Za-z0-9_.]+)\\s*(\\[([^\\]]*)])?.*$");

    private CaseTensors() {
    }

    public static String name(String reference) {
        return matcher(reference).group(1);
    }

    public static NDArray load(Reference ref, String reference, NDManager manager) {
        Matcher m = matcher(reference);
        NDArray t = ref.tensor(m.group(1), manager);
        return m.group(3) == null ? t : t.get(new NDIndex(m.group(3)));
    }

    private static Matcher matcher(String reference) {
        Matcher m = REF.matcher(reference);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot read tensor reference '" + reference + "'");
        }
        return m;
    }
}
