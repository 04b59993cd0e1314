package ai.booth.cli;

import java.nio.file.Path;

/** The Booth checkout the CLI runs from ({@code -Dbooth.home}, set by {@code ./booth}; else the working directory). */
final class CliHome {

    private CliHome() {
    }

    static Path dir() {
        return Path.of(System.getProperty("booth.home", ".")).toAbsolutePath().normalize();
    }

    /** The tiny demo model Booth ships (fixtures/sd-tiny/model): the default {@code --model}. */
    static Path demoModel() {
        return dir().resolve("fixtures/sd-tiny/model");
    }

    /**
     * The demo model's tokenizer: the real CLIP ViT-L/14 BPE vocabulary (49408 tokens) that every SD-1.x model
     * uses, so single checkpoint files, which carry no tokenizer, use it unless {@code --config-from} names a folder.
     */
    static Path demoTokenizer() {
        return demoModel().resolve("tokenizer");
    }
}
