package ai.booth.diffusion.tokenizer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The text clean-up of OpenAI CLIP's {@code SimpleTokenizer}: {@code ftfy.fix_text}, {@code html.unescape} twice,
 * whitespace runs collapsed to one space and stripped, lower case.
 *
 * <p>ftfy is approximated by its default steps that do not guess encodings: terminal escapes removed, C1 controls
 * read as Windows-1252, Latin ligatures and full-width forms expanded, curly quotes straightened, line breaks
 * unified, control characters removed, NFC. Mojibake repair (text that was decoded with the wrong codec) is not
 * attempted: prompts typed by users do not carry it.
 */
final class TextCleaner {

    private static final Pattern TERMINAL_ESCAPES = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    private static final Pattern SINGLE_QUOTES = Pattern.compile("[\u02bc\u2018-\u201b]");
    private static final Pattern DOUBLE_QUOTES = Pattern.compile("[\u201c-\u201f]");
    private static final Pattern LINE_BREAKS = Pattern.compile("\r\n|[\r\u2028\u2029\u0085]");
    private static final Pattern CONTROL_CHARS = Pattern.compile(
            "[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufff9-\ufffc\ufeff]"
                    + "|[\\x{1d173}-\\x{1d17a}]|[\\x{e0000}-\\x{e007f}]");
    private TextCleaner() {
    }

    static String clean(String text) {
        String s = isPrintableAscii(text) ? text : fixText(text);   // ftfy changes nothing in printable ASCII
        s = HtmlUnescape.unescape(HtmlUnescape.unescape(s));
        return collapseWhitespace(s).toLowerCase(Locale.ROOT);
    }

    /** Python's {@code str.isspace}: Unicode White_Space plus the information separators U+001C..U+001F. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f
                || c == 0x205f || c == 0x3000;
    }

    /** {@code re.sub(r'\s+', ' ', s).strip()}. */
    private static String collapseWhitespace(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** The encoding-independent part of ftfy's fix_text, in ftfy's order. */
    static String fixText(String text) {
        String s = TERMINAL_ESCAPES.matcher(text).replaceAll("");
        s = fixC1Controls(s);
        s = fixLigaturesAndWidth(s);
        s = SINGLE_QUOTES.matcher(s).replaceAll("'");
        s = DOUBLE_QUOTES.matcher(s).replaceAll("\"");
        s = LINE_BREAKS.matcher(s).replaceAll("\n");
        s = CONTROL_CHARS.matcher(s).replaceAll("");
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }

    private static String fixC1Controls(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 && c <= 0x9f) {
                if (out == null) {
                    out = new StringBuilder(s);
                }
                out.setCharAt(i, HtmlUnescape.cp1252(c));
            }
        }
        return out == null ? s : out.toString();
    }

    /** Latin ligatures (U+FB00..U+FB06, Ĳ, ĳ, ŉ, Ǆ..ǌ, Ǳ..ǳ) and full/half-width forms become their NFKC letters. */
    private static String fixLigaturesAndWidth(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ligature = (c >= 0xfb00 && c <= 0xfb06) || c == 0x132 || c == 0x133 || c == 0x149
                    || (c >= 0x1c4 && c <= 0x1cc) || (c >= 0x1f1 && c <= 0x1f3);
            boolean width = c == 0x3000 || (c >= 0xff01 && c <= 0xffee);
            out.append(ligature || width ? Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC) : c);
        }
        return out.toString();
    }
}
