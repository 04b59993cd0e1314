package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rebuilds a network from float32 copies of its weights that libtorch owns. A loaded model's weights may map the
 * checkpoint file read-only; a full fine-tune changes every weight in place and lets autograd keep them, so it
 * trains on such a copy (the original is untouched and can keep serving).
 */
public final class OwnedCopies {

    private OwnedCopies() {
    }

    public static UNet2DConditionModel unet(UNet2DConditionModel unet) {
        return ComponentBuilder.build("unet (trainable copy)", sources(unet.parameters()), device(unet.parameters()),
                DataType.FLOAT32, w -> new UNet2DConditionModel(unet.config(), w));
    }

    public static CLIPTextModel textEncoder(CLIPTextModel textEncoder) {
        return ComponentBuilder.build("text encoder (trainable copy)", sources(textEncoder.parameters()),
                device(textEncoder.parameters()), DataType.FLOAT32, w -> new CLIPTextModel(textEncoder.config(), w));
    }

    public static AutoencoderKL vae(AutoencoderKL vae) {
        return ComponentBuilder.build("vae (trainable copy)", sources(vae.parameters()), device(vae.parameters()),
                DataType.FLOAT32, w -> new AutoencoderKL(vae.config(), w));
    }

    public static CLIPModel clip(CLIPModel clip) {
        return ComponentBuilder.build("CLIP (trainable copy)", sources(clip.parameters()), device(clip.parameters()),
                DataType.FLOAT32, w -> new CLIPModel(clip.config(), w));
    }

    private static Map<String, TensorSource> sources(Map<String, NDArray> weights) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        weights.forEach((key, array) -> out.put(key, TensorSource.of(key, array)));
        return out;
    }

    private static Device device(Map<String, NDArray> weights) {
        return weights.values().iterator().next().getDevice();
    }
}
