package ai.booth.gateway.job;

import ai.booth.gateway.http.Checks;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, newest first.
 *
 * @param items   this page's entries
 * @param total   entries in the whole list
 * @param offset  entries skipped before this page
 * @param limit   the page size asked for
 */
public record Page<T>(List<T> items, int total, int offset, int limit) {

    static final int MAX_LIMIT = 100;

    public <R> Page<R> map(Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), total, offset, limit);
    }

    /** Checks the {@code offset} and {@code limit} query parameters. */
    public static void check(int offset, int limit) {
        Checks checks = new Checks();
        checks.range("offset", offset, 0, Integer.MAX_VALUE);
        checks.range("limit", limit, 1, MAX_LIMIT);
        checks.done();
    }
}
