package ai.booth.diffusion.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SubjectFidelityTest {

    @Test
    void theRareTokenIsRemovedAsAWordInAnyCase() {
        assertEquals("a photo of dog on the beach",
                SubjectFidelity.withoutToken("a photo of sks dog on the beach", "sks"));
        assertEquals("a photo of a dog.", SubjectFidelity.withoutToken("a photo of a sks dog.", "sks"));
        assertEquals("dog in the snow", SubjectFidelity.withoutToken("Sks dog in the snow", "sks"));
        assertEquals("asks for a sksdog", SubjectFidelity.withoutToken("asks for a sksdog", "sks"));
        assertEquals("a photo of a dog", SubjectFidelity.withoutToken("a photo of a dog", null));
    }

    @Test
    void pairwiseMeansAverageEveryPairAndDistinctPairsOnly() {
        float[][] a = {{1, 0}, {0, 1}};
        float[][] b = {{1, 0}};
        assertEquals(0.5, Similarity.meanPairwise(a, b), 1e-12);
        assertEquals(0.0, Similarity.meanDistinctPairs(a), 1e-12);
        assertEquals(1.0, Similarity.meanDistinctPairs(new float[][]{{2, 2}, {1, 1}, {3, 3}}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Similarity.meanDistinctPairs(b));
    }

    @Test
    void cosineIgnoresLength() {
        assertEquals(Math.sqrt(0.5), Similarity.cosine(new float[]{3, 0}, new float[]{5, 5}), 1e-12);
    }
}
