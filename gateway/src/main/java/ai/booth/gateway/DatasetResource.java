package ai.booth.gateway;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.service.ObjectStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Datasets: photos of one subject, uploaded for training. */
@Path("/api/v1/datasets")
@Tag(name = "datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    static final int MAX_IMAGES = 50;

    private final ObjectStore store;
    private final DatasetRegistry registry;
    private final Emitter<Event<?>> ingested;

    public DatasetResource(ObjectStore store, DatasetRegistry registry,
                           @Channel(Topics.DATASET_INGESTED) Emitter<Event<?>> ingested) {
        this.store = store;
        this.registry = registry;
        this.ingested = ingested;
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload photos of a subject",
            description = "Stores the files in the datasets bucket's staging area and publishes DatasetIngested."
                    + " The dataset becomes READY (or REJECTED) once dataset-service has checked every file.")
    public CompletionStage<Response> create(@HeaderParam(Owners.HEADER) String ownerHeader,
                                            @RestForm("images") List<FileUpload> images,
                                            @RestForm("subject") String subject) throws IOException {
        String ownerId = Owners.require(ownerHeader);
        if (images == null || images.isEmpty() || images.size() > MAX_IMAGES) {
            throw new IllegalArgumentException("form field 'images' must hold 1-" + MAX_IMAGES + " files, got "
                    + (images == null ? 0 : images.size()));
        }
        String datasetId = UUID.randomUUID().toString();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            FileUpload image = images.get(i);
            String key = Buckets.datasetStagingKey(ownerId, datasetId, String.format(Locale.ROOT, "%02d-%s", i,
                    safeFileName(image.fileName())));
            store.put(Buckets.DATASETS, key, Files.readAllBytes(image.uploadedFile()),
                    image.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM : image.contentType());
            keys.add(key);
        }
        registry.ingesting(datasetId, ownerId);
        Event<DatasetIngested> event = Event.of(datasetId, ownerId, new DatasetIngested(datasetId, keys, subject));
        return Accepted.afterPublishing(ingested, event, "/api/v1/datasets/" + datasetId,
                DatasetView.ingesting(datasetId, ownerId));
    }

    @GET
    @Path("/{datasetId}")
    @Operation(summary = "A dataset's status and, once READY, its checked images")
    public DatasetView get(@HeaderParam(Owners.HEADER) String ownerHeader, @PathParam("datasetId") String datasetId) {
        return registry.find(datasetId, Owners.require(ownerHeader))
                .orElseThrow(() -> new NotFoundException("no dataset " + datasetId));
    }

    /** Keeps letters, digits, dot, dash and underscore of the client's file name; the rest becomes '_'. */
    static String safeFileName(String name) {
        String base = name == null ? "" : name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        String safe = base.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
        return safe.isEmpty() ? "image" : safe.substring(0, Math.min(safe.length(), 80));
    }
}
