package ai.booth.diffusion.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Comparisons against a {@link Reference} that remember which tensors were compared, so a test class can fail when
 * a fixture set carries outputs no test looked at ({@link #assertAllChecked}).
 */
public final class ReferenceChecks {

    private final Reference ref;
    private final NDManager manager;
    private final Set<String> checked = new HashSet<>();

    public ReferenceChecks(Reference ref, NDManager manager) {
        this.ref = ref;
        this.manager = manager;
    }

    /** The reference tensor {@code name}; an error naming it when the fixture has none. */
    public NDArray expected(String name) {
        if (!ref.hasTensor(name)) {
            throw new AssertionError("the reference has no tensor " + name);
        }
        return ref.tensor(name, manager);
    }

    /** Records {@code names} as used (inputs fed to the code under test). */
    public void used(String... names) {
        checked.addAll(Set.of(names));
    }

    /** Every element of {@code actual} (reshaped to the reference's shape) within {@code tol}. */
    public void compare(String name, NDArray actual, Reference.Tolerance tol) {
        NDArray expected = expected(name);
        Reference.assertClose(name, actual.reshape(expected.getShape()), expected, tol);
        checked.add(name);
    }

    /** The elements where {@code mask} is true within {@code tol} (ill-conditioned ones left to another check). */
    public void compareWhere(String name, NDArray actual, NDArray mask, Reference.Tolerance tol) {
        NDArray expected = expected(name);
        assertTrue(mask.sum().getLong() > 0 || mask.size() == 0, name + ": no well-conditioned element");
        Reference.assertClose(name + " (elements with |grad| >= 100 eps)",
                actual.reshape(expected.getShape()).get(mask), expected.get(mask), tol);
        checked.add(name);
    }

    /** Fails listing (some of) the reference tensors starting with {@code prefix} that nothing compared or used. */
    public void assertAllChecked(String prefix) {
        Set<String> unchecked = new TreeSet<>();
        ref.tensorNames().stream().filter(n -> n.startsWith(prefix) && !checked.contains(n)).forEach(unchecked::add);
        assertTrue(unchecked.isEmpty(), unchecked.size() + " reference tensors no test compared, e.g. "
                + unchecked.stream().limit(5).toList());
    }
}
