package ai.booth.diffusion.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}: numeric references with the HTML5 replacements for invalid code points, and
 * named references, longest legacy prefix first ({@code &ampx} → {@code &x}). Named references cover HTML 4's 252
 * plus HTML5's uppercase aliases (the table in {@code html-entities.txt}); HTML5-only names stay as written.
 */
final class HtmlUnescape {

    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    /** What Windows-1252 puts at 0x80..0x9F; undefined bytes map to themselves, as in Python's table. */
    private static final String CP1252_C1 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
            + "\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161"
            + "\u203a\u0153\u009d\u017e\u0178";

    private static final Map<String, String> NAMED = new HashMap<>();   // "amp;" and, for legacy names, "amp"

    static {
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html-entities.txt")) {
            if (in == null) {
                throw new IllegalStateException("html-entities.txt is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                String text = Character.toString(Integer.parseInt(f[1], 16));
                NAMED.put(f[0] + ";", text);
                if (f.length > 2 && f[2].equals("*")) {
                    NAMED.put(f[0], text);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read html-entities.txt", e);
        }
    }

    private HtmlUnescape() {
    }

    /** C1 control characters as Windows-1252 reads their byte (ftfy's fix_c1_controls uses the same table). */
    static char cp1252(char c1) {
        return CP1252_C1.charAt(c1 - 0x80);
    }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1).replace(";", "");
            return numeric(new BigInteger(digits, hex ? 16 : 10));
        }
        String named = NAMED.get(ref);
        if (named != null) {
            return named;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            named = NAMED.get(ref.substring(0, x));
            if (named != null) {
                return named + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static String numeric(BigInteger value) {
        if (value.bitLength() > 31) {
            return "\uFFFD";
        }
        int cp = value.intValue();
        if (cp == 0) {
            return "\uFFFD";
        }
        if (cp == 0x0d) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9f) {
            return String.valueOf(cp1252((char) cp));
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return "\uFFFD";
        }
        boolean invalid = (cp >= 0x1 && cp <= 0x8) || (cp >= 0xe && cp <= 0x1f) || cp == 0xb
                || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
        return invalid ? "" : Character.toString(cp);
    }
}
