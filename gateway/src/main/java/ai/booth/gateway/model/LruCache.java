package ai.booth.gateway.model;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A cache of at most {@code capacity} entries that drops the least recently used; loads run outside its lock. */
final class LruCache<K, V> {

    private final int capacity;
    private final Map<K, V> entries = new LinkedHashMap<>(16, 0.75f, true);

    LruCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a cache holds at least 1 entry, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The cached value, or the loaded one (cached; a racing load of the same key is harmless, the last wins). */
    V get(K key, Function<K, V> load) {
        synchronized (entries) {
            V cached = entries.get(key);
            if (cached != null) {
                return cached;
            }
        }
        V loaded = load.apply(key);
        synchronized (entries) {
            entries.put(key, loaded);
            Iterator<K> eldest = entries.keySet().iterator();
            while (entries.size() > capacity) {
                eldest.next();
                eldest.remove();
            }
        }
        return loaded;
    }

    /** The cached keys, least recently used first. */
    List<K> keys() {
        synchronized (entries) {
            return List.copyOf(entries.keySet());
        }
    }
}
