package ai.booth.diffusion.embedding;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.tokenizer.AddedToken;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * One textual-inversion embedding: {@code vectors} [n, width] and the token names that trigger them. Files in two
 * layouts are read and written:
 * <ul>
 *   <li>A1111: a single tensor, {@code emb_params} [n, width] (or {@code string_to_param.*} as converted from .pt);
 *       triggered by the file name, n vectors per use.</li>
 *   <li>kohya / diffusers' advanced DreamBooth script: {@code clip_l} [n, 768] (SD-1.x) beside {@code clip_g}
 *       [n, 1280] (SDXL's second encoder, which SD-1/2 models lack: ignored, with a note).</li>
 * </ul>
 * Booth also stores the trained token names ({@code booth_tokens}, a JSON list) in the metadata of both; each name
 * then triggers its own equal share of the vectors.
 *
 * @param name   the file name without {@code .safetensors}: triggers all vectors as {@code name} or {@code <name>}
 * @param tokens token names stored in the file (may be empty)
 * @param notes  what was ignored while reading, for the user
 */
public record TextualInversion(String name, List<String> tokens, NDArray vectors, Path file, List<String> notes) {

    public static final String TOKENS_KEY = "booth_tokens";
    /** LoRA metadata naming the A1111 embedding file beside the adapter, loaded with it for generation. */
    public static final String ADAPTER_KEY = "booth_embedding";
    static final String A1111_KEY = "emb_params";
    static final String CLIP_L = "clip_l";
    static final String CLIP_G = "clip_g";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TextualInversion {
        tokens = List.copyOf(tokens);
        notes = List.copyOf(notes);
        long n = vectors.getShape().get(0);
        if (!tokens.isEmpty() && n % tokens.size() != 0) {
            throw new IllegalArgumentException("embedding '" + name + "': " + n + " vectors cannot be shared by the "
                    + tokens.size() + " tokens " + tokens);
        }
    }

    /** Vectors per stored token name. */
    public int vectorsPerToken() {
        return tokens.isEmpty() ? vectorCount() : vectorCount() / tokens.size();
    }

    public int vectorCount() {
        return (int) vectors.getShape().get(0);
    }

    /**
     * The tokens that trigger this embedding when its vectors take ids {@code firstId ..}: {@code <name>} (literal)
     * and the bare {@code name} (as a whole word, as A1111) for all vectors; each stored token name for its share.
     */
    public List<AddedToken> triggers(int firstId) {
        int[] all = IntStream.range(firstId, firstId + vectorCount()).toArray();
        Map<String, AddedToken> out = new LinkedHashMap<>();
        for (int j = 0; j < tokens.size(); j++) {
            int from = firstId + j * vectorsPerToken();
            out.putIfAbsent(tokens.get(j), new AddedToken(tokens.get(j),
                    IntStream.range(from, from + vectorsPerToken()).toArray(), false));
        }
        out.putIfAbsent("<" + name + ">", new AddedToken("<" + name + ">", all, false));
        out.putIfAbsent(name, new AddedToken(name, all, true));
        return List.copyOf(out.values());
    }

    /** One added token per name, {@code perToken} vectors each, ids from {@code firstId} in order. */
    public static List<AddedToken> sequential(List<String> names, int perToken, int firstId) {
        List<AddedToken> out = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            int from = firstId + j * perToken;
            out.add(new AddedToken(names.get(j), IntStream.range(from, from + perToken).toArray(), false));
        }
        return out;
    }

    /**
     * Reads an embedding file of either layout for a text encoder of {@code width}, as float32 in {@code manager}
     * (an owned copy, not a view of the file).
     */
    public static TextualInversion load(Path file, long width, NDManager manager) {
        try (SafeTensors st = SafeTensors.open(file)) {
            Set<String> keys = st.names();
            List<String> notes = new ArrayList<>();
            String key;
            if (keys.contains(CLIP_L)) {
                key = CLIP_L;
                if (keys.contains(CLIP_G)) {
                    notes.add(file.getFileName() + ": clip_g (SDXL's second text encoder) ignored — this model has one "
                            + "CLIP text encoder; clip_l is used");
                }
            } else if (keys.contains(CLIP_G)) {
                throw new IllegalArgumentException("it holds only clip_g, an SDXL embedding: this model has no "
                        + "second text encoder");
            } else if (keys.contains(A1111_KEY)) {
                key = A1111_KEY;
            } else {
                List<String> params = keys.stream().filter(k -> k.startsWith("string_to_param.")).toList();
                List<String> candidates = params.isEmpty() ? List.copyOf(keys) : params;
                if (candidates.size() != 1) {
                    throw new IllegalArgumentException("expected one embedding tensor (emb_params, string_to_param.*, "
                            + "or clip_l/clip_g), found " + keys);
                }
                key = candidates.get(0);
            }
            NDArray loaded = st.load(key, manager, DataType.FLOAT32);
            NDArray vectors = loaded.getShape().dimension() == 1 ? loaded.expandDims(0) : loaded.duplicate();
            loaded.close();
            if (vectors.getShape().dimension() != 2 || vectors.getShape().get(1) != width) {
                throw new IllegalArgumentException("tensor " + key + " is " + vectors.getShape() + "; this text encoder "
                        + "needs [n, " + width + "] (SD-1.x: 768, SD-2.x: 1024)");
            }
            return new TextualInversion(baseName(file), tokens(st.metadata()), vectors, file, notes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("embedding file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code vectors} as {@code <dir>/<name>.safetensors} (A1111) and {@code <dir>/<name>_emb.safetensors}
     * (kohya / diffusers, {@code clip_l}), both naming {@code tokens} in their metadata, creating {@code dir} when
     * missing; returns the two paths.
     */
    public static List<Path> save(Path dir, String name, List<String> tokens, NDArray vectors,
                                  Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        try {
            meta.put(TOKENS_KEY, JSON.writeValueAsString(tokens));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Path a1111 = dir.resolve(name + ".safetensors");
        Path kohya = dir.resolve(kohyaTwin(a1111.getFileName().toString()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SafeTensors.write(a1111, Map.of(A1111_KEY, vectors), meta);
        SafeTensors.write(kohya, Map.of(CLIP_L, vectors), meta);
        return List.of(a1111, kohya);
    }

    /** The kohya / diffusers-advanced file {@link #save} writes beside the A1111 file {@code a1111FileName}. */
    public static String kohyaTwin(String a1111FileName) {
        return a1111FileName.replaceFirst("\\.safetensors$", "") + "_emb.safetensors";
    }

    private static List<String> tokens(Map<String, String> metadata) {
        String json = metadata.get(TOKENS_KEY);
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata " + TOKENS_KEY + " is not a JSON list of names: " + json);
        }
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }
}
