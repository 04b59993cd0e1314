package ai.booth.diffusion.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompt sets to evaluate a subject with: the DreamBooth paper's 25 prompts for objects and 25 for live subjects
 * (recontextualisation, accessorisation for live subjects, property change; Ruiz et al. 2023, its dataset's prompt
 * lists), each naming the subject as "&lt;token&gt; &lt;class&gt;", and the seeds' scene prompts, each the instance
 * prompt followed by a scene. Rendered with fixed seeds, N images per prompt, they make scores comparable between
 * trainings.
 */
public final class EvalPrompts {

    public static final String SCENES = "scenes";
    public static final String OBJECTS = "objects";
    public static final String LIVE = "live";
    /** The set names, the default first. */
    public static final List<String> SETS = List.of(SCENES, OBJECTS, LIVE);

    private static final List<String> SCENE_SUFFIXES = List.of("in the desert", "in a city", "on the beach",
            "on the moon", "in the snow");

    /** The backgrounds both of the paper's lists share. */
    private static final List<String> PLACES = List.of("in the jungle", "in the snow", "on the beach",
            "on a cobblestone street", "on top of pink fabric", "on top of a wooden floor",
            "with a city in the background", "with a mountain in the background",
            "with a blue house in the background", "on top of a purple rug in a forest");

    private static final List<String> OBJECT_ONLY = List.of("with a wheat field in the background",
            "with a tree and autumn leaves in the background", "with the Eiffel Tower in the background",
            "floating on top of water", "floating in an ocean of milk",
            "on top of green grass with sunflowers around it", "on top of a mirror",
            "on top of the sidewalk in a crowded street", "on top of a dirt road", "on top of a white rug");

    private static final List<String> OUTFITS = List.of("wearing a red hat", "wearing a santa hat",
            "wearing a rainbow scarf", "wearing a black top hat and a monocle", "in a chef outfit",
            "in a firefighter outfit", "in a police outfit", "wearing pink glasses", "wearing a yellow shirt",
            "in a purple wizard outfit");

    /** Property changes, as adjectives before the subject. */
    private static final List<String> PROPERTIES = List.of("red", "purple", "shiny", "wet", "cube shaped");

    private EvalPrompts() {
    }

    /**
     * The prompts of {@code set}: {@value #SCENES} follows {@code instancePrompt} with each scene; {@value #OBJECTS}
     * and {@value #LIVE} are the paper's lists naming "{@code token} {@code classNoun}".
     */
    public static List<String> of(String set, String instancePrompt, String token, String classNoun) {
        if (SCENES.equals(set)) {
            return SCENE_SUFFIXES.stream().map(scene -> instancePrompt.strip() + " " + scene).toList();
        }
        if (!OBJECTS.equals(set) && !LIVE.equals(set)) {
            throw new IllegalArgumentException("prompt set must be one of " + SETS + ", got '" + set + "'");
        }
        if (classNoun == null || classNoun.isBlank()) {
            throw new IllegalArgumentException("the " + set + " prompts name the subject as '<token> <class>': give"
                    + " its class noun");
        }
        String subject = ((token == null ? "" : token.strip() + " ") + classNoun.strip()).strip();
        List<String> contexts = new ArrayList<>(PLACES);
        contexts.addAll(OBJECTS.equals(set) ? OBJECT_ONLY : OUTFITS);
        List<String> prompts = new ArrayList<>(contexts.stream()
                .map(context -> "a " + subject + " " + context).toList());
        PROPERTIES.forEach(property -> prompts.add("a " + property + " " + subject));
        return List.copyOf(prompts);
    }
}
