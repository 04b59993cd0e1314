package ai.booth.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** One ControlNet unit on the command line; the group repeats for several (their residuals add up). */
final class ControlNetOptions {

    @Option(names = "--controlnet", required = true, paramLabel = "DIR|FILE",
            description = "A ControlNet: a diffusers folder (config.json + weights) or an A1111 single .safetensors "
                    + "file (e.g. control_v11p_sd15_canny_fp16.safetensors). Repeat the group for several.")
    Path model;

    @Option(names = "--control-image", required = true, paramLabel = "IMAGE",
            description = "The control image: a map to use as is, or a picture to preprocess.")
    Path image;

    @Option(names = "--control-preprocess", paramLabel = "canny[:LOW:HIGH]|none", defaultValue = "none",
            description = "none: the image is the map; canny: OpenCV Canny edges (thresholds 100/200 unless given). "
                    + "The map fed is saved beside each result as NNNNN-SEED-controlI.png (default: none).")
    String preprocess;

    @Option(names = "--control-scale", paramLabel = "S", defaultValue = "1",
            description = "Conditioning scale (default: 1).")
    double scale;

    @Option(names = "--control-start", paramLabel = "A", defaultValue = "0",
            description = "Fraction of the steps before which this ControlNet is off (default: 0).")
    double start;

    @Option(names = "--control-end", paramLabel = "B", defaultValue = "1",
            description = "Fraction of the steps after which it is off (default: 1).")
    double end;

    @Option(names = "--guess-mode",
            description = "diffusers' guess mode: the ControlNet sees only the prompt (not the negative), its "
                    + "residuals ramped from 0.1 to 1 over the blocks.")
    boolean guessMode;
}
