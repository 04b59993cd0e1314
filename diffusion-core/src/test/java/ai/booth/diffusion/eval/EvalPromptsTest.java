package ai.booth.diffusion.eval;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalPromptsTest {

    @Test
    void thePapersListsHaveTwentyFiveDistinctPromptsNamingTheSubject() {
        for (String set : List.of(EvalPrompts.OBJECTS, EvalPrompts.LIVE)) {
            List<String> prompts = EvalPrompts.of(set, "ignored", "sks", "dog");
            assertEquals(25, prompts.size(), set);
            assertEquals(25, new HashSet<>(prompts).size(), set + " distinct");
            assertTrue(prompts.stream().allMatch(p -> p.contains("sks dog")), set + ": " + prompts);
        }
        assertTrue(EvalPrompts.of(EvalPrompts.LIVE, "", "sks", "dog").contains("a sks dog wearing a santa hat"));
        assertTrue(EvalPrompts.of(EvalPrompts.OBJECTS, "", "sks", "backpack")
                .contains("a sks backpack with the Eiffel Tower in the background"));
        assertTrue(EvalPrompts.of(EvalPrompts.OBJECTS, "", "sks", "vase").contains("a cube shaped sks vase"));
    }

    @Test
    void scenesFollowTheInstancePromptAndTheListsNeedAClassNoun() {
        assertEquals("a photo of sks dog on the moon",
                EvalPrompts.of(EvalPrompts.SCENES, "a photo of sks dog", "sks", null).get(3));
        assertThrows(IllegalArgumentException.class, () -> EvalPrompts.of(EvalPrompts.LIVE, "x", "sks", " "));
        assertThrows(IllegalArgumentException.class, () -> EvalPrompts.of("paper", "x", "sks", "dog"));
    }
}
