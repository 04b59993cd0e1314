package ai.booth.service.models;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

/** The workers' model cache ({@link ModelCache}, sampler and trainer): {@code booth.cache.*}, env {@code BOOTH_CACHE_*}. */
@ConfigMapping(prefix = "booth.cache")
public interface CacheConfig {

    /** Where model and adapter files are downloaded; the launcher gives each service its own folder. */
    @WithDefault("${java.io.tmpdir}/booth-cache")
    Path dir();

    /**
     * Bytes of files kept on disk (20 GiB): least recently used go first, but never the files of a loaded model or a
     * leased adapter.
     */
    @WithDefault("21474836480")
    long maxBytes();

    /** Models kept loaded in memory, least recently used closed first (SD-1.5 takes 2–4 GB); at least 1. */
    @WithDefault("1")
    int maxLoadedModels();
}
