package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.EvalPrompts;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.SubjectFidelity;
import ai.booth.diffusion.io.AtomicFiles;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.pipeline.ContactSheet;
import ai.booth.diffusion.pipeline.ImageResult;
import ai.booth.diffusion.runtime.EngineOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains several variants of one DreamBooth training on the same photos (class images made "
                + "once), renders the same prompts × seeds with the base model and every variant, and compares them: "
                + "OUT/sheet.png (rows = base and variants, columns = prompt and seed), OUT/table.md and "
                + "OUT/experiment.json (mode, rank, steps, wall time, it/s, adapter size, final loss, and DINO / "
                + "CLIP-I / CLIP-T with --clip and --dino). Every other option is ./booth train's and applies to "
                + "every variant; a variant overrides some of them.",
                "Example: booth experiment --variants 'rank=4;rank=8;rank=16;mode=full,lr-unet=5e-6' "
                        + "--images photos/ --instance-prompt \"a photo of sks dog\" --class-prompt \"a photo of dog\" "
                        + "--steps 400 --seeds 1,2 --out rex-ranks/"})
final class ExperimentCommand implements Callable<Integer> {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._=,-]*");
    /** The experiment places every variant's output and shares the class images: these are not a variant's. */
    private static final List<String> OWN_OPTIONS = List.of("--out", "--class-images", "--latent-caches", "--resume");

    @Option(names = "--variants", required = true, paramLabel = "SPEC",
            description = "Variants separated by ';', each a comma-separated list of ./booth train options without "
                    + "'--' as NAME=VALUE (a flag as NAME), e.g. 'rank=4;rank=8;mode=full,lr-unet=5e-6'.")
    String variants;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Prompts to render, one per line (default: --prompt-set).")
    Path prompts;

    @Option(names = "--prompt-set", defaultValue = EvalPrompts.SCENES, paramLabel = "scenes|objects|live",
            description = "Without --prompts: scenes (the instance prompt in the desert, in a city, on the beach, on "
                    + "the moon, in the snow; the default), or the DreamBooth paper's 25 prompts for objects or for "
                    + "live subjects, naming the subject as '<token> <class noun>' (give --class-noun).")
    String promptSet;

    @Option(names = "--class-noun", paramLabel = "WORD",
            description = "The subject's class, e.g. dog: the objects and live prompt sets name it after --token.")
    String classNoun;

    @Option(names = "--seeds", defaultValue = "1,2", split = ",", paramLabel = "N,...",
            description = "Seeds rendered per prompt (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--render-steps", defaultValue = "25", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    int renderSteps;

    @Option(names = "--guidance", defaultValue = "7.5", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--clip", paramLabel = "DIR", description = "A transformers CLIPModel folder: adds CLIP-I, CLIP-T.")
    Path clip;

    @Option(names = "--dino", paramLabel = "DIR", description = "A transformers ViTModel folder (DINO): adds DINO.")
    Path dino;

    @Option(names = "--token", defaultValue = "sks", paramLabel = "WORD",
            description = "The rare token, removed from prompts for CLIP-T (default: ${DEFAULT-VALUE}).")
    String token;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where everything is written.")
    Path out;

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** One variant: its name (its overrides as given) and the ./booth train arguments that run it. */
    record Variant(String name, List<String> overrides) { }

    /** What a trained variant was and did, as its metadata.json tells. */
    record Row(String name, String mode, Integer rank, int steps, double seconds, double itPerSecond, long sizeBytes,
               double finalLoss, Map<String, Object> scores) { }

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((clip == null) != (dino == null)) {
            throw new IllegalArgumentException("give --clip and --dino together (or neither)");
        }
        for (String arg : trainArgs) {
            for (String own : OWN_OPTIONS) {
                if (arg.equals(own) || arg.startsWith(own + "=")) {
                    throw new IllegalArgumentException(own + " is the experiment's own (OUT/variants/NAME, "
                            + "OUT/class_images, OUT/latent_caches); give --out for the experiment");
                }
            }
        }
        List<Variant> parsed = parseVariants(variants);
        Path classImages = out.resolve("class_images");
        List<TrainCommand> trainings = new ArrayList<>();
        for (Variant variant : parsed) { // every variant parses before anything trains
            trainings.add(trainCommand(variant, classImages));
        }
        TrainCommand base = trainCommand(new Variant("base", List.of()), classImages); // the shared options alone
        List<String> promptList = prompts != null ? readPrompts(prompts)
                : EvalPrompts.of(promptSet, base.instancePrompt, token, classNoun);

        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            Variant variant = parsed.get(i);
            err.printf("variant %d/%d: %s%n", i + 1, parsed.size(), variant.name());
            CommandLine line = new CommandLine(trainings.get(i)).setOut(spec.commandLine().getOut())
                    .setErr(spec.commandLine().getErr()).setOverwrittenOptionsAllowed(true);
            int code = line.execute(trainArgs(variant, classImages).toArray(String[]::new));
            if (code != 0) {
                err.printf("variant %s stopped with exit code %d%n", variant.name(), code);
                return code;
            }
        }

        List<String> rowLabels = new ArrayList<>(List.of("base"));
        List<List<ImageResult>> renders = new ArrayList<>();
        renders.add(ExperimentRenders.render(base, null, promptList, seeds, renderSteps, guidance, err));
        for (int i = 0; i < parsed.size(); i++) {
            rowLabels.add(parsed.get(i).name());
            renders.add(ExperimentRenders.render(base, variantDir(parsed.get(i)), promptList, seeds, renderSteps,
                    guidance, err));
        }
        List<String> columns = new ArrayList<>();
        for (String prompt : promptList) {
            for (long seed : seeds) {
                columns.add(abbreviate(prompt) + " #" + seed);
            }
        }
        Path rendersDir = out.resolve("renders");
        List<java.awt.image.BufferedImage> cells = new ArrayList<>();
        for (int r = 0; r < renders.size(); r++) {
            Path dir = rendersDir.resolve(r == 0 ? "base" : parsed.get(r - 1).name());
            Files.createDirectories(dir);
            for (int c = 0; c < renders.get(r).size(); c++) {
                ImageResult image = renders.get(r).get(c);
                image.writePng(dir.resolve(String.format("%02d-%d.png", c / seeds.size(), image.params().seed())));
                cells.add(image.toImage());
            }
        }
        Path sheet = out.resolve("sheet.png");
        ContactSheet.Sheet composed = ContactSheet.compose(cells, columns, rowLabels);
        AtomicFiles.write(sheet, tmp -> ImageIO.write(composed.image(), "png", tmp.toFile()));

        List<Map<String, Object>> scores = scores(promptList, renders, base);
        rows.add(row("base", null, scores.get(0)));
        for (int i = 0; i < parsed.size(); i++) {
            rows.add(row(parsed.get(i).name(), variantDir(parsed.get(i)), scores.get(i + 1)));
        }
        Path table = out.resolve("table.md");
        String markdown = table(rows);
        AtomicFiles.write(table, tmp -> Files.writeString(tmp, markdown));
        Path json = out.resolve("experiment.json");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("variants", parsed.stream().map(Variant::name).toList());
        record.put("train_args", trainArgs);
        record.put("prompts", promptList);
        record.put("seeds", seeds);
        record.put("render_steps", renderSteps);
        record.put("guidance", guidance);
        record.put("rows", rows);
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(record);
        AtomicFiles.write(json, tmp -> Files.writeString(tmp, text + "\n"));
        stdout.print(markdown);
        stdout.println(sheet);
        stdout.println(table);
        stdout.println(json);
        return 0;
    }

    /** Parses {@code rank=4;rank=8;mode=full,lr-unet=5e-6}; names must be unique and usable as folder names. */
    static List<Variant> parseVariants(String spec) {
        List<Variant> list = new ArrayList<>();
        for (String part : spec.split(";")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("variant '" + name + "': use NAME=VALUE pairs of letters, digits,"
                        + " '.', '_', '-' separated by ','");
            }
            List<String> overrides = new ArrayList<>();
            for (String pair : name.split(",")) {
                int eq = pair.indexOf('=');
                overrides.add(eq < 0 ? "--" + pair : "--" + pair.substring(0, eq) + "=" + pair.substring(eq + 1));
            }
            if (list.stream().anyMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException("variant '" + name + "' is given twice");
            }
            list.add(new Variant(name, overrides));
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("--variants names no variant");
        }
        return list;
    }

    private TrainCommand trainCommand(Variant variant, Path classImages) {
        TrainCommand train = new TrainCommand();
        CommandLine line = new CommandLine(train).setOverwrittenOptionsAllowed(true);
        try {
            line.parseArgs(trainArgs(variant, classImages).toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("variant '" + variant.name() + "': " + e.getMessage(), e);
        }
        for (String own : OWN_OPTIONS) {
            if (variant.overrides().stream().anyMatch(o -> o.equals(own) || o.startsWith(own + "="))) {
                throw new IllegalArgumentException("variant '" + variant.name() + "' sets " + own
                        + ", the experiment's own");
            }
        }
        return train;
    }

    private List<String> trainArgs(Variant variant, Path classImages) {
        List<String> args = new ArrayList<>(trainArgs);
        args.addAll(List.of("--out", variantDir(variant).toString(), "--class-images", classImages.toString(),
                "--latent-caches", classImages.resolveSibling("latent_caches").toString()));
        args.addAll(variant.overrides());
        return args;
    }

    private Path variantDir(Variant variant) {
        return out.resolve("variants").resolve(variant.name());
    }

    /** Per row (base first): DINO, CLIP-I and CLIP-T averaged over the prompts; empty without encoders. */
    private List<Map<String, Object>> scores(List<String> promptList, List<List<ImageResult>> renders,
                                             TrainCommand base) {
        List<Map<String, Object>> all = new ArrayList<>();
        if (clip == null) {
            renders.forEach(r -> all.add(Map.of()));
            return all;
        }
        List<RgbImage> real = RgbImage.filesIn(base.images).stream().map(RgbImage::read).toList();
        try (EvalEncoders encoders = EvalEncoders.load(clip, dino, EngineOptions.parse(base.model.device,
                "float32"))) {
            for (List<ImageResult> row : renders) {
                double dinoSum = 0;
                double clipISum = 0;
                double clipTSum = 0;
                for (int p = 0; p < promptList.size(); p++) {
                    List<RgbImage> generated = row.subList(p * seeds.size(), (p + 1) * seeds.size()).stream()
                            .map(image -> RgbImage.of(image.toImage())).toList();
                    SubjectFidelity s = SubjectFidelity.score(encoders, real, generated, promptList.get(p), token);
                    dinoSum += s.dino();
                    clipISum += s.clipI();
                    clipTSum += s.clipT();
                }
                int n = promptList.size();
                all.add(Map.of("dino", dinoSum / n, "clip_i", clipISum / n, "clip_t", clipTSum / n));
            }
        }
        return all;
    }

    private static Row row(String name, Path dir, Map<String, Object> scores) throws IOException {
        if (dir == null) {
            return new Row(name, "base", null, 0, 0, 0, 0, Double.NaN, scores);
        }
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("metadata.json").toFile());
        JsonNode modeNode = meta.path("config").path("mode");
        String mode = modeNode.isTextual() ? modeNode.asText() : "lora";
        JsonNode timings = meta.path("timings");
        double seconds = timings.path("training_seconds").asDouble();
        int steps = meta.path("steps").asInt();
        Path weights = mode.equals("full") ? dir.resolve("model.safetensors")
                : dir.resolve("pytorch_lora_weights.safetensors");
        long size = Files.isRegularFile(weights) ? Files.size(weights) : FileTrees.size(dir.resolve("model"));
        return new Row(name, mode, mode.equals("full") ? null : meta.path("config").path("rank").asInt(), steps,
                seconds, seconds > 0 ? steps / seconds : 0, size, meta.path("final_loss").asDouble(), scores);
    }

    /** The comparison as a markdown table, one row per model. */
    static String table(List<Row> rows) {
        StringBuilder md = new StringBuilder("| variant | mode | rank | steps | seconds | it/s | size (MB) | final loss"
                + " | DINO | CLIP-I | CLIP-T |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            boolean base = row.mode().equals("base");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.name(), row.mode(), row.rank() == null ? "" : row.rank(), base ? "" : row.steps(),
                    base ? "" : String.format(Locale.ROOT, "%.1f", row.seconds()),
                    base ? "" : String.format(Locale.ROOT, "%.2f", row.itPerSecond()),
                    base ? "" : String.format(Locale.ROOT, "%.2f", row.sizeBytes() / 1e6),
                    base ? "" : String.format(Locale.ROOT, "%.4f", row.finalLoss()),
                    score(row, "dino"), score(row, "clip_i"), score(row, "clip_t")));
        }
        return md.toString();
    }

    private static String score(Row row, String key) {
        Object value = row.scores().get(key);
        return value == null ? "" : String.format(Locale.ROOT, "%.4f", (Double) value);
    }

    private static List<String> readPrompts(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("--prompts " + file + " has no prompt");
        }
        return lines;
    }

    private static String abbreviate(String prompt) {
        return prompt.length() <= 28 ? prompt : "…" + prompt.substring(prompt.length() - 27);
    }
}
