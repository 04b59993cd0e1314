package ai.booth.diffusion.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's word splitter, the regular expression
 * {@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}
 * written out as a scanner (several times faster than java.util.regex on it): at each position the first
 * alternative that matches wins, whitespace between matches is skipped.
 */
final class PreTokenizer {

    private static final String[] SPECIALS = {"<|startoftext|>", "<|endoftext|>"};
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

    private PreTokenizer() {
    }

    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int end = matchAt(text, i);
            if (end > i) {
                words.add(text.substring(i, end));
                i = end;
            } else {
                i += Character.charCount(text.codePointAt(i));   // whitespace
            }
        }
        return words;
    }

    /** End of the match starting at {@code i}, or {@code i} when the position is whitespace. */
    private static int matchAt(String text, int i) {
        for (String special : SPECIALS) {
            if (text.startsWith(special, i)) {
                return i + special.length();
            }
        }
        if (text.charAt(i) == '\'') {
            for (String contraction : CONTRACTIONS) {
                if (text.regionMatches(true, i, contraction, 0, contraction.length())) {
                    return i + contraction.length();
                }
            }
        }
        int cp = text.codePointAt(i);
        if (Character.isLetter(cp)) {
            int j = i;
            while (j < text.length() && Character.isLetter(cp = text.codePointAt(j))) {
                j += Character.charCount(cp);
            }
            return j;
        }
        if (isNumber(cp)) {
            return i + Character.charCount(cp);
        }
        if (TextCleaner.isSpace(cp)) {
            return i;
        }
        int j = i;
        while (j < text.length()) {
            cp = text.codePointAt(j);
            if (TextCleaner.isSpace(cp) || Character.isLetter(cp) || isNumber(cp)) {
                break;
            }
            j += Character.charCount(cp);
        }
        return j;
    }

    private static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
