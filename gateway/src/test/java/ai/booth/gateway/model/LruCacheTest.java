package ai.booth.gateway.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LruCacheTest {

    @Test
    void holdsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        List<String> loads = new ArrayList<>();
        LruCache<String, Integer> cache = new LruCache<>(2);
        cache.get("a", k -> { loads.add(k); return 1; });
        cache.get("b", k -> { loads.add(k); return 2; });
        assertEquals(1, cache.get("a", k -> { loads.add(k); return -1; }), "a is cached");
        cache.get("c", k -> { loads.add(k); return 3; });
        assertEquals(List.of("a", "c"), cache.keys(), "b was least recently used");
        for (int i = 0; i < 1000; i++) {
            cache.get("k" + i, k -> 0);
        }
        assertEquals(2, cache.keys().size());
        assertEquals(List.of("a", "b", "c"), loads, "each key loaded once while cached");
    }

    @Test
    void aCacheOfNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LruCache<String, String>(0));
    }
}
