package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A training's checkpoints in the real S3 server, written by two workers running the same job at once. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class JobObjectsTest {

    @TempDir
    Path tmp;

    @Inject
    ObjectMapper json;

    @Inject
    ObjectStore store;

    /** Owner of every training here; each test takes a training id of its own. */
    private static final String OWNER = "dave";

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aWriterBehindAnotherLeavesThePointerOnACompleteCheckpoint(int keep) throws IOException {
        String trainingId = "ckpt-" + UUID.randomUUID();
        JobObjects ahead = new JobObjects(store, json, OWNER, trainingId);
        JobObjects behind = new JobObjects(store, json, OWNER, trainingId); // resumed from an older checkpoint
        ahead.uploadCheckpoint(80, checkpoint(80), keep);
        ahead.uploadCheckpoint(100, checkpoint(100), keep);
        behind.uploadCheckpoint(60, checkpoint(60), keep);

        JobObjects.CheckpointPointer pointer = json.readValue(store.get(Buckets.CHECKPOINTS,
                Buckets.checkpointPrefix(OWNER, trainingId) + JobObjects.POINTER), JobObjects.CheckpointPointer.class);
        for (String file : pointer.files()) {
            assertTrue(store.exists(Buckets.CHECKPOINTS, pointer.prefix() + file),
                    "the pointer names " + pointer.prefix() + " whose " + file + " is gone");
        }
        assertResumesAt(pointer.step(), ahead);

        ahead.uploadCheckpoint(120, checkpoint(120), keep); // the next writer still prunes what is old
        assertEquals(keep, ahead.checkpointKeys().size(), ahead.checkpointKeys().toString());
        assertResumesAt(120, behind);
    }

    @Test
    void aPointerWhoseFilesAreGoneResumesFromTheNewestCompleteCheckpoint() throws IOException {
        String trainingId = "ckpt-" + UUID.randomUUID();
        String prefix = Buckets.checkpointPrefix(OWNER, trainingId);
        JobObjects objects = new JobObjects(store, json, OWNER, trainingId);
        objects.uploadCheckpoint(40, checkpoint(40), 3);
        objects.uploadCheckpoint(60, checkpoint(60), 3);
        store.remove(Buckets.CHECKPOINTS, prefix + "checkpoint-000060/factors.safetensors"); // the other writer's prune
        store.put(Buckets.CHECKPOINTS, prefix + "checkpoint-000070/state.json", "70".getBytes(), "application/json");

        assertResumesAt(40, objects); // not 60 (a file is gone), nor 70 (a writer died while uploading it)

        store.remove(Buckets.CHECKPOINTS, prefix + "checkpoint-000040/state.json");
        assertTrue(objects.downloadLatestCheckpoint(tmp.resolve("none")).isEmpty(), "no checkpoint is complete");
    }

    private void assertResumesAt(int step, JobObjects objects) throws IOException {
        Path target = tmp.resolve("resume-" + UUID.randomUUID());
        JobObjects.CheckpointPointer resumed = objects.downloadLatestCheckpoint(target).orElseThrow();
        assertEquals(step, resumed.step());
        assertEquals(String.valueOf(step), Files.readString(target.resolve("state.json")));
        assertEquals(String.valueOf(step), Files.readString(target.resolve("factors.safetensors")));
    }

    /** An engine checkpoint's directory whose files hold its step. */
    private Path checkpoint(int step) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("checkpoint-" + step + "-" + UUID.randomUUID()));
        Files.writeString(dir.resolve("state.json"), String.valueOf(step));
        Files.writeString(dir.resolve("factors.safetensors"), String.valueOf(step));
        return dir;
    }
}
