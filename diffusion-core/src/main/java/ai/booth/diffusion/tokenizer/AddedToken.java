package ai.booth.diffusion.tokenizer;

import java.util.Arrays;

/**
 * A token added to the vocabulary (textual inversion): {@code text} is matched literally in the raw prompt before
 * cleaning and BPE (as transformers' {@code add_tokens}) and stands for {@code ids} — one id per embedding vector, so
 * an A1111 embedding of n vectors is one name expanding to n ids.
 *
 * @param wholeWord match only where no letter or digit touches it (A1111 triggers by bare file name, e.g. {@code
 *                  myemb}, which must not fire inside {@code myembroidery}); names in angle brackets need no such
 *                  guard
 */
public record AddedToken(String text, int[] ids, boolean wholeWord) {

    public AddedToken {
        if (text == null || text.isBlank() || !text.strip().equals(text)) {
            throw new IllegalArgumentException("added token '" + text + "' must be non-blank without outer spaces");
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("added token '" + text + "' needs at least one id");
        }
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** Whether the token matches {@code s} at {@code i}. */
    boolean matchesAt(String s, int i) {
        if (!s.startsWith(text, i)) {
            return false;
        }
        return !wholeWord || (!wordChar(s, i - 1) && !wordChar(s, i + text.length()));
    }

    private static boolean wordChar(String s, int i) {
        return i >= 0 && i < s.length() && Character.isLetterOrDigit(s.charAt(i));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddedToken t && t.text.equals(text) && Arrays.equals(t.ids, ids) && t.wholeWord == wholeWord;
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return text + Arrays.toString(ids);
    }
}
