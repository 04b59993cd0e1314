package ai.booth.dataset;

import ai.booth.contracts.DatasetLimits;
import ai.booth.dataset.processing.DatasetProcessor;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one image-processing pool of the service: {@link DatasetConfig#threads} workers for all jobs. */
public class ProcessorProducer {

    @Produces
    @Singleton
    DatasetProcessor processor(DatasetConfig config) {
        if (config.threads() < 1) {
            throw new IllegalArgumentException("booth.dataset.threads must be at least 1, got " + config.threads());
        }
        return new DatasetProcessor(DatasetLimits.DEFAULT, config.threads());
    }

    void close(@Disposes DatasetProcessor processor) {
        processor.close();
    }
}
