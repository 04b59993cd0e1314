package ai.booth.dataset.processing;

import java.util.Arrays;
import java.util.List;

/** Groups photos whose perceptual hashes are within {@value #MAX_DISTANCE} bits, transitively (union-find). */
public final class NearDuplicates {

    /** Re-encoded, resized or lightly edited copies stay within this; different photos differ in ~32 of 64 bits. */
    public static final int MAX_DISTANCE = 10;

    /** Per photo its group number (1, 2, ... in order of first member), or 0 when it has no near-duplicate. */
    public static int[] groups(List<Long> hashes) {
        int n = hashes.size();
        int[] parent = new int[n];
        Arrays.setAll(parent, i -> i);
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (QualityMetrics.distance(hashes.get(i), hashes.get(j)) <= MAX_DISTANCE) {
                    parent[root(parent, j)] = root(parent, i);
                }
            }
        }
        int[] size = new int[n];
        for (int i = 0; i < n; i++) {
            size[root(parent, i)]++;
        }
        int[] groupOfRoot = new int[n];
        int[] groups = new int[n];
        int next = 1;
        for (int i = 0; i < n; i++) {
            int root = root(parent, i);
            if (size[root] > 1) {
                if (groupOfRoot[root] == 0) {
                    groupOfRoot[root] = next++;
                }
                groups[i] = groupOfRoot[root];
            }
        }
        return groups;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private NearDuplicates() {
    }
}
