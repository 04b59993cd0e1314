package ai.booth.diffusion.tokenizer;

import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CLIPTokenizerTest {

    private static Path tokenizerDir;
    private static CLIPTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizerDir = Reference.fixturesDir().resolve("model/tokenizer");
        tokenizer = CLIPTokenizer.fromFolder(tokenizerDir);
    }

    @Test
    void matchesReferenceIdsForEveryPrompt() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            JsonNode testCase = ref.testCase("tokenizer");
            List<String> prompts = new ArrayList<>();
            testCase.get("prompts").forEach(p -> prompts.add(p.asText()));
            long[] expected = ref.tensor(testCase.get("tensor").asText(), manager).toLongArray();
            long[][] actual = tokenizer.encodeBatch(prompts);
            int length = expected.length / prompts.size();
            assertEquals(length, tokenizer.maxLength());
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(Arrays.copyOfRange(expected, i * length, (i + 1) * length), actual[i],
                        "prompt " + i + ": '" + prompts.get(i) + "'");
            }
        }
    }

    @Test
    void cleansLikeClipSimpleTokenizer() {
        assertEquals(tokenizer.tokenize("a photo of dog"), tokenizer.tokenize("  A\tPHOTO \n of\u00a0dog  "));
        assertEquals(tokenizer.tokenize("fish & chips"), tokenizer.tokenize("fish &amp;amp; chips"));
        assertEquals(tokenizer.tokenize("caf\u00e9 \"quoted\" it's"),
                tokenizer.tokenize("cafe\u0301 \u201cquoted\u201d it\u2019s"));
        assertEquals(tokenizer.tokenize("fine abc"), tokenizer.tokenize("\ufb01ne \uff41\uff42\uff43"));
        assertEquals(List.of("a</w>", "photo</w>", "of</w>", "sks</w>", "dog</w>"),
                tokenizer.tokenize("a photo of sks dog"));
        assertEquals("'s</w>", tokenizer.tokenize("dog's").get(1));
    }

    @Test
    void truncatesSoTheEndTokenIsLast() {
        String longPrompt = "sks dog on the beach ".repeat(30);
        assertTrue(tokenizer.tokenCount(longPrompt) > tokenizer.maxTextTokens());
        int[] ids = tokenizer.encode(longPrompt);
        assertEquals(tokenizer.maxLength(), ids.length);
        assertEquals(tokenizer.bosId(), ids[0]);
        assertEquals(tokenizer.eosId(), ids[ids.length - 1]);
        int[] expectedBody = tokenizer.tokenize(longPrompt).subList(0, tokenizer.maxTextTokens()).stream()
                .mapToInt(t -> tokenizer.encode(t.replace("</w>", ""))[1]).toArray();
        assertArrayEquals(expectedBody, Arrays.copyOfRange(ids, 1, ids.length - 1));
    }

    @Test
    void padsWithTheConfiguredPadToken(@TempDir Path dir) throws IOException {
        Files.copy(tokenizerDir.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(tokenizerDir.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"pad_token\": {\"content\": \"!\", \"lstrip\": false}, \"model_max_length\": 16}");
        CLIPTokenizer sd2 = CLIPTokenizer.fromFolder(dir);
        int bang = new ObjectMapper().readTree(dir.resolve("vocab.json").toFile()).get("!").asInt();
        assertEquals(bang, sd2.padId());
        assertTrue(bang != sd2.eosId());
        int[] ids = sd2.encode("a photo of sks dog");
        assertEquals(16, ids.length);
        assertEquals(sd2.eosId(), ids[6]);
        for (int i = 7; i < ids.length; i++) {
            assertEquals(sd2.padId(), ids[i], "position " + i);
        }
        assertArrayEquals(Arrays.copyOf(tokenizer.encode("a photo of sks dog"), 7), Arrays.copyOf(ids, 7));
    }

    @Test
    void decodeInvertsEncode() {
        String text = "a photo of sks dog on the \u043b\u0443\u043d\u0435";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text.toUpperCase())));
        assertEquals("dog , 1 2 !", tokenizer.decode(tokenizer.encode("dog, 12!")));
    }

    @Test
    void namesTheFileWhenVocabOrMergesAreMissingOrMalformed(@TempDir Path dir) throws IOException {
        Files.copy(tokenizerDir.resolve("vocab.json"), dir.resolve("vocab.json"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> CLIPTokenizer.fromFolder(dir));
        assertTrue(missing.getMessage().contains("merges.txt"), missing.getMessage());

        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nthree parts here\n");
        IllegalArgumentException badMerges = assertThrows(IllegalArgumentException.class,
                () -> CLIPTokenizer.fromFolder(dir));
        assertTrue(badMerges.getMessage().contains("merges.txt line 3"), badMerges.getMessage());

        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\n");
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0,");
        IllegalArgumentException badVocab = assertThrows(IllegalArgumentException.class,
                () -> CLIPTokenizer.fromFolder(dir));
        assertTrue(badVocab.getMessage().contains("vocab.json"), badVocab.getMessage());

        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        IllegalArgumentException noSpecials = assertThrows(IllegalArgumentException.class,
                () -> CLIPTokenizer.fromFolder(dir));
        assertTrue(noSpecials.getMessage().contains("not in vocab.json"), noSpecials.getMessage());
    }

    @Test
    void htmlUnescapeFollowsPython() {
        assertEquals("& < \u00e9 \u20ac x &bogus; &ampy",
                HtmlUnescape.unescape("&amp; &lt; &eacute; &#128; &#x78; &bogus; &ampampy"));
        assertEquals("\ufffd\ufffd", HtmlUnescape.unescape("&#0;&#xD800;"));
        assertEquals("&y", HtmlUnescape.unescape("&ampy"));
    }

    @Test
    void addedTokensAreMatchedLiterallyBeforeBpeAndStandForTheirIds() {
        int v = tokenizer.vocabSize();
        CLIPTokenizer t = tokenizer.withAddedTokens(List.of(new AddedToken("<s1>", new int[] {v}, false),
                new AddedToken("<s10>", new int[] {v + 1, v + 2}, false), new AddedToken("myemb", new int[] {v + 3}, true)));
        int[] base = tokenizer.encode("a photo in the style of");
        int[] ids = t.encode("a photo in the style of<s1>");
        int n = tokenizer.tokenCount("a photo in the style of");
        assertArrayEquals(Arrays.copyOf(base, n + 1), Arrays.copyOf(ids, n + 1));
        assertEquals(v, ids[n + 1]);
        assertEquals(tokenizer.eosId(), ids[n + 2]);
        assertEquals(List.of("<s10>", "<s10>", "<s1>"), t.tokenize("<s10><s1>"), "longest match, n ids per name");
        assertEquals(tokenizer.tokenize("<S1> x"), t.tokenize("<S1> x"), "case-sensitive: <S1> is BPE'd");
        assertEquals(List.of(v + 3), Arrays.stream(t.encode("myemb")).boxed().toList().subList(1, 2));
        assertEquals(tokenizer.tokenize("myembroidery"), t.tokenize("myembroidery"), "bare names match whole words");
        assertArrayEquals(tokenizer.encode("a photo of sks dog"), t.encode("a photo of sks dog"));
        assertEquals("a photo <s1>", t.decode(t.encode("a photo <s1>")));
        assertThrows(IllegalArgumentException.class,
                () -> tokenizer.withAddedTokens(List.of(new AddedToken("<x>", new int[] {5}, false))));
    }
}
