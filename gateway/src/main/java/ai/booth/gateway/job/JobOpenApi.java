package ai.booth.gateway.job;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the OpenAPI texts of the job kinds' endpoints (summary, description, responses) from {@value #TEXTS}, the
 * one place they are kept: the endpoints every kind shares are declared once ({@link JobEndpoints}), and SmallRye
 * OpenAPI reads {@code @Operation} only where a JAX-RS method is declared, so per-kind texts cannot be annotations.
 * The shared {@code {id}} becomes the kind's name for it ({@code {generationId}}), as the API has always named it.
 * Registered as {@code mp.openapi.filter}; paths of other collections are left as their resources declare them.
 */
public class JobOpenApi implements OASFilter {

    static final String TEXTS = "openapi-jobs.properties";
    /** /api/v1/{collection}, /{...Id} (an id), /{sub-resource}. */
    private static final Pattern JOB_PATH = Pattern.compile("/api/v1/([a-z]+)(/\\{(\\w+)})?(/(\\w+))?");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Map<String, String> texts = texts();
        Map<String, PathItem> paths = new TreeMap<>(); // sorted, as SmallRye sorts them
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            Matcher job = JOB_PATH.matcher(path);
            String noun = job.matches() ? texts.get(job.group(1) + ".noun") : null;
            if (noun == null) {
                paths.put(path, item);
                return;
            }
            item.getOperations().forEach((method, operation) -> describe(operation,
                    job.group(1), name(method, job), noun, texts));
            if ("id".equals(job.group(3))) {
                item.getOperations().values().forEach(operation -> operation.getParameters().stream()
                        .filter(parameter -> "id".equals(parameter.getName()))
                        .forEach(parameter -> parameter.setName(noun + "Id")));
                path = path.replace("{id}", "{" + noun + "Id}");
            }
            paths.put(path, item);
        });
        openAPI.getPaths().setPathItems(paths);
    }

    /** The operation's name in the texts: list, create, get, or its sub-resource (cancel, report, ...). */
    private static String name(PathItem.HttpMethod method, Matcher job) {
        if (job.group(5) != null) {
            return job.group(5);
        }
        if (job.group(2) != null) {
            return "get";
        }
        return method == PathItem.HttpMethod.POST ? "create" : "list";
    }

    /**
     * Summary and description of {@code <collection>.<name>}, if the file has it; the responses are exactly those
     * listed under it, or if none are, under {@code <name>} for every kind (%s: the noun). A response SmallRye made
     * keeps its content.
     */
    private static void describe(Operation operation, String collection, String name, String noun,
                                 Map<String, String> texts) {
        String key = collection + "." + name;
        if (!texts.containsKey(key)) {
            return; // not in the file: as its resource declares it
        }
        operation.setSummary(texts.get(key));
        operation.setDescription(texts.get(key + ".description"));
        Map<String, String> listed = responses(texts, key);
        if (listed.isEmpty()) {
            listed = responses(texts, name);
        }
        if (listed.isEmpty()) {
            return; // SmallRye's own (a page: 200 with its schema)
        }
        APIResponses made = operation.getResponses();
        APIResponses responses = OASFactory.createAPIResponses();
        listed.forEach((code, text) -> responses.addAPIResponse(code, (made != null && made.hasAPIResponse(code)
                ? made.getAPIResponse(code) : OASFactory.createAPIResponse()).description(text.formatted(noun))));
        operation.setResponses(responses);
    }

    private static Map<String, String> responses(Map<String, String> texts, String key) {
        Map<String, String> responses = new LinkedHashMap<>();
        texts.forEach((name, text) -> {
            String code = name.startsWith(key + ".") ? name.substring(key.length() + 1) : "";
            if (code.matches("\\d{3}")) {
                responses.put(code, text);
            }
        });
        return responses;
    }

    /** The texts in the file's order (the order of an operation's responses). */
    private static Map<String, String> texts() {
        Map<String, String> texts = new LinkedHashMap<>();
        Properties inOrder = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                return texts.put((String) key, (String) value);
            }
        };
        try (InputStream in = JobOpenApi.class.getResourceAsStream("/" + TEXTS)) {
            inOrder.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + TEXTS, e);
        }
        return texts;
    }
}
