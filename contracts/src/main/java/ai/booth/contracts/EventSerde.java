package ai.booth.contracts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one JSON serde of all Booth events, usable as Kafka serializer and deserializer on every topic. The payload
 * type is read from the envelope's {@code type}, so one deserializer reads any topic (the dead-letter topic too).
 * Unknown JSON fields are ignored so producers can add optional fields without a new schema version.
 */
public final class EventSerde implements Serializer<Event<?>>, Deserializer<Event<?>> {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final Map<String, Class<?>> PAYLOAD_TYPES = Arrays.stream(Payload.class.getPermittedSubclasses())
            .collect(Collectors.toUnmodifiableMap(Class::getSimpleName, Function.identity()));

    @Override
    public byte[] serialize(String topic, Event<?> event) {
        return event == null ? null : toJson(event);
    }

    @Override
    public Event<?> deserialize(String topic, byte[] data) {
        return data == null ? null : fromJson(topic, data);
    }

    /**
     * Reads an event consumed from {@code topic}: as {@link #fromJson(byte[])}, and refused when its type belongs on
     * another Booth topic. Consumers dispatch by payload type, so a producer allowed to write one topic (another
     * system requesting generations) could otherwise forge results or other kinds of jobs through it. The
     * dead-letter topic and topics outside Booth's carry any type.
     */
    public static Event<?> fromJson(String topic, byte[] json) {
        Event<?> event = fromJson(json);
        if (Topics.ALL.contains(topic) && !Topics.DEAD_LETTER.equals(topic) && !event.topic().equals(topic)) {
            throw new SerializationException("a " + event.type() + " event belongs on " + event.topic() + ", not on "
                    + topic);
        }
        return event;
    }

    public static byte[] toJson(Event<?> event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new SerializationException("cannot write " + event.type() + " event " + event.eventId(), e);
        }
    }

    /** Reads an event, failing with the offending field named when the JSON is not a valid Booth event. */
    public static Event<?> fromJson(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            int version = required(node, "schemaVersion").asInt();
            if (version < 1 || version > Event.SCHEMA_VERSION) {
                throw new SerializationException("event schemaVersion " + version + " is not supported (this reader"
                        + " knows 1.." + Event.SCHEMA_VERSION + ")");
            }
            String type = required(node, "type").asText();
            Class<?> payloadType = PAYLOAD_TYPES.get(type);
            if (payloadType == null) {
                throw new SerializationException("unknown event type '" + type + "', expected one of "
                        + PAYLOAD_TYPES.keySet());
            }
            Payload payload = (Payload) JSON.treeToValue(required(node, "payload"), payloadType);
            return new Event<>(version, UUID.fromString(required(node, "eventId").asText()), type,
                    required(node, "correlationId").asText(), required(node, "ownerId").asText(),
                    Instant.parse(required(node, "occurredAt").asText()), payload);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException serialization) {
                throw serialization;
            }
            throw new SerializationException("not a valid Booth event: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new SerializationException("event field '" + field + "' is missing");
        }
        return value;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the payload type comes from the message
    }

    @Override
    public void close() {
        // stateless
    }
}
