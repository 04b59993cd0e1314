package ai.booth.diffusion.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CLIP's byte-level BPE tokenizer, as OpenAI's {@code SimpleTokenizer} and Hugging Face's {@code CLIPTokenizer}
 * compute it: clean the text ({@link TextCleaner}), split it into words, numbers and punctuation runs, map each
 * piece's UTF-8 bytes to characters, merge by rank, look up ids, wrap in start/end tokens, truncate so the end
 * token stays last, pad to the model length with the configured pad token ({@code <|endoftext|>} in SD 1.x,
 * {@code !} in SD 2.x). Immutable and thread-safe.
 */
public final class CLIPTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_MAX_LENGTH = 77;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final BpeMerges merges;
    private final int maxLength;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final Map<String, Integer> specials;
    /** Added tokens, longest text first so that e.g. {@code <s10>} wins over {@code <s1>}. */
    private final List<AddedToken> added;

    private CLIPTokenizer(Map<String, Integer> vocab, BpeMerges merges, int maxLength, SpecialTokens tokens,
                          Path dir) {
        this.vocab = vocab;
        this.merges = merges;
        this.maxLength = maxLength;
        this.bosId = tokens.id("bos_token", tokens.bos, vocab, dir);
        this.eosId = tokens.id("eos_token", tokens.eos, vocab, dir);
        this.padId = tokens.id("pad_token", tokens.pad, vocab, dir);
        this.unkId = tokens.id("unk_token", tokens.unk, vocab, dir);
        this.specials = Map.of(tokens.bos, bosId, tokens.eos, eosId);
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.idToToken = new String[size];
        vocab.forEach((token, id) -> idToToken[id] = token);
        this.added = List.of();
    }

    private CLIPTokenizer(CLIPTokenizer base, List<AddedToken> added) {
        this.vocab = base.vocab;
        this.merges = base.merges;
        this.maxLength = base.maxLength;
        this.bosId = base.bosId;
        this.eosId = base.eosId;
        this.padId = base.padId;
        this.unkId = base.unkId;
        this.specials = base.specials;
        this.idToToken = base.idToToken;
        List<AddedToken> sorted = new ArrayList<>(added);
        sorted.sort(Comparator.comparingInt((AddedToken t) -> t.text().length()).reversed());
        this.added = List.copyOf(sorted);
    }

    /**
     * This tokenizer with {@code tokens} added (replacing any added before). Their ids must lie at or above
     * {@link #vocabSize()}, where the text encoder's added embedding rows are; texts must be distinct.
     */
    public CLIPTokenizer withAddedTokens(List<AddedToken> tokens) {
        Set<String> texts = new HashSet<>();
        for (AddedToken t : tokens) {
            if (!texts.add(t.text())) {
                throw new IllegalArgumentException("added token '" + t.text() + "' is given twice");
            }
            for (int id : t.ids()) {
                if (id < idToToken.length) {
                    throw new IllegalArgumentException("added token '" + t.text() + "' has id " + id
                            + ", inside the base vocabulary of " + idToToken.length);
                }
            }
        }
        return new CLIPTokenizer(this, tokens);
    }

    /** The added tokens (none for a tokenizer read from a folder). */
    public List<AddedToken> addedTokens() {
        return added;
    }

    /** Size of the base vocabulary: the first id an added token may take. */
    public int vocabSize() {
        return idToToken.length;
    }

    /**
     * Reads {@code vocab.json} and {@code merges.txt}, and the special tokens and {@code model_max_length} from
     * {@code tokenizer_config.json} / {@code special_tokens_map.json} when present (the latter wins).
     */
    public static CLIPTokenizer fromFolder(Path tokenizerDir) {
        if (!Files.isDirectory(tokenizerDir)) {
            throw new IllegalArgumentException("tokenizer folder " + tokenizerDir + " does not exist");
        }
        Map<String, Integer> vocab = readVocab(tokenizerDir.resolve("vocab.json"));
        BpeMerges merges = new BpeMerges(readMerges(tokenizerDir.resolve("merges.txt")));
        SpecialTokens tokens = new SpecialTokens();
        int maxLength = DEFAULT_MAX_LENGTH;
        for (String name : List.of("tokenizer_config.json", "special_tokens_map.json")) {
            Path file = tokenizerDir.resolve(name);
            if (Files.exists(file)) {
                JsonNode config = readJson(file);
                tokens.override(config);
                JsonNode length = config.path("model_max_length");
                // HF writes a huge sentinel when a tokenizer has no limit: CLIP's text model has 77 positions.
                if (length.isNumber() && length.asDouble() >= 2 && length.asDouble() <= 1 << 20) {
                    maxLength = length.asInt();
                }
            }
        }
        return new CLIPTokenizer(vocab, merges, maxLength, tokens, tokenizerDir);
    }

    /** Sequence length of {@link #encode}: start token, up to {@code maxLength - 2} text tokens, end, padding. */
    public int maxLength() {
        return maxLength;
    }

    /** How many text tokens fit between the start and end tokens (75 for CLIP). */
    public int maxTextTokens() {
        return maxLength - 2;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    /**
     * The pieces of {@code text} as vocabulary strings ({@code "photo</w>"}), without start/end tokens; an added
     * token appears as its text once per vector.
     */
    public List<String> tokenize(String text) {
        List<String> pieces = new ArrayList<>();
        for (int id : tokenIds(text)) {
            pieces.add(id < idToToken.length ? idToToken[id] : addedText(id));
        }
        return pieces;
    }

    /** Number of text tokens in {@code text}; beyond {@link #maxTextTokens()} the rest is cut off by encode. */
    public int tokenCount(String text) {
        return tokenIds(text).size();
    }

    /** {@code maxLength} ids: start, the text's tokens (truncated), end, padding. */
    public int[] encode(String text) {
        int[] ids = new int[maxLength];
        Arrays.fill(ids, padId);
        ids[0] = bosId;
        int n = 1;
        for (Iterator<Integer> it = tokenIds(text).iterator(); it.hasNext() && n < maxLength - 1; ) {
            ids[n++] = it.next();
        }
        ids[n] = eosId;
        return ids;
    }

    /**
     * The ids of {@code text}: added tokens are cut out of the raw text first (transformers splits on them before
     * normalising), every stretch between them is cleaned, split and BPE-merged on its own.
     */
    private List<Integer> tokenIds(String text) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length() && !added.isEmpty(); i++) {
            AddedToken hit = addedAt(text, i);
            if (hit != null) {
                bpeIds(text.substring(start, i), ids);
                for (int id : hit.ids()) {
                    ids.add(id);
                }
                i += hit.text().length() - 1;
                start = i + 1;
            }
        }
        bpeIds(text.substring(start), ids);
        return ids;
    }

    private AddedToken addedAt(String text, int i) {
        for (AddedToken t : added) {
            if (t.matchesAt(text, i)) {
                return t;
            }
        }
        return null;
    }

    private void bpeIds(String text, List<Integer> out) {
        for (String word : PreTokenizer.split(TextCleaner.clean(text))) {
            if (specials.containsKey(word)) {
                out.add(specials.get(word));
            } else {
                for (String piece : merges.apply(word)) {
                    Integer id = vocab.get(piece);
                    out.add(id != null ? id : unkId);
                }
            }
        }
    }

    private String addedText(int id) {
        for (AddedToken t : added) {
            for (int a : t.ids()) {
                if (a == id) {
                    return t.text();
                }
            }
        }
        throw new IllegalArgumentException("token id " + id + " is neither in the vocabulary (size "
                + idToToken.length + ") nor an added token");
    }

    /** {@link #encode} for each text, as the int64 rows a text encoder takes. */
    public long[][] encodeBatch(List<String> texts) {
        long[][] out = new long[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.stream(encode(texts.get(i))).asLongStream().toArray();
        }
        return out;
    }

    /** Text of the ids, without start, end and pad tokens; word ends become spaces. */
    public String decode(int[] ids) {
        StringBuilder mapped = new StringBuilder();
        for (int id : ids) {
            if (id == bosId || id == eosId || id == padId) {
                continue;
            }
            if (id >= idToToken.length) {
                if (mapped.length() > 0 && !mapped.toString().endsWith(BpeMerges.END_OF_WORD)) {
                    mapped.append(BpeMerges.END_OF_WORD);   // an added token is a word of its own
                }
                mapped.append(addedText(id)).append(BpeMerges.END_OF_WORD);
                continue;
            }
            if (id < 0 || idToToken[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size "
                        + idToToken.length + ")");
            }
            mapped.append(idToToken[id]);
        }
        return ByteUnicode.decode(mapped.toString()).replace(BpeMerges.END_OF_WORD, " ").strip();
    }

    /** vocab.json streamed token by token: a tree of 49k nodes would take most of the load time. */
    private static Map<String, Integer> readVocab(Path file) {
        Map<String, Integer> vocab = new HashMap<>(1 << 17);
        try (JsonParser parser = JSON.getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(file + " must be a JSON object of token → id");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String token = parser.getCurrentName();
                if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0
                        || parser.getLongValue() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(file + ": token '" + token + "' has id " + parser.getText()
                            + ", expected a non-negative integer");
                }
                vocab.put(token, parser.getIntValue());
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || vocab.isEmpty()) {
                throw new IllegalArgumentException(file + " must be a non-empty JSON object of token → id");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (FileNotFoundException | NoSuchFileException e) {
            throw new IllegalArgumentException("missing tokenizer file " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return vocab;
    }

    private static Map<String, Integer> readMerges(Path file) {
        List<String> lines = readLines(file);
        Map<String, Integer> ranks = new HashMap<>(lines.size() * 2);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1)
                        + ": expected two symbols separated by one space, got '" + line + "'");
            }
            ranks.putIfAbsent(line, ranks.size());
        }
        if (ranks.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no merges");
        }
        return ranks;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("missing tokenizer file " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("missing tokenizer file " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Special token strings, CLIP's defaults overridden by the config files. */
    private static final class SpecialTokens {
        String bos = "<|startoftext|>";
        String eos = "<|endoftext|>";
        String pad = "<|endoftext|>";
        String unk = "<|endoftext|>";

        void override(JsonNode config) {
            bos = text(config.get("bos_token"), bos);
            eos = text(config.get("eos_token"), eos);
            pad = text(config.get("pad_token"), pad);
            unk = text(config.get("unk_token"), unk);
        }

        /** A token is written either as a string or as {@code {"content": "...", ...}}. */
        private static String text(JsonNode node, String fallback) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            return node.isTextual() ? node.asText() : node.path("content").asText(fallback);
        }

        int id(String key, String token, Map<String, Integer> vocab, Path dir) {
            Integer id = vocab.get(token);
            if (id == null) {
                throw new IllegalArgumentException(key + " '" + token + "' of the tokenizer in " + dir
                        + " is not in vocab.json");
            }
            return id;
        }
    }
}
