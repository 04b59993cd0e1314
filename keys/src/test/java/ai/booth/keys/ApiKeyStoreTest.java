package ai.booth.keys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void aCreatedKeyIsFoundByItsTextButOnlyItsHashIsStored() throws Exception {
        ApiKeyStore store = new ApiKeyStore(dir.resolve("gateway/keys.tsv"));
        ApiKeyStore.Created created = store.create("alice", "laptop", "standard");
        assertTrue(created.keyText().startsWith("bk_"));
        assertTrue(created.keyText().length() >= 3 + 32, "at least 192 bits of base64");
        assertEquals("alice", store.find(created.keyText()).orElseThrow().ownerId());
        assertTrue(store.find(created.keyText() + "x").isEmpty());
        assertTrue(store.find("not-a-key").isEmpty());

        String file = Files.readString(store.file());
        assertFalse(file.contains(created.keyText()), "the key text is never stored");
        assertTrue(file.contains(Secrets.sha256(created.keyText())));
        assertTrue(created.key().webhookSecret().startsWith("whsec_"));
    }

    @Test
    void anotherProcessesKeysAreSeenAndRevocationWorks() {
        Path file = dir.resolve("keys.tsv");
        ApiKeyStore gateway = new ApiKeyStore(file);
        assertTrue(gateway.list().isEmpty(), "no file yet: no keys");
        ApiKeyStore.Created bob = new ApiKeyStore(file).create("bob", "ci", "standard");
        assertEquals("bob", gateway.find(bob.keyText()).orElseThrow().ownerId());
        ApiKeyStore.Created carol = gateway.create("carol", "phone", "unlimited");
        assertNotEquals(bob.key().webhookSecret(), carol.key().webhookSecret());
        assertEquals(2, new ApiKeyStore(file).list().size());

        assertTrue(new ApiKeyStore(file).revoke(bob.key().id()));
        assertTrue(gateway.find(bob.keyText()).isEmpty(), "revoked in another process, refused here");
        assertTrue(gateway.find(carol.keyText()).isPresent());
        assertFalse(gateway.revoke("nope"));
    }

    @Test
    void badFieldsAndBadFilesAreNamed() throws Exception {
        ApiKeyStore store = new ApiKeyStore(dir.resolve("keys.tsv"));
        var e = assertThrows(IllegalArgumentException.class, () -> store.create("../etc", "x", "standard"));
        assertTrue(e.getMessage().contains("owner") && e.getMessage().contains("'../etc'"), e.getMessage());
        Files.writeString(store.file(), "# comment\nonly\tthree\tfields\n");
        var bad = assertThrows(IllegalStateException.class, () -> store.find("bk_x"));
        assertTrue(bad.getMessage().contains("line 2") && bad.getMessage().contains("7 tab-separated"),
                bad.getMessage());
    }
}
