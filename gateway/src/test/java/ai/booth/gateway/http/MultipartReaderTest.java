package ai.booth.gateway.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MultipartReaderTest {

    private static final String TYPE = "multipart/form-data; boundary=XyZ";

    private static MultipartReader reader(String disposition) {
        String body = "--XyZ\r\nContent-Disposition: " + disposition + "\r\nContent-Type: image/png\r\n\r\nabc"
                + "\r\n--XyZ--\r\n";
        return new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), TYPE);
    }

    @Test
    void aQuotedParameterOfThousandsOfCharactersIsReadWithoutOverflowingTheStack() throws IOException {
        String longName = "a".repeat(12_000) + ".jpg";
        MultipartReader.Part part = reader("form-data; name=\"images\"; filename=\"" + longName + "\"").next();
        assertEquals("images", part.name());
        assertEquals(longName, part.fileName());
        assertEquals("abc", new String(part.body().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void quotedParametersKeepEscapedQuotesSemicolonsAndSpaces() throws IOException {
        MultipartReader.Part part = reader("form-data;name=\"images\" ;  filename=\"my \\\"best\\\"; dog.jpg\"")
                .next();
        assertEquals("images", part.name());
        assertEquals("my \"best\"; dog.jpg", part.fileName());
    }

    @Test
    void unquotedParametersAndUnknownParametersAreRead() throws IOException {
        MultipartReader.Part part = reader("form-data; foo=\"bar\"; NAME=subject; x*=utf-8''y").next();
        assertEquals("subject", part.name());
        assertNull(part.fileName());
    }

    @Test
    void anUnclosedQuoteIsABadRequest() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> reader("form-data; filename=\"x.jpg\"; name=\"images").next());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("Content-Disposition"), e.getMessage());
    }
}
