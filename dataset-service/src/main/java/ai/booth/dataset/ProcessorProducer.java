package ai.booth.dataset;

import ai.booth.contracts.DatasetLimits;
import ai.booth.dataset.processing.DatasetProcessor;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one image-processing pool of the service: one worker per core. */
public class ProcessorProducer {

    @Produces
    @Singleton
    DatasetProcessor processor() {
        return new DatasetProcessor(DatasetLimits.DEFAULT, Runtime.getRuntime().availableProcessors());
    }

    void close(@Disposes DatasetProcessor processor) {
        processor.close();
    }
}
