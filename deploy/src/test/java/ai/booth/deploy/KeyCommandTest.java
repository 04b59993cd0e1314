package ai.booth.deploy;

import ai.booth.keys.ApiKeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyCommandTest {

    @TempDir
    Path data;

    @Test
    void createListRevoke() {
        ApiKeyStore keys = new ApiKeyStore(data.resolve("gateway/keys.tsv"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, KeyCommand.run(keys, List.of("create", "--owner", "alice", "--name", "laptop"),
                new PrintStream(out), new PrintStream(err)));
        String key = out.toString().strip();
        assertTrue(key.startsWith("bk_"), key);
        assertEquals("alice", keys.find(key).orElseThrow().ownerId());
        assertTrue(err.toString().contains("shown only now"), err.toString());

        out.reset();
        assertEquals(0, KeyCommand.run(keys, List.of("list"), new PrintStream(out), new PrintStream(err)));
        String id = keys.find(key).orElseThrow().id();
        assertTrue(out.toString().contains(id) && out.toString().contains("alice"), out.toString());
        assertTrue(!out.toString().contains(key), "list never shows a key");

        assertEquals(0, KeyCommand.run(keys, List.of("revoke", id), new PrintStream(out), new PrintStream(err)));
        assertTrue(keys.find(key).isEmpty());
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhy() {
        ApiKeyStore keys = new ApiKeyStore(data.resolve("keys.tsv"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        assertEquals(2, KeyCommand.run(keys, List.of("create"), out, new PrintStream(err)));
        assertTrue(err.toString().contains("--owner is required"), err.toString());
        assertEquals(2, KeyCommand.run(keys, List.of("create", "--owner", "../x"), out, new PrintStream(err)));
        assertTrue(err.toString().contains("'../x'"), err.toString());
        assertEquals(2, KeyCommand.run(keys, List.of("revoke", "nope"), out, new PrintStream(err)));
        assertEquals(2, KeyCommand.run(keys, List.of(), out, new PrintStream(err)));
        assertTrue(err.toString().contains("usage: ./booth key"));
    }
}
