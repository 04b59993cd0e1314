package ai.booth.diffusion.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair merging with CLIP's end-of-word marker: the word's UTF-8 bytes become symbols ({@link ByteUnicode}),
 * the last one carrying {@code </w>}, and the pair with the lowest merge rank is merged everywhere in the word
 * until no ranked pair is left. Results are cached per word (prompts repeat their words); the cache stops growing
 * at {@link #CACHE_LIMIT} words. Thread-safe.
 */
final class BpeMerges {

    static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 200_000;

    private final Map<String, Integer> ranks;      // "first second" → rank
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    BpeMerges(Map<String, Integer> ranks) {
        this.ranks = ranks;
    }

    /** The BPE pieces (in byte-mapped characters) of one pre-tokenised word. */
    List<String> apply(String word) {
        List<String> cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> pieces = merge(ByteUnicode.encode(word));
        if (cache.size() < CACHE_LIMIT) {
            cache.put(word, pieces);
        }
        return pieces;
    }

    private List<String> merge(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        int last = word.offsetByCodePoints(word.length(), -1);
        for (int i = 0; i < last; i = word.offsetByCodePoints(i, 1)) {
            symbols.add(word.substring(i, word.offsetByCodePoints(i, 1)));
        }
        symbols.add(word.substring(last) + END_OF_WORD);

        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        return List.copyOf(symbols);
    }
}
