package ai.booth.service.models;

import ai.booth.contracts.Buckets;
import ai.booth.diffusion.loader.ControlNetCheck;
import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.diffusion.loader.ModelCheck;
import ai.booth.service.ObjectStore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The models in the {@value Buckets#MODELS} bucket: base models, ControlNets and evaluation encoders
 * ({@link ModelManifest#type()}). {@code <id>/} holds a diffusers folder's files (configs,
 * tokenizer, scheduler and the three weight files the engine loads) or one original-layout {@code .safetensors}
 * checkpoint (plus a companion folder's configs under {@value #COMPANION_PREFIX}), and {@value #MANIFEST}
 * ({@link ModelManifest}).
 *
 * <p>Installing checks the model with the engine first (configs parse, every key maps with the right shape, no
 * pickle weights — {@link ModelCheck}, from file headers only, no native engine needed), uploads the objects, and
 * writes the manifest LAST: a model is listed only once it is complete, and a crashed upload stays invisible.
 * Installing the same content under the same id again is a no-op, so racing installers are safe. Usable without
 * CDI: {@code new ModelRegistry(new ObjectStore(minioClient))}.
 */
@ApplicationScoped
public class ModelRegistry {

    public static final String MANIFEST = "model.json";
    /** Where a single file's companion configs, tokenizer and scheduler are stored, under the model's prefix. */
    public static final String COMPANION_PREFIX = "config/";
    /** The built-in demo model: the tiny fixture model with random weights (images are noise, every option works). */
    public static final String DEMO_MODEL_ID = "sd-tiny";
    public static final String DEMO_MODEL_NAME = "sd-tiny (demo, random weights)";
    /** Booth's own model of its shape world ({@code models/booth-world}), the demo that shows subjects learned. */
    public static final String WORLD_MODEL_ID = "booth-world";
    public static final String WORLD_MODEL_NAME = "booth-world (demo: trained by Booth on its shape world, 64 px)";
    /** A single-file ControlNet's configSource: its encoder takes the UNet config of the base model it steers. */
    public static final String CONTROLNET_FROM_BASE = "base-unet";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final List<String> COMPONENTS = List.of("text_encoder", "unet", "vae");
    private static final List<String> CONFIG_FOLDERS = List.of("tokenizer", "scheduler");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final ObjectStore store;

    public ModelRegistry(ObjectStore store) {
        this.store = store;
    }

    /** Every installed model (those with a manifest), by id. */
    public List<ModelManifest> list() {
        List<ModelManifest> models = new ArrayList<>();
        for (String folder : store.folders(Buckets.MODELS, "")) {
            manifest(folder.substring(0, folder.length() - 1)).ifPresent(models::add);
        }
        return List.copyOf(models);
    }

    /**
     * The manifest of an installed model; empty when there is none (or only a half-finished upload). The id is the
     * model's folder, whatever the file says (hand-written manifests may omit it).
     */
    public Optional<ModelManifest> manifest(String id) {
        String key = manifestKey(id);
        if (!store.exists(Buckets.MODELS, key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(store.get(Buckets.MODELS, key), ModelManifest.class).withId(id));
        } catch (IOException e) {
            throw new IllegalStateException("s3://" + Buckets.MODELS + "/" + key + " is not a model manifest: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Installs a diffusers folder or a single {@code .safetensors} file as model {@code id}.
     *
     * @param name    display name; null means the id
     * @param config  single files only: a preset ({@code sd15}, {@code sd2}), a diffusers folder whose configs,
     *                tokenizer and scheduler describe it (stored with it), or null to infer the architecture
     * @return the manifest, also when that content was already installed under this id
     * @throws ModelInstallException when the id is taken by other content or the engine refuses the model;
     *                               nothing is stored then
     */
    public ModelManifest install(Path source, String id, String name, String config) {
        return install(source, id, name, config, null);
    }

    /** {@link #install(Path, String, String, String)} of a model Booth trained, recording its lineage. */
    public ModelManifest install(Path source, String id, String name, String config, ModelLineage lineage) {
        ModelCheck check = vet("model", id, source, path -> ModelCheck.of(path, config));
        Optional<ModelManifest> existing = sameContent(id, check.contentHash(), source);
        if (existing.isPresent()) {
            return existing.get();
        }
        return storeModel(id, name, check, lineage);
    }

    private ModelManifest storeModel(String id, String name, ModelCheck check, ModelLineage lineage) {
        return store(id, objects(check), files -> new ModelManifest(id, displayName(id, name),
                check.singleFile() ? ModelManifest.SINGLE_FILE : ModelManifest.FOLDER, check.contentHash(),
                sum(files), check.configSource(), check.resolution(),
                check.singleFile() ? check.source().getFileName().toString() : null, files,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), lineage, ModelManifest.BASE));
    }

    /**
     * Installs a ControlNet ({@code type: controlnet}): a diffusers folder ({@code config.json} + weights) or an
     * A1111 single {@code .safetensors} file, checked by the engine first ({@link ControlNetCheck}). Same id rules
     * and atomicity as base models; a ControlNet has no resolution of its own (0) — it steers the base's size.
     *
     * @throws ModelInstallException when the id is taken by other content or the engine refuses the file
     */
    public ModelManifest installControlNet(Path source, String id, String name) {
        ControlNetCheck check = vet("ControlNet", id, source, ControlNetCheck::of);
        Optional<ModelManifest> existing = sameContent(id, check.contentHash(), source);
        if (existing.isPresent()) {
            return existing.get();
        }
        Map<String, Path> objects = new TreeMap<>();
        String weights = check.singleFile() ? source.getFileName().toString() : relative(source, check.weights());
        objects.put(weights, check.weights());
        if (!check.singleFile()) {
            objects.put("config.json", source.resolve("config.json"));
        }
        return store(id, objects, files -> new ModelManifest(id, displayName(id, name),
                check.singleFile() ? ModelManifest.SINGLE_FILE : ModelManifest.FOLDER, check.contentHash(),
                sum(files), check.singleFile() ? CONTROLNET_FROM_BASE : ModelCheck.FOLDER, 0, weights, files,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), null, ModelManifest.CONTROLNET));
    }

    /**
     * Installs an evaluation encoder ({@code type: encoder}): a transformers CLIPModel or DINO ViTModel folder with its
     * processor (and CLIP's tokenizer), checked by the engine first ({@link EncoderCheck}); its role ({@code clip} or
     * {@code dino}) is the manifest's configSource. Same id rules and atomicity as base models.
     *
     * @throws ModelInstallException when the id is taken by other content or the engine refuses the folder
     */
    public ModelManifest installEncoder(Path source, String id, String name) {
        EncoderCheck check = vet("encoder", id, source, EncoderCheck::of);
        Optional<ModelManifest> existing = sameContent(id, check.contentHash(), source);
        if (existing.isPresent()) {
            return existing.get();
        }
        Map<String, Path> objects = new TreeMap<>();
        check.files().forEach(file -> objects.put(relative(source, file), file));
        return store(id, objects, files -> new ModelManifest(id, displayName(id, name), ModelManifest.FOLDER,
                check.contentHash(), sum(files), check.role(), 0, null, files,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), null, ModelManifest.ENCODER));
    }

    /**
     * The installed encoder of each role ({@code clip}, {@code dino}), the first by id when several are: evaluation
     * needs one of each.
     */
    public Map<String, ModelManifest> encoders() {
        Map<String, ModelManifest> byRole = new TreeMap<>();
        list().stream().filter(ModelManifest::encoder)
                .forEach(m -> byRole.putIfAbsent(m.configSource(), m));
        return byRole;
    }

    /** The engine's verdict on {@code source} for id {@code id}; a refusal names both. */
    private static <C> C vet(String what, String id, Path source, Function<Path, C> check) {
        modelPrefix(id);
        try {
            return check.apply(source);
        } catch (RuntimeException e) {
            throw new ModelInstallException("cannot install " + what + " '" + id + "' from " + source + ": "
                    + e.getMessage(), e);
        }
    }

    /** The manifest when {@code id} holds this content already; a conflict when it holds other content. */
    private Optional<ModelManifest> sameContent(String id, String contentHash, Path source) {
        Optional<ModelManifest> existing = manifest(id);
        if (existing.isPresent() && !existing.get().contentHash().equals(contentHash)) {
            throw new ModelInstallException("model id '" + id + "' is already installed with other weights (content"
                    + " hash " + existing.get().contentHash() + ", " + source + " has " + contentHash
                    + "); choose another id");
        }
        return existing;
    }

    /** Uploads the objects, then the manifest LAST (so a model is listed only once complete). */
    private ModelManifest store(String id, Map<String, Path> objects,
                                Function<List<ModelManifest.ModelFile>, ModelManifest> manifestOf) {
        String prefix = modelPrefix(id);
        List<ModelManifest.ModelFile> files = new ArrayList<>();
        for (Map.Entry<String, Path> object : objects.entrySet()) {
            store.put(Buckets.MODELS, prefix + object.getKey(), object.getValue(), contentType(object.getKey()));
            files.add(new ModelManifest.ModelFile(object.getKey(), size(object.getValue())));
        }
        ModelManifest manifest = manifestOf.apply(List.copyOf(files));
        store.put(Buckets.MODELS, prefix + MANIFEST, toJson(manifest), "application/json");
        return manifest;
    }

    private static long sum(List<ModelManifest.ModelFile> files) {
        return files.stream().mapToLong(ModelManifest.ModelFile::sizeBytes).sum();
    }

    private static String displayName(String id, String name) {
        return name == null || name.isBlank() ? id : name;
    }

    /**
     * Downloads the configs of installed model {@code id} (model_index.json, the components' config.json, tokenizer
     * and scheduler; a single file's companion configs) into {@code dir}, as a folder to describe another single
     * file with — e.g. a civitai fine-tune of an installed SD-1.5.
     */
    public void downloadConfigs(String id, Path dir) {
        ModelManifest manifest = manifest(id).orElseThrow(() -> new ModelInstallException("no model '" + id
                + "' is installed to take configs from"));
        String prefix = ModelManifest.SINGLE_FILE.equals(manifest.kind()) ? COMPANION_PREFIX : "";
        boolean any = false;
        for (ModelManifest.ModelFile file : manifest.files()) {
            if (!file.path().startsWith(prefix) || file.path().endsWith(".safetensors")) {
                continue;
            }
            Path target = dir.resolve(file.path().substring(prefix.length())).normalize();
            try {
                Files.createDirectories(target.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + target.getParent(), e);
            }
            store.download(Buckets.MODELS, objectKey(id, file.path()), target, Long.MAX_VALUE);
            any = true;
        }
        if (!any) {
            throw new ModelInstallException("model '" + id + "' has no configs to lend (a single file installed"
                    + " with a preset or inferred config)");
        }
    }

    /** Whether {@code id} can name a model (it is an object-key segment). */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Installs the demo model {@value #DEMO_MODEL_ID} from the fixture model folder unless it is installed as is. */
    public ModelManifest ensureDemoModel(Path fixturesModelDir) {
        return ensure(DEMO_MODEL_ID, DEMO_MODEL_NAME, fixturesModelDir);
    }

    /** Installs {@value #WORLD_MODEL_ID} from {@code dir} unless it is installed with this content. */
    public ModelManifest ensureWorldModel(Path dir) {
        return ensure(WORLD_MODEL_ID, WORLD_MODEL_NAME, dir);
    }

    /**
     * A model Booth ships, installed as its checkout has it: a newer version (other content under the same id, e.g.
     * after a pull) replaces the installed one — objects first, manifest last; caches key on the content hash, so
     * workers load the new weights. Users' ids are never replaced: {@link #install} refuses other content.
     */
    private ModelManifest ensure(String id, String name, Path dir) {
        ModelCheck check = vet("model", id, dir, path -> ModelCheck.of(path, null));
        Optional<ModelManifest> installed = manifest(id);
        if (installed.isPresent() && installed.get().contentHash().equals(check.contentHash())) {
            return installed.get();
        }
        return storeModel(id, name, check, null);
    }

    /** Key of a model's object, e.g. {@code objectKey("sd-tiny", "unet/config.json")}. */
    public static String objectKey(String id, String path) {
        return modelPrefix(id) + path;
    }

    static byte[] toJson(ModelManifest manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String manifestKey(String id) {
        return modelPrefix(id) + MANIFEST;
    }

    private static String modelPrefix(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("model id must be 1-100 letters, digits, '.', '_' or '-' starting with"
                    + " a letter or digit, got '" + id + "'");
        }
        return Buckets.modelPrefix(id);
    }

    /** Object path (relative to the model prefix) → local file: exactly what the engine reads, nothing else. */
    private static Map<String, Path> objects(ModelCheck check) {
        Map<String, Path> objects = new TreeMap<>();
        if (check.singleFile()) {
            objects.put(check.source().getFileName().toString(), check.source());
            if (check.configDir() != null) {
                configFiles(check.configDir()).forEach((path, file) -> objects.put(COMPANION_PREFIX + path, file));
            }
        } else {
            objects.putAll(configFiles(check.source()));
            for (Path weights : check.weightFiles()) {
                objects.put(relative(check.source(), weights), weights);
            }
        }
        return objects;
    }

    /** model_index.json, the components' config.json, and every file of tokenizer/ and scheduler/. */
    private static Map<String, Path> configFiles(Path folder) {
        Map<String, Path> files = new TreeMap<>();
        Path index = folder.resolve("model_index.json");
        if (Files.isRegularFile(index)) {
            files.put("model_index.json", index);
        }
        for (String component : COMPONENTS) {
            Path config = folder.resolve(component).resolve("config.json");
            if (Files.isRegularFile(config)) {
                files.put(component + "/config.json", config);
            }
        }
        for (String sub : CONFIG_FOLDERS) {
            Path dir = folder.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.filter(Files::isRegularFile).forEach(file -> files.put(relative(folder, file), file));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + dir, e);
                }
            }
        }
        return files;
    }

    private static String relative(Path folder, Path file) {
        return folder.relativize(file).toString().replace('\\', '/');
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String contentType(String path) {
        return path.endsWith(".json") ? "application/json"
                : path.endsWith(".txt") ? "text/plain" : "application/octet-stream";
    }
}
