package ai.booth.diffusion.loader;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.unet.UNet2DConditionConfig;

import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The single-file ControlNets made for A1111 (lllyasviel's {@code control_v11p_sd15_canny.safetensors}, ...): the
 * original ControlNet code's names, optionally under {@code control_model.}. The encoder copy
 * ({@code input_blocks.*}, {@code middle_block.*}, {@code time_embed.*}) maps as a UNet's encoder does
 * ({@link LdmLayout#encoder}); the rest is ControlNet's own:
 * <ul>
 *   <li>{@code zero_convs.N.0.*} → {@code controlnet_down_blocks.N.*}, {@code middle_block_out.0.*} →
 *       {@code controlnet_mid_block.*};</li>
 *   <li>{@code input_hint_block.I.*} (convs at even I, SiLUs between) → {@code controlnet_cond_embedding}: the
 *       first conv is {@code conv_in}, the last {@code conv_out}, those between {@code blocks.0..}.</li>
 * </ul>
 * Keys a mapping cannot place keep their original name, so the model reports them as unexpected.
 */
final class ControlNetLayout {

    static final String PREFIX = "control_model.";
    private static final Pattern ZERO_CONV = Pattern.compile("^zero_convs\\.(\\d+)\\.0\\.(.+)$");
    private static final Pattern HINT = Pattern.compile("^input_hint_block\\.(\\d+)\\.(.+)$");

    private ControlNetLayout() {
    }

    /** Whether a file is a single-file ControlNet (its hint encoder is the mark). */
    static boolean isControlNet(SafeTensors file) {
        return file.names().stream().anyMatch(k -> k.startsWith("input_hint_block.")
                || k.startsWith(PREFIX + "input_hint_block."));
    }

    static String root(SafeTensors file) {
        return file.names().stream().anyMatch(k -> k.startsWith(PREFIX)) ? PREFIX : "";
    }

    static Map<String, TensorSource> map(SafeTensors file, UNet2DConditionConfig encoder) {
        String root = root(file);
        Map<String, TensorSource> out = LdmLayout.encoder(file, root, encoder);
        TreeSet<Integer> hints = hintConvs(file);
        for (String key : file.names()) {
            if (!key.startsWith(root)) {
                out.put(key, TensorSource.of(file, key));
                continue;
            }
            String rest = key.substring(root.length());
            if (LdmLayout.isNumberedEncoder(rest)) {
                continue;
            }
            Matcher m;
            String name;
            if ((m = ZERO_CONV.matcher(rest)).matches()) {
                name = "controlnet_down_blocks." + m.group(1) + "." + m.group(2);
            } else if (rest.startsWith("middle_block_out.0.")) {
                name = "controlnet_mid_block." + rest.substring("middle_block_out.0.".length());
            } else if ((m = HINT.matcher(rest)).matches()) {
                int conv = hints.headSet(Integer.parseInt(m.group(1))).size();
                String module = conv == 0 ? "conv_in" : conv == hints.size() - 1 ? "conv_out" : "blocks." + (conv - 1);
                name = "controlnet_cond_embedding." + module + "." + m.group(2);
            } else {
                name = LdmLayout.rename(rest, LdmLayout.UNET_TOP);
            }
            out.put(name, TensorSource.of(file, key));
        }
        return out;
    }

    /** Indices of the hint encoder's convolutions, in order. */
    static TreeSet<Integer> hintConvs(SafeTensors file) {
        String root = root(file);
        TreeSet<Integer> convs = new TreeSet<>();
        for (String key : file.names()) {
            Matcher m = HINT.matcher(key.startsWith(root) ? key.substring(root.length()) : key);
            if (m.matches() && m.group(2).equals("weight")) {
                convs.add(Integer.parseInt(m.group(1)));
            }
        }
        return convs;
    }

    /** The hint encoder's widths and input channels, read from its kernels: [in, w0, w1, ...]. */
    static int[] hintChannels(SafeTensors file) {
        String root = root(file);
        TreeSet<Integer> convs = hintConvs(file);
        if (convs.size() < 2 || convs.size() % 2 != 0) {
            throw new IllegalArgumentException(file.file() + ": input_hint_block has " + convs.size()
                    + " convolutions; a ControlNet hint encoder has conv_in, pairs of blocks and conv_out");
        }
        Integer[] idx = convs.toArray(new Integer[0]);
        int widths = idx.length / 2;  // conv_in's, then the second conv of each pair's
        int[] out = new int[widths + 1];
        long[] first = file.entry(root + "input_hint_block." + idx[0] + ".weight").shape().getShape();
        out[0] = (int) first[1];
        for (int w = 0; w < widths; w++) {
            out[w + 1] = (int) file.entry(root + "input_hint_block." + idx[2 * w] + ".weight").shape().get(0);
        }
        return out;
    }
}
