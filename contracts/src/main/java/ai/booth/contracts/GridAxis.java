package ai.booth.contracts;

import java.util.List;

/**
 * One axis of a sweep grid.
 *
 * @param parameter  what varies: seed, steps, guidanceScale, prompt, unetScale, textEncoderScale
 *                   (the last two apply to every LoRA of the request)
 * @param values     the values, as text, in axis order
 */
public record GridAxis(String parameter, List<String> values) {
}
