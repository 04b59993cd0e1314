package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.embedding.TokenEmbeddings;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.ImageResult;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.PipelineImages;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Textual inversion and pivotal tuning through the whole trainer: the files written beside the LoRA, loaded back
 * through each format, make the text encoder compute exactly what the trained rows say, and leave prompts without the
 * tokens bit-identical.
 */
class TextualInversionTrainingTest {

    private static final List<String> TOKENS = List.of("<s1>", "<s2>");
    private static Reference ref;
    private static StableDiffusionModel model;
    private static CLIPTokenizer tokenizer;
    private static DreamBoothDataset data;
    private static int resolution;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        tokenizer = CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow());
        resolution = ref.imageSize();
        data = new DreamBoothDataset(
                SyntheticImages.examples(SyntheticImages.subject(2, resolution, 1), "subject", "a photo in the style of <s1><s2>"),
                SyntheticImages.examples(SyntheticImages.others(2, resolution, 2), "class", "a photo"));
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    private static TrainingConfig.Builder config(String mode) {
        return TrainingConfig.builder().instancePrompt("a photo in the style of <s1><s2>").classPrompt("a photo")
                .resolution(resolution).maxSteps(2).mode(mode).newTokens(TOKENS).initializerToken("style")
                .lrEmbeddings(1e-2).weightDecayEmbeddings(0.1).seed(5);
    }

    private static TrainingResult train(TrainingConfig config, Path out) {
        try (DreamBoothTrainer t = DreamBoothTrainer.start(model, LatentCache.encode(model, data, resolution, false,
                ProgressListener.NONE), config)) {
            return t.run(out, ProgressListener.NONE, null, () -> false);
        }
    }

    /** The text encoder's output for {@code prompt} with {@code rows} as the added tokens' rows. */
    private static float[] encodeWithRows(NDManager m, NDArray rows, CLIPTokenizer tok, String prompt) {
        try (CLIPTextModel.AttachedTokens h = model.textEncoder().attachTokens(rows)) {
            return model.textEncoder().forward(m.create(tok.encodeBatch(List.of(prompt))), 1).toFloatArray();
        }
    }

    @Test
    void pivotalTuningWritesBothEmbeddingFormatsBesideTheLoraAndTheyReproduceTheTrainedRows() throws Exception {
        Path out = tmp.resolve("my-style");
        TrainingResult r = train(config("pivotal").build(), out);
        assertTrue(Files.exists(r.peftFile()) && Files.exists(r.kohyaFile()));
        assertEquals(List.of(out.resolve("my-style.safetensors"), out.resolve("my-style_emb.safetensors")),
                r.embeddingFiles());
        JsonNode meta = new ObjectMapper().readTree(r.metadataFile().toFile());
        assertEquals("[\"<s1>\",\"<s2>\"]", meta.get("tokens").toString());
        assertEquals("my-style.safetensors", SafeTensors.readMetadata(r.peftFile()).get("booth_embedding"));

        try (NDManager m = NDManager.newBaseManager()) {
            NDArray trained = SafeTensors.read(r.embeddingFiles().get(0), m).get("emb_params");
            NDArray initial = model.textEncoder().tokenEmbedding()
                    .get(new NDIndex("{}", m.create(new long[] {tokenizer.encode("style")[1]}).repeat(2)));
            assertFalse(trained.contentEquals(initial), "the rows trained away from the initializer");
            CLIPTokenizer direct = tokenizer.withAddedTokens(TextualInversion.sequential(TOKENS, 1,
                    tokenizer.vocabSize()));
            String withTokens = "a watercolour in the style of <s1><s2>";
            String without = "a watercolour of a dog";
            float[] expected = encodeWithRows(m, trained, direct, withTokens);
            float[] plain = model.textEncoder().forward(m.create(tokenizer.encodeBatch(List.of(without))), 1)
                    .toFloatArray();
            for (Path file : r.embeddingFiles()) {
                try (TokenEmbeddings e = TokenEmbeddings.load(List.of(file), model.textEncoder());
                     TokenEmbeddings.Attached a = e.attach(model.textEncoder(), tokenizer)) {
                    CLIPTokenizer tok = a.tokenizer();
                    float[] viaFile = model.textEncoder().forward(m.create(tok.encodeBatch(List.of(withTokens))), 1)
                            .toFloatArray();
                    assertArrayEquals(expected, viaFile, file + ": text encoder output with the tokens");
                    float[] untouched = model.textEncoder().forward(m.create(tok.encodeBatch(List.of(without))), 1)
                            .toFloatArray();
                    assertArrayEquals(plain, untouched, file + ": a prompt without the tokens is unchanged");
                    String name = file.getFileName().toString().replace(".safetensors", "");
                    assertArrayEquals(tok.encode("in the style of <s1><s2>"), tok.encode("in the style of " + name),
                            "the file name triggers all vectors, as in A1111");
                    assertArrayEquals(tok.encode("in the style of <s1><s2>"),
                            tok.encode("in the style of <" + name + ">"));
                }
            }
        }
    }

    @Test
    void generatingWithAPivotalLoraLoadsItsTokensAndListsTheirHashAsA1111Does() {
        TrainingResult r = train(config("pivotal").build(), tmp.resolve("pti"));
        LoraRequest lora = new LoraRequest(r.peftFile(), 1f, 1f);
        GenerationParams.Builder p = GenerationParams.builder("a cat in the style of <s1><s2>").steps(2).seed(1)
                .guidanceScale(1).loras(List.of(lora));
        try (TextToImagePipeline pipe = TextToImagePipeline.of(model)) {
            ImageResult auto = pipe.generate(p.build()).images().get(0);
            ImageResult explicit = pipe.generate(p.embeddings(List.of(r.embeddingFiles().get(1))).build())
                    .images().get(0);
            ImageResult untrained = pipe.generate(p.loras(List.of()).embeddings(List.of()).build()).images().get(0);
            assertArrayEquals(explicit.pixels(), auto.pixels(), "the adapter brought its tokens");
            assertFalse(java.util.Arrays.equals(untrained.pixels(), auto.pixels()));
            String hash = ai.booth.diffusion.pipeline.ModelHashes.sha256(r.embeddingFiles().get(0)).substring(0, 12);
            assertTrue(auto.infotext().contains("TI hashes: \"pti: " + hash + "\""), auto.infotext());
            ImageResult noTokens = pipe.generate(p.prompt("a cat").loras(List.of(lora)).embeddings(List.of())
                    .build()).images().get(0);
            assertFalse(noTokens.infotext().contains("TI hashes"), "only embeddings the prompt uses are listed");
        }
    }

    @Test
    void validationImagesRenderTheNewTokensWithTheRowsTrainedSoFar() {
        String prompt = "a cat in the style of <s1><s2>";
        List<float[]> rowsSeen = new java.util.ArrayList<>();
        List<Boolean> tokensChangedTheImage = new java.util.ArrayList<>();
        TrainingResult r;
        try (TextToImagePipeline pipe = TextToImagePipeline.of(model)) {
            PipelineImages images = new PipelineImages(pipe, GenerationParams.builder("").steps(2).guidanceScale(1)
                    .size(resolution, resolution).build());
            ValidationRenderer renderer = (sd, prompts, seed, embeddings) -> {
                assertEquals(1, embeddings.size(), "one file of the rows being trained");
                try (NDManager m = NDManager.newBaseManager()) {
                    rowsSeen.add(SafeTensors.read(embeddings.get(0), m).get("emb_params").toFloatArray());
                }
                assertEquals("[\"<s1>\",\"<s2>\"]", SafeTensors.readMetadata(embeddings.get(0)).get("booth_tokens"));
                List<java.awt.image.BufferedImage> with = images.render(sd, prompts, seed, embeddings);
                List<java.awt.image.BufferedImage> without = images.render(sd, prompts, seed, List.of());
                tokensChangedTheImage.add(!java.util.Arrays.equals(pixels(with.get(0)), pixels(without.get(0))));
                return with;
            };
            try (DreamBoothTrainer t = DreamBoothTrainer.start(model, LatentCache.encode(model, data, resolution,
                    false, ProgressListener.NONE), config("pivotal").validationEvery(2)
                    .validationPrompts(List.of(prompt)).build())) {
                r = t.run(tmp.resolve("pti-validated"), ProgressListener.NONE, renderer, () -> false);
            }
        }
        assertEquals(1, rowsSeen.size(), "validated once, after the last step");
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(SafeTensors.read(r.embeddingFiles().get(0), m).get("emb_params").toFloatArray(),
                    rowsSeen.get(0), "the rows validated are the rows trained");
        }
        assertEquals(List.of(true), tokensChangedTheImage, "the prompt's tokens reached the text encoder");
        assertFalse(Files.exists(tmp.resolve("pti-validated").resolve("validation-embeddings")),
                "the rows' scratch file is gone");
    }

    private static int[] pixels(java.awt.image.BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @Test
    void textualInversionTrainsOnlyTheNewRowsAndWritesNoLora() {
        TrainingResult r = train(config("textual_inversion").build(), tmp.resolve("ti"));
        assertNull(r.peftFile());
        assertNull(r.kohyaFile());
        assertEquals(2, r.embeddingFiles().size());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray rows = SafeTensors.read(r.embeddingFiles().get(1), m).get("clip_l");
            assertEquals(2, rows.getShape().get(0));
            assertTrue(rows.isInfinite().logicalNot().all().getBoolean() && !rows.isNaN().any().getBoolean());
        }
    }

    @Test
    void theBaseEmbeddingMatrixIsUntouchedByTrainingEvenWithWeightDecay() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray before = model.textEncoder().tokenEmbedding().duplicate();
            before.attach(m);
            train(config("pivotal").build(), tmp.resolve("decay"));
            assertTrue(before.contentEquals(model.textEncoder().tokenEmbedding()), "every base row exactly as before");
        }
    }

    @Test
    void newTokensDecideTheModeAndLoraModeRefusesThem() {
        assertEquals("pivotal", TrainingConfig.builder().instancePrompt("x <s1>").newTokens(List.of("<s1>"))
                .priorPreservation(false).build().mode());
        assertEquals("lora", TrainingConfig.builder().instancePrompt("x").priorPreservation(false).build().mode());
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().instancePrompt("x")
                .priorPreservation(false).mode("lora").newTokens(List.of("<s1>")).build());
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().instancePrompt("x")
                .priorPreservation(false).mode("textual_inversion").build());
        assertEquals(TOKENS, TrainingConfig.parseTokens("<s1><s2>"));
        assertEquals(List.of("tok1", "tok2"), TrainingConfig.parseTokens("tok1, tok2"));
    }

    @Test
    void anSdxlEmbeddingLoadsItsClipLPartWithANoteAndAClipGOnlyFileIsRefused() throws Exception {
        long width = model.textEncoder().config().hiddenSize();
        try (NDManager m = NDManager.newBaseManager()) {
            Path both = tmp.resolve("xl.safetensors");
            NDArray l = m.randomNormal(new ai.djl.ndarray.types.Shape(3, width));
            SafeTensors.write(both, Map.of("clip_l", l, "clip_g", m.zeros(new ai.djl.ndarray.types.Shape(3, 1280))),
                    Map.of());
            TextualInversion t = TextualInversion.load(both, width, m);
            assertTrue(t.vectors().contentEquals(l));
            assertEquals(1, t.notes().size());
            assertTrue(t.notes().get(0).contains("clip_g"), t.notes().get(0));
            Path gOnly = tmp.resolve("g.safetensors");
            SafeTensors.write(gOnly, Map.of("clip_g", m.zeros(new ai.djl.ndarray.types.Shape(3, 1280))), Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextualInversion.load(gOnly, width, m));
            assertTrue(e.getMessage().contains("SDXL"), e.getMessage());
            Path legacy = tmp.resolve("old.safetensors");
            SafeTensors.write(legacy, Map.of("string_to_param.*", l), Map.of());
            assertTrue(TextualInversion.load(legacy, width, m).vectors().contentEquals(l));
        }
    }
}
