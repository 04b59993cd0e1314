package ai.booth.gateway.job;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A stored image (or file) as the API shows it: its object key and, in answers, a short-lived presigned URL a
 * browser can load directly. Which of the other fields are set depends on the image's kind.
 *
 * @param key      object key (datasets, generations or checkpoints bucket)
 * @param url      presigned GET URL, valid for {@code booth.gateway.presign-expiry}
 * @param width    pixels (training images)
 * @param height   pixels (training images)
 * @param caption  the caption it is trained with (training images)
 * @param seed     the seed it was rendered with (generated images)
 * @param step     the training step it was rendered at (validation images)
 * @param millis   time spent rendering it (generated images)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageLink(String key, String url, Integer width, Integer height, String caption, Long seed,
                        Integer step, Long millis) {

    public static ImageLink of(String key) {
        return new ImageLink(key, null, null, null, null, null, null, null);
    }

    ImageLink withUrl(String signed) {
        return new ImageLink(key, signed, width, height, caption, seed, step, millis);
    }
}
