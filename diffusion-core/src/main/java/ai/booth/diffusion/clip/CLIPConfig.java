package ai.booth.diffusion.clip;

import ai.booth.diffusion.io.JsonConfig;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.nio.file.Path;

/**
 * transformers' CLIPConfig ({@code config.json} of a CLIPModel folder): both towers, the shared projection width, and
 * the text tower's {@code eos_token_id}, which decides how the text embedding is pooled (see
 * {@link CLIPModel#textEmbeds}).
 */
public record CLIPConfig(CLIPTextConfig text, CLIPVisionConfig vision, int projectionDim, int eosTokenId) {

    /** transformers' configs written before the CLIP pooling fix carry this placeholder instead of the real id. */
    static final int LEGACY_EOS_TOKEN_ID = 2;

    public static CLIPConfig read(Path configJson) {
        JsonConfig c = JsonConfig.read(configJson);
        String type = c.string("model_type", "clip");
        if (!type.equals("clip")) {
            throw new IllegalArgumentException(configJson + ": model_type '" + type + "' is not a CLIPModel (clip)");
        }
        JsonConfig text = section(c, "text_config");
        return new CLIPConfig(CLIPTextConfig.from(text), CLIPVisionConfig.from(section(c, "vision_config")),
                c.integer("projection_dim", text.integer("projection_dim", 512)), text.integer("eos_token_id", 49407));
    }

    /** A nested config; absent means all defaults, as transformers does. */
    private static JsonConfig section(JsonConfig c, String key) {
        return new JsonConfig(c.source() + " " + key,
                c.has(key) ? c.node().get(key) : JsonNodeFactory.instance.objectNode());
    }
}
