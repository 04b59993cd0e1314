package ai.booth.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A killed service's temporary entries go at the next start; a running process's stay. */
class ProcessTempTest {

    @Test
    void sweepingDeletesTheEntriesOfEndedProcessesOnlyAndOnlyOfItsKind(@TempDir Path tmp) throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path killedDir = Files.createDirectories(tmp.resolve("booth-dataset-" + ended.pid() + "-123"));
        Files.writeString(killedDir.resolve("photo.png"), "left behind");
        Path killedFile = Files.writeString(tmp.resolve("booth-dataset-" + ended.pid() + "-456.png"), "x");
        Path mine = Files.createDirectories(tmp.resolve(ProcessTemp.prefix("dataset") + "789"));
        Path otherKind = Files.createDirectories(tmp.resolve("booth-sampler-" + ended.pid() + "-1"));
        Path unrelated = Files.createDirectories(tmp.resolve("booth-dataset-notapid"));

        assertEquals(2, ProcessTemp.sweep(tmp, "dataset"));

        assertFalse(Files.exists(killedDir), "a killed process's folder, with its files");
        assertFalse(Files.exists(killedFile));
        assertTrue(Files.isDirectory(mine), "this running process's own folder stays");
        assertTrue(Files.isDirectory(otherKind), "another kind is another service's to sweep");
        assertTrue(Files.isDirectory(unrelated), "names Booth did not make stay");
    }

    @Test
    void entriesAreNamedWithTheProcessThatMadeThem() throws Exception {
        Path dir = ProcessTemp.directory("dataset");
        try {
            assertTrue(dir.getFileName().toString().startsWith("booth-dataset-" + ProcessHandle.current().pid() + "-"));
            assertTrue(Files.isDirectory(dir), "a sweep keeps the folder of the process that runs it");
        } finally {
            Files.deleteIfExists(dir);
        }
    }
}
