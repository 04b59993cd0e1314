package ai.booth.contracts;

import ai.booth.contracts.rules.ControlRules;
import ai.booth.contracts.rules.GenerationRules;
import ai.booth.contracts.rules.Range;
import ai.booth.contracts.rules.TrainingRules;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AsyncAPI document and the contract classes describe the same topics, messages and fields. */
class AsyncApiDocumentTest {

    private static final String SCHEMA_REF = "#/components/schemas/";
    private static JsonNode doc;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = Topics.class.getResourceAsStream("/asyncapi.yaml")) {
            assertNotNull(in, "asyncapi.yaml is not on the classpath");
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        assertTrue(doc.path("asyncapi").asText().startsWith("3."), "expected an AsyncAPI 3 document");
    }

    @Test
    void channelsAreExactlyTheTopics() {
        Set<String> addresses = new TreeSet<>();
        doc.path("channels").forEach(channel -> addresses.add(channel.path("address").asText()));
        assertEquals(new TreeSet<>(Topics.ALL), addresses);
        assertEquals(Topics.ALL.size(), new HashSet<>(Topics.ALL).size(), "duplicate topic names in Topics.ALL");
    }

    @Test
    void everyPayloadIsAMessageOnItsTopic() {
        Set<String> messageNames = new TreeSet<>();
        doc.path("components").path("messages").fieldNames().forEachRemaining(messageNames::add);
        assertEquals(new TreeSet<>(payloadNames()), messageNames, "messages vs Payload's permitted records");

        for (Class<?> payload : Payload.class.getPermittedSubclasses()) {
            String name = payload.getSimpleName();
            JsonNode channel = channelOf(Topics.of(payload.asSubclass(Payload.class)));
            assertEquals("#/components/messages/" + name, channel.path("messages").path(name).path("$ref").asText(),
                    name + " is not listed on channel " + channel.path("address").asText());

            JsonNode parts = doc.path("components").path("messages").path(name).path("payload").path("allOf");
            assertEquals(SCHEMA_REF + "Envelope", parts.path(0).path("$ref").asText(), name + " envelope");
            assertEquals(name, parts.path(1).path("properties").path("type").path("const").asText(), name + " type");
            assertEquals(SCHEMA_REF + name, parts.path(1).path("properties").path("payload").path("$ref").asText(),
                    name + " payload schema");
        }
    }

    @Test
    void onlyDeadLetterCarriesEveryMessage() {
        JsonNode deadLetter = channelOf(Topics.DEAD_LETTER);
        Set<String> listed = new TreeSet<>();
        deadLetter.path("messages").fieldNames().forEachRemaining(listed::add);
        assertEquals(new TreeSet<>(payloadNames()), listed);
    }

    @Test
    void schemasMatchRecordsFieldByField() {
        Set<Class<?>> records = new LinkedHashSet<>();
        records.add(Event.class);
        Arrays.stream(Payload.class.getPermittedSubclasses()).forEach(type -> collectRecords(type, records));

        Set<String> expectedNames = records.stream().map(AsyncApiDocumentTest::schemaName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = new TreeSet<>();
        doc.path("components").path("schemas").fieldNames().forEachRemaining(documented::add);
        assertEquals(expectedNames, documented, "schemas vs records");

        for (Class<?> type : records) {
            JsonNode schema = doc.path("components").path("schemas").path(schemaName(type));
            List<String> fields = new ArrayList<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent component : type.getRecordComponents()) {
                fields.add(component.getName());
                if (!component.isAnnotationPresent(Nullable.class)) {
                    required.add(component.getName());
                }
                if (type != Event.class || !component.getName().equals("payload")) {
                    assertEquals(jsonType(component.getGenericType()),
                            describe(schema.path("properties").path(component.getName())),
                            schemaName(type) + "." + component.getName() + " type");
                }
            }
            List<String> documentedFields = new ArrayList<>();
            schema.path("properties").fieldNames().forEachRemaining(documentedFields::add);
            List<String> documentedRequired = new ArrayList<>();
            schema.path("required").forEach(node -> documentedRequired.add(node.asText()));
            assertEquals(fields, documentedFields, schemaName(type) + " properties (in record order)");
            assertEquals(required, documentedRequired, schemaName(type) + " required");
        }
    }

    /** The bounds the gateway and the workers check, by schema and property: the document states the same. */
    private static final Map<String, Range> BOUNDS = Map.ofEntries(
            Map.entry("TrainingRequested.resolution", TrainingRules.RESOLUTION),
            Map.entry("TrainingRequested.maxTrainSteps", TrainingRules.MAX_TRAIN_STEPS),
            Map.entry("TrainingRequested.batchSize", TrainingRules.BATCH_SIZE),
            Map.entry("TrainingRequested.rank", TrainingRules.RANK),
            Map.entry("TrainingRequested.textEncoderLearningRate", TrainingRules.TEXT_ENCODER_LEARNING_RATE),
            Map.entry("TrainingRequested.priorLossWeight", TrainingRules.PRIOR_LOSS_WEIGHT),
            Map.entry("TrainingRequested.noiseOffset", TrainingRules.NOISE_OFFSET),
            Map.entry("TrainingRequested.snrGamma", TrainingRules.SNR_GAMMA),
            Map.entry("GenerationRequested.steps", GenerationRules.STEPS),
            Map.entry("GenerationRequested.guidanceScale", GenerationRules.GUIDANCE_SCALE),
            Map.entry("GenerationRequested.width", GenerationRules.SIZE),
            Map.entry("GenerationRequested.height", GenerationRules.SIZE),
            Map.entry("GenerationRequested.clipSkip", GenerationRules.CLIP_SKIP),
            Map.entry("GenerationRequested.deepCache", GenerationRules.DEEP_CACHE),
            Map.entry("GenerationRequested.tokenMerging", GenerationRules.TOKEN_MERGING),
            Map.entry("LoraRef.unetScale", GenerationRules.LORA_SCALE),
            Map.entry("LoraRef.textEncoderScale", GenerationRules.LORA_SCALE),
            Map.entry("ControlRef.lowThreshold", ControlRules.CANNY_THRESHOLD),
            Map.entry("ControlRef.highThreshold", ControlRules.CANNY_THRESHOLD),
            Map.entry("ControlRef.scale", ControlRules.SCALE),
            Map.entry("ControlRef.guidanceStart", ControlRules.GUIDANCE_WINDOW),
            Map.entry("ControlRef.guidanceEnd", ControlRules.GUIDANCE_WINDOW));

    @Test
    void boundsInTheDocumentAreTheRulesBounds() {
        Map<String, Range> documented = new TreeMap<>();
        doc.path("components").path("schemas").fields().forEachRemaining(schema ->
                schema.getValue().path("properties").fields().forEachRemaining(property -> {
                    JsonNode p = property.getValue();
                    if (p.has("minimum") || p.has("maximum")) {
                        String name = schema.getKey() + "." + property.getKey();
                        assertTrue(p.has("minimum") && p.has("maximum"), name + " states both bounds");
                        documented.put(name, new Range(p.get("minimum").asDouble(), p.get("maximum").asDouble()));
                    }
                }));
        assertEquals(new TreeMap<>(BOUNDS), documented, "minimum / maximum in asyncapi.yaml vs the rules");
    }

    private static List<String> payloadNames() {
        return Arrays.stream(Payload.class.getPermittedSubclasses()).map(Class::getSimpleName).toList();
    }

    private static JsonNode channelOf(String topic) {
        for (JsonNode channel : doc.path("channels")) {
            if (channel.path("address").asText().equals(topic)) {
                return channel;
            }
        }
        throw new AssertionError("no channel for topic " + topic);
    }

    private static String schemaName(Class<?> type) {
        return type == Event.class ? "Envelope" : type.getSimpleName();
    }

    private static void collectRecords(Type type, Set<Class<?>> into) {
        if (type instanceof ParameterizedType parameterized) {
            Arrays.stream(parameterized.getActualTypeArguments()).forEach(arg -> collectRecords(arg, into));
        } else if (type instanceof Class<?> cls && cls.isRecord() && into.add(cls)) {
            Arrays.stream(cls.getRecordComponents()).forEach(c -> collectRecords(c.getGenericType(), into));
        }
    }

    /** The JSON Schema a record component should have, in the compact form {@link #describe} produces. */
    private static String jsonType(Type type) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
            return "array of " + jsonType(parameterized.getActualTypeArguments()[0]);
        }
        Class<?> cls = (Class<?>) type;
        if (cls == String.class || cls == UUID.class || cls == Instant.class) {
            return "string";
        }
        if (cls == int.class || cls == long.class || cls == Integer.class || cls == Long.class) {
            return "integer";
        }
        if (cls == double.class || cls == float.class || cls == Double.class) {
            return "number";
        }
        if (cls == boolean.class || cls == Boolean.class) {
            return "boolean";
        }
        if (cls.isRecord()) {
            return SCHEMA_REF + cls.getSimpleName();
        }
        throw new AssertionError("no JSON mapping for " + cls + "; extend the test when adding field types");
    }

    private static String describe(JsonNode property) {
        if (property.has("$ref")) {
            return property.get("$ref").asText();
        }
        String type = property.path("type").asText("(none)");
        return type.equals("array") ? "array of " + describe(property.path("items")) : type;
    }
}
