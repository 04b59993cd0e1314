package ai.booth.diffusion.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The DreamBooth paper's metrics (Ruiz et al. 2023, section 4.1) over the {@link EvalEncoders}:
 * <ul>
 *   <li>DINO — mean cosine of DINO embeddings over every (generated, real) pair: subject fidelity;</li>
 *   <li>CLIP-I — the same with CLIP image embeddings;</li>
 *   <li>CLIP-T — mean over generated images of the cosine between its CLIP image embedding and the CLIP text
 *       embedding of its prompt with the rare token removed: prompt fidelity.</li>
 * </ul>
 * Plus the paper's prior-preservation and diversity measures as helpers ({@link #pres}, {@link #div}).
 *
 * @param pairs (generated, real) pairs DINO and CLIP-I average over
 */
public record SubjectFidelity(double dino, double clipI, double clipT, int pairs) {

    public static SubjectFidelity score(EvalEncoders encoders, List<RgbImage> real, List<RgbImage> generated,
                                        String prompt, String token) {
        float[][] clipGenerated = encoders.clipImageEmbeds(generated);
        float[][] text = encoders.clipTextEmbeds(List.of(withoutToken(prompt, token)));
        return new SubjectFidelity(
                Similarity.meanPairwise(encoders.dinoEmbeds(generated), encoders.dinoEmbeds(real)),
                Similarity.meanPairwise(clipGenerated, encoders.clipImageEmbeds(real)),
                Similarity.meanPairwise(clipGenerated, text),
                generated.size() * real.size());
    }

    /**
     * Scores generations of several prompts, {@code prompts.get(i)} being image i's: DINO and CLIP-I as above, CLIP-T
     * pairing each image with its own prompt, every one of {@code tokens} removed from it (a training's validation
     * images; pivotal tunings name several new tokens).
     */
    public static SubjectFidelity score(EvalEncoders encoders, List<RgbImage> real, List<RgbImage> generated,
                                        List<String> prompts, List<String> tokens) {
        if (prompts.size() != generated.size()) {
            throw new IllegalArgumentException(generated.size() + " generated images but " + prompts.size()
                    + " prompts");
        }
        List<String> distinct = prompts.stream().map(p -> withoutTokens(p, tokens)).distinct().toList();
        float[][] text = encoders.clipTextEmbeds(distinct);
        float[][] textPerImage = prompts.stream().map(p -> text[distinct.indexOf(withoutTokens(p, tokens))])
                .toArray(float[][]::new);
        float[][] clipGenerated = encoders.clipImageEmbeds(generated);
        return new SubjectFidelity(
                Similarity.meanPairwise(encoders.dinoEmbeds(generated), encoders.dinoEmbeds(real)),
                Similarity.meanPairwise(clipGenerated, encoders.clipImageEmbeds(real)),
                Similarity.meanAligned(clipGenerated, textPerImage),
                generated.size() * real.size());
    }

    private static String withoutTokens(String prompt, List<String> tokens) {
        String text = prompt;
        for (String token : tokens) {
            text = withoutToken(text, token);
        }
        return text.strip();
    }

    /**
     * The prompt without the rare token as a word of its own, in any case as CLIP's tokenizer lowercases ("a photo of
     * sks dog" → "a photo of dog"): CLIP-T measures the prompt's content, and the identifier means nothing to CLIP.
     */
    public static String withoutToken(String prompt, String token) {
        if (token == null || token.isBlank()) {
            return prompt.strip();
        }
        String word = "(?iu)(?<![\\p{L}\\p{N}_])" + Pattern.quote(token.strip()) + "(?![\\p{L}\\p{N}_])";
        return prompt.replaceAll(word, " ").replaceAll("\\s+", " ").replaceAll(" ([,.;:!?])", "$1").strip();
    }

    /**
     * PRES: mean DINO cosine over every (prior generation, real subject image) pair, the prior generations being
     * images of the class prompt (e.g. "a dog") from the fine-tuned model. High means the subject leaked into the
     * class prior (the paper reports it lower-is-better).
     */
    public static double pres(EvalEncoders encoders, List<RgbImage> priorGenerations, List<RgbImage> realSubject) {
        return Similarity.meanPairwise(encoders.dinoEmbeds(priorGenerations), encoders.dinoEmbeds(realSubject));
    }

    /**
     * DIV: diversity of images generated from one prompt, as 1 − mean DINO cosine over their distinct pairs (higher =
     * more varied). The paper averages LPIPS distances instead, which needs its own trained network and is not in the
     * engine; this embedding distance is not numerically comparable with the paper's DIV.
     */
    public static double div(EvalEncoders encoders, List<RgbImage> samePromptGenerations) {
        return 1 - Similarity.meanDistinctPairs(encoders.dinoEmbeds(samePromptGenerations));
    }

    /** The JSON object {@code booth eval --json} writes. */
    public Map<String, Object> toMap() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dino", dino);
        json.put("clip_i", clipI);
        json.put("clip_t", clipT);
        json.put("pairs", pairs);
        return json;
    }
}
