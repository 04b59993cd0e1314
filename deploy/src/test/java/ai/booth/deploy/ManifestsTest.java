package ai.booth.deploy;

import ai.booth.contracts.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders {@code deploy/k8s/base} and every overlay with {@code kubectl kustomize} (offline) and checks what a
 * cluster would be given: every document parses into fabric8's typed model without unknown fields, and the
 * hardening, autoscaling and durability rules of {@code deploy/k8s/README.md} hold. The overlays' env files are not
 * committed: the test renders a copy of the tree with test values written from the {@code *.env.example} files.
 * Without kubectl the test is skipped, except on CI ({@code CI=true}), whose {@code .ci/run} installs it.
 */
class ManifestsTest {

    static final Path HOME = Path.of(System.getProperty("booth.home", "..")).toAbsolutePath().normalize();
    static final Path K8S = HOME.resolve("deploy/k8s");
    static final List<String> TREES = List.of("base", "overlays/cpu-dev", "overlays/gpu-prod");
    static final List<String> OVERLAYS = List.of("overlays/cpu-dev", "overlays/gpu-prod");
    /** Custom resources: checked as generic resources with the fields their operators require. */
    static final Map<String, String> CUSTOM_KINDS = Map.of(
            "ScaledObject", "keda.sh/v1alpha1",
            "Kafka", "kafka.strimzi.io/v1beta2",
            "KafkaNodePool", "kafka.strimzi.io/v1beta2",
            "KafkaTopic", "kafka.strimzi.io/v1beta2");
    /** Topics that expire (Topics.retentionMs); every other topic (requests and results) is kept forever. */
    static final Set<String> EXPIRING_TOPICS = Topics.ALL.stream().filter(t -> Topics.retentionMs(t) != -1)
            .collect(Collectors.toSet());
    static final String TEST_SECRET = "test-only-secret-value";
    static final String TEST_ADMIN = "test-admin-owner";

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Map<String, List<HasMetadata>> RENDERED = new LinkedHashMap<>();
    static final Map<String, String> RENDERED_TEXT = new LinkedHashMap<>();
    static Path copy;

    @BeforeAll
    static void renderEveryTree(@TempDir Path tmp) throws Exception {
        boolean kubectl = commandExists("kubectl");
        if (!kubectl && "true".equals(System.getenv("CI"))) {
            fail("kubectl is missing on CI: .ci/run installs it");
        }
        assumeTrue(kubectl, "kubectl is not installed: the manifests are not rendered or checked"
                + " (.ci/run shows how to install it and does so on CI)");
        copy = tmp.resolve("k8s");
        copyTree(K8S, copy);
        writeTestEnvFiles(copy);
        for (String tree : TREES) {
            String text = kustomize(copy.resolve(tree));
            RENDERED_TEXT.put(tree, text);
            RENDERED.put(tree, parse(tree, text));
        }
    }

    // ---- parsing -----------------------------------------------------------------------------------------------

    @Test
    void everyRenderedDocumentIsAKnownKindWithoutUnknownFields() {
        RENDERED.forEach((tree, docs) -> {
            assertFalse(docs.isEmpty(), tree);
            for (HasMetadata doc : docs) {
                String where = tree + ": " + doc.getKind() + "/" + doc.getMetadata().getName();
                if (CUSTOM_KINDS.containsKey(doc.getKind())) {
                    assertEquals(CUSTOM_KINDS.get(doc.getKind()), doc.getApiVersion(), where);
                } else {
                    assertFalse(doc instanceof GenericKubernetesResource,
                            where + ": apiVersion/kind unknown to the Kubernetes model: " + doc.getApiVersion());
                    assertEquals(doc.getKind(), doc.getClass().getSimpleName(), where);
                    assertNoUnknownFields(doc, where);
                }
            }
        });
    }

    @Test
    void customResourcesCarryTheFieldsTheirOperatorsRequire() {
        RENDERED.forEach((tree, docs) -> docs.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).forEach(r -> {
                    String where = tree + ": " + r.getKind() + "/" + r.getMetadata().getName();
                    JsonNode spec = YAML.valueToTree(r.getAdditionalProperties().get("spec"));
                    assertNotNull(r.getAdditionalProperties().get("spec"), where + " has no spec");
                    switch (r.getKind()) {
                        case "ScaledObject" -> {
                            assertTrue(spec.path("scaleTargetRef").path("name").isTextual(), where);
                            assertTrue(spec.path("minReplicaCount").isInt(), where);
                            assertTrue(spec.path("maxReplicaCount").isInt(), where);
                            assertTrue(spec.path("triggers").isArray() && !spec.path("triggers").isEmpty(), where);
                            for (JsonNode trigger : spec.path("triggers")) {
                                assertEquals("kafka", trigger.path("type").asText(), where);
                                for (String field : List.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold")) {
                                    assertTrue(trigger.path("metadata").path(field).isTextual(), where + " " + field);
                                }
                            }
                        }
                        case "Kafka" -> {
                            assertTrue(spec.path("kafka").path("listeners").isArray(), where);
                            assertEquals("enabled", r.getMetadata().getAnnotations().get("strimzi.io/kraft"), where);
                            assertEquals("enabled", r.getMetadata().getAnnotations().get("strimzi.io/node-pools"), where);
                        }
                        case "KafkaNodePool" -> {
                            assertNotNull(r.getMetadata().getLabels().get("strimzi.io/cluster"), where);
                            assertTrue(spec.path("replicas").isInt(), where);
                            assertTrue(spec.path("roles").isArray(), where);
                            assertTrue(spec.path("storage").path("type").isTextual(), where);
                        }
                        case "KafkaTopic" -> {
                            assertNotNull(r.getMetadata().getLabels().get("strimzi.io/cluster"), where);
                            assertTrue(spec.path("topicName").isTextual(), where);
                            assertTrue(spec.path("partitions").isInt(), where);
                            assertTrue(spec.path("replicas").isInt(), where);
                        }
                        default -> fail(where + ": unexpected custom resource");
                    }
                }));
    }

    // ---- pods --------------------------------------------------------------------------------------------------

    @Test
    void everyPodAndContainerRunsAsNonRootOnAReadOnlyRootWithoutPrivilegesOrCapabilities() {
        forEachPodTemplate((where, pod) -> {
            PodSecurityContext psc = pod.getSpec().getSecurityContext();
            assertNotNull(psc, where + " has no pod securityContext");
            assertEquals(Boolean.TRUE, psc.getRunAsNonRoot(), where);
            assertNotNull(psc.getSeccompProfile(), where);
            assertEquals("RuntimeDefault", psc.getSeccompProfile().getType(), where);
            assertEquals(Boolean.FALSE, pod.getSpec().getAutomountServiceAccountToken(), where);
            for (Container c : containers(pod)) {
                String at = where + " container " + c.getName();
                SecurityContext sc = c.getSecurityContext();
                assertNotNull(sc, at + " has no securityContext");
                assertEquals(Boolean.TRUE, sc.getRunAsNonRoot(), at);
                assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), at);
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), at);
                assertNotEquals(Boolean.TRUE, sc.getPrivileged(), at);
                assertNotNull(sc.getCapabilities(), at);
                assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), at);
                assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), at);
                assertNotNull(sc.getSeccompProfile(), at);
                assertEquals("RuntimeDefault", sc.getSeccompProfile().getType(), at);
            }
        });
    }

    @Test
    void everyContainerHasAWritableTmpOnAnEmptyDirWithASizeLimit() {
        forEachPodTemplate((where, pod) -> {
            Map<String, String> emptyDirs = pod.getSpec().getVolumes().stream()
                    .filter(v -> v.getEmptyDir() != null)
                    .collect(Collectors.toMap(v -> v.getName(), v -> {
                        assertNotNull(v.getEmptyDir().getSizeLimit(), where + " emptyDir " + v.getName() + " unbounded");
                        return v.getName();
                    }));
            for (Container c : containers(pod)) {
                assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")
                                && emptyDirs.containsKey(m.getName())),
                        where + " container " + c.getName() + " has no emptyDir at /tmp");
            }
        });
    }

    @Test
    void everyContainerRequestsAndLimitsEphemeralStorageAndMemory() {
        forEachPodTemplate((where, pod) -> {
            for (Container c : containers(pod)) {
                String at = where + " container " + c.getName();
                assertNotNull(c.getResources(), at);
                Map<String, Quantity> requests = c.getResources().getRequests();
                Map<String, Quantity> limits = c.getResources().getLimits();
                assertNotNull(requests, at + " has no requests");
                assertNotNull(limits, at + " has no limits");
                for (String r : List.of("cpu", "memory", "ephemeral-storage")) {
                    assertTrue(requests.containsKey(r), at + " requests no " + r);
                }
                for (String r : List.of("memory", "ephemeral-storage")) {
                    assertTrue(limits.containsKey(r), at + " limits no " + r);
                    assertTrue(Quantity.getAmountInBytes(limits.get(r)).compareTo(
                            Quantity.getAmountInBytes(requests.get(r))) >= 0, at + " " + r + " limit below request");
                }
                // emptyDirs count against the pod's ephemeral storage: the limits must hold them
                long emptyDirs = pod.getSpec().getVolumes().stream().filter(v -> v.getEmptyDir() != null)
                        .mapToLong(v -> Quantity.getAmountInBytes(v.getEmptyDir().getSizeLimit()).longValue()).sum();
                long podLimit = containers(pod).stream().mapToLong(x -> Quantity.getAmountInBytes(
                        x.getResources().getLimits().get("ephemeral-storage")).longValue()).sum();
                assertTrue(podLimit >= emptyDirs, where + ": ephemeral-storage limits " + podLimit
                        + " below the emptyDirs' " + emptyDirs);
            }
        });
    }

    @Test
    void everyWorkloadSpreadsOverNodes() {
        forEachPodTemplate((where, pod) -> {
            if (where.contains("Job/")) {
                return;
            }
            assertTrue(pod.getSpec().getTopologySpreadConstraints().stream()
                    .anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname")
                            && t.getLabelSelector() != null
                            && selects(t.getLabelSelector(), pod.getMetadata().getLabels())),
                    where + " has no topologySpreadConstraint over kubernetes.io/hostname selecting its pods");
        });
    }

    // ---- secrets and site values -------------------------------------------------------------------------------

    @Test
    void noCommittedManifestCarriesASecretOrAPlaceholderCredential() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (f.getFileName().toString().endsWith(".env")) {
                    continue; // git-ignored local values (see .gitignore); the test renders from *.env.example
                }
                String text = Files.readString(f);
                assertFalse(text.toLowerCase().contains("change-me"), f + " holds a change-me placeholder");
                assertFalse(Pattern.compile("(?m)^kind:\\s*Secret\\s*$").matcher(text).find(), f + " defines a Secret");
            }
        }
        for (Path example : envExamples()) {
            for (String line : Files.readAllLines(example)) {
                if (line.matches("BOOTH_S3_(ACCESS|SECRET)_KEY=.*") || line.startsWith("BOOTH_GATEWAY_MODELS_ADMINS=")) {
                    assertTrue(line.endsWith("="), example + " suggests a value: " + line);
                }
            }
        }
        assertFalse(Files.readString(HOME.resolve("deploy/compose.yaml")).contains("change-me"));
        String gitignore = Files.readString(HOME.resolve(".gitignore"));
        assertTrue(gitignore.contains("/deploy/k8s/overlays/*/*.env\n"), ".gitignore must keep the overlays' env files out");
        assertTrue(gitignore.contains("!/deploy/k8s/overlays/*/*.env.example"), ".gitignore must keep the examples in");
    }

    @Test
    void renderedSecretsComeOnlyFromTheUncommittedEnvFiles() {
        RENDERED.forEach((tree, docs) -> {
            RENDERED_TEXT.get(tree).lines().forEach(l -> assertFalse(l.toLowerCase().contains("change-me"), tree));
            for (HasMetadata doc : docs) {
                if (doc instanceof Secret s) {
                    String where = tree + ": Secret/" + s.getMetadata().getName();
                    assertTrue(s.getMetadata().getName().matches("booth-s3-[a-z0-9]{10}"),
                            where + " is not the generated booth-s3 Secret");
                    assertTrue(s.getStringData() == null || s.getStringData().isEmpty(), where + " has stringData");
                    s.getData().values().forEach(v -> assertTrue(new String(java.util.Base64.getDecoder().decode(v),
                            StandardCharsets.UTF_8).startsWith(TEST_SECRET), where + " holds a value not from the env file"));
                }
            }
        });
        assertTrue(RENDERED.get("base").stream().noneMatch(Secret.class::isInstance), "base must carry no Secret");
    }

    @Test
    void overlaysDoNotRenderWithoutTheirUncommittedEnvFiles() throws Exception {
        for (String overlay : OVERLAYS) {
            Path dir = copy.resolve(overlay);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path env : files.filter(f -> f.getFileName().toString().endsWith(".env")).toList()) {
                    Path aside = env.resolveSibling(env.getFileName() + ".aside");
                    Files.move(env, aside);
                    try {
                        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                                .redirectErrorStream(true).start();
                        p.getInputStream().readAllBytes();
                        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                        assertNotEquals(0, p.exitValue(), overlay + " renders without " + env.getFileName());
                    } finally {
                        Files.move(aside, env);
                    }
                }
            }
        }
    }

    @Test
    void theGatewayNamesNoModelAdminUnlessTheOperatorDoes() {
        for (String overlay : OVERLAYS) {
            Deployment gateway = deployment(overlay, "gateway");
            EnvVar admins = gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                    .filter(e -> e.getName().equals("BOOTH_GATEWAY_MODELS_ADMINS")).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": the gateway does not set its model admins"));
            assertEquals(null, admins.getValue(), overlay + ": a literal admin owner");
            var ref = admins.getValueFrom().getConfigMapKeyRef();
            assertNotEquals(Boolean.TRUE, ref.getOptional(), overlay + ": an optional admin list falls back to 'demo'");
            var map = RENDERED.get(overlay).stream()
                    .filter(d -> d.getKind().equals("ConfigMap") && d.getMetadata().getName().equals(ref.getName()))
                    .map(io.fabric8.kubernetes.api.model.ConfigMap.class::cast).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no ConfigMap " + ref.getName()));
            assertEquals(TEST_ADMIN, map.getData().get(ref.getKey()), overlay + ": admins not from gateway.env");
        }
    }

    // ---- network and disruption --------------------------------------------------------------------------------

    @Test
    void everyWorkloadHasANetworkPolicyAndOneDisruptionBudgetAndTheRestIsDenied() {
        for (String tree : TREES) {
            List<NetworkPolicy> policies = ofKind(tree, NetworkPolicy.class);
            assertTrue(policies.stream().anyMatch(p -> selectsAll(p.getSpec().getPodSelector())
                            && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                            && p.getSpec().getIngress().isEmpty() && p.getSpec().getEgress().isEmpty()),
                    tree + ": no default-deny NetworkPolicy");
            List<PodDisruptionBudget> budgets = ofKind(tree, PodDisruptionBudget.class);
            forEachWorkload(tree, (name, pod) -> {
                Map<String, String> labels = pod.getMetadata().getLabels();
                assertTrue(policies.stream().anyMatch(p -> !selectsAll(p.getSpec().getPodSelector())
                        && selects(p.getSpec().getPodSelector(), labels)), tree + ": no NetworkPolicy for " + name);
                assertEquals(1, budgets.stream().filter(b -> selects(b.getSpec().getSelector(), labels)).count(),
                        tree + ": PodDisruptionBudgets of " + name);
            });
        }
    }

    @Test
    void workersReachOnlyDnsKafkaAndS3AndTheGatewayAlsoWebhooks() {
        for (String tree : TREES) {
            for (String worker : List.of("dataset-service", "trainer-service", "sampler-service", "gateway")) {
                Map<String, String> labels = deployment(tree, worker).getSpec().getTemplate().getMetadata().getLabels();
                Set<Integer> allowed = worker.equals("gateway") ? Set.of(53, 9092, 9000, 443, 80) : Set.of(53, 9092, 9000, 443);
                List<NetworkPolicyEgressRule> rules = ofKind(tree, NetworkPolicy.class).stream()
                        .filter(p -> selects(p.getSpec().getPodSelector(), labels))
                        .flatMap(p -> p.getSpec().getEgress().stream()).toList();
                assertFalse(rules.isEmpty(), tree + ": " + worker + " may reach nothing");
                for (NetworkPolicyEgressRule rule : rules) {
                    assertFalse(rule.getPorts().isEmpty(), tree + ": " + worker + " has an egress rule to every port");
                    assertFalse(rule.getTo().isEmpty(), tree + ": " + worker + " has an egress rule to everywhere");
                    for (NetworkPolicyPort port : rule.getPorts()) {
                        assertTrue(allowed.contains(port.getPort().getIntVal()), tree + ": " + worker + " egress port " + port.getPort());
                    }
                }
                Set<Integer> ports = rules.stream().flatMap(r -> r.getPorts().stream())
                        .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
                assertTrue(ports.containsAll(List.of(53, 9092)), tree + ": " + worker + " cannot reach DNS or Kafka");
                assertTrue(ports.contains(9000) || ports.contains(443), tree + ": " + worker + " cannot reach S3");
                if (worker.equals("gateway")) {
                    assertTrue(ports.contains(443) && ports.contains(80), tree + ": the gateway cannot call webhooks");
                }
            }
        }
    }

    /** Health and metrics are on the gateway's management port, which only the monitoring namespace may reach. */
    @Test
    void theGatewaysHealthAndMetricsAreOnItsManagementPortNotTheApiPort() {
        for (String tree : TREES) {
            PodTemplateSpec pod = deployment(tree, "gateway").getSpec().getTemplate();
            Container gateway = pod.getSpec().getContainers().get(0);
            int management = gateway.getPorts().stream().filter(p -> "management".equals(p.getName()))
                    .findFirst().orElseThrow(() -> new AssertionError(tree + ": the gateway has no management port"))
                    .getContainerPort();
            assertTrue(gateway.getEnv().stream().anyMatch(e -> e.getName().equals("QUARKUS_MANAGEMENT_PORT")
                    && e.getValue().equals(String.valueOf(management))), tree + ": QUARKUS_MANAGEMENT_PORT");
            assertEquals("management", gateway.getReadinessProbe().getHttpGet().getPort().getStrVal(), tree);
            assertEquals("management", gateway.getLivenessProbe().getHttpGet().getPort().getStrVal(), tree);
            assertEquals(String.valueOf(management), pod.getMetadata().getAnnotations().get("prometheus.io/port"), tree);
            Map<String, String> labels = pod.getMetadata().getLabels();
            ofKind(tree, NetworkPolicy.class).stream().filter(p -> selects(p.getSpec().getPodSelector(), labels))
                    .flatMap(p -> p.getSpec().getIngress().stream())
                    .filter(rule -> rule.getPorts().stream().anyMatch(p -> "management".equals(p.getPort().getStrVal())))
                    .forEach(rule -> assertTrue(!rule.getFrom().isEmpty() && rule.getFrom().stream().allMatch(from ->
                            from.getNamespaceSelector() != null && "monitoring".equals(from.getNamespaceSelector()
                                    .getMatchLabels().get("kubernetes.io/metadata.name"))),
                            tree + ": the management port is open to more than the monitoring namespace"));
        }
    }

    @Test
    void strimziPodsStillReachEachOtherUnderTheDefaultDeny() {
        Map<String, String> strimziPod = Map.of("strimzi.io/cluster", "booth", "booth.ai/kafka-broker", "true");
        List<NetworkPolicyEgressRule> rules = ofKind("overlays/gpu-prod", NetworkPolicy.class).stream()
                .filter(p -> !selectsAll(p.getSpec().getPodSelector()) && selects(p.getSpec().getPodSelector(), strimziPod))
                .flatMap(p -> p.getSpec().getEgress().stream()).toList();
        assertTrue(rules.stream().anyMatch(r -> r.getPorts().isEmpty() && r.getTo().stream().anyMatch(peer ->
                        peer.getPodSelector() != null && selects(peer.getPodSelector(), strimziPod))),
                "Strimzi brokers and controllers cannot reach each other");
        String kafka = custom("overlays/gpu-prod", "Kafka").get(0).getMetadata().getName();
        assertEquals("booth", kafka, "the bootstrap service booth-kafka-bootstrap belongs to Kafka 'booth'");
        JsonNode pool = spec(custom("overlays/gpu-prod", "KafkaNodePool").get(0));
        assertEquals("true", pool.path("template").path("pod").path("metadata").path("labels")
                .path("booth.ai/kafka-broker").asText(), "Booth's egress policies find brokers by this label");
    }

    // ---- autoscaling and topics --------------------------------------------------------------------------------

    @Test
    void scaledObjectsScaleExistingDeploymentsOnTheConsumerGroupsTheServicesUse() throws IOException {
        Map<String, List<String[]>> expected = Map.of(
                "trainer-service", List.<String[]>of(channel("trainer-service", "training-requests")),
                "sampler-service", List.of(channel("sampler-service", "generation-requests"),
                        channel("sampler-service", "evaluation-requests")));
        assertEquals("booth-trainer", expected.get("trainer-service").get(0)[0]);
        for (String tree : TREES) {
            List<GenericKubernetesResource> scaled = custom(tree, "ScaledObject");
            assertEquals(Set.of("trainer-service", "sampler-service"), scaled.stream()
                    .map(s -> spec(s).path("scaleTargetRef").path("name").asText()).collect(Collectors.toSet()), tree);
            for (GenericKubernetesResource s : scaled) {
                JsonNode spec = spec(s);
                String target = spec.path("scaleTargetRef").path("name").asText();
                assertNotNull(deployment(tree, target), tree + ": ScaledObject targets a missing Deployment " + target);
                assertEquals(expected.get(target).size(), spec.path("triggers").size(), tree + " " + target
                        + ": one trigger per request channel");
                for (int i = 0; i < expected.get(target).size(); i++) {
                    JsonNode trigger = spec.path("triggers").get(i).path("metadata");
                    String[] channel = expected.get(target).get(i);
                    assertEquals(channel[0], trigger.path("consumerGroup").asText(), tree + " " + target);
                    assertEquals(channel[1], trigger.path("topic").asText(), tree + " " + target);
                    assertEquals("earliest", trigger.path("offsetResetPolicy").asText(),
                            "as the services' auto.offset.reset");
                    assertEquals("false", trigger.path("allowIdleConsumers").asText(), "no replica without a partition");
                    assertEquals("true", trigger.path("limitToPartitionsWithLag").asText(), "no replica without work");
                    assertEquals("booth-kafka-bootstrap.booth.svc:9092", trigger.path("bootstrapServers").asText(),
                            "KEDA runs in its own namespace");
                }
                JsonNode trigger = spec.path("triggers").get(0).path("metadata");
                assertTrue(spec.path("maxReplicaCount").asInt() >= Math.max(1, spec.path("minReplicaCount").asInt()));
                if (target.equals("trainer-service")) {
                    assertEquals("1", trigger.path("lagThreshold").asText(), "one job per trainer");
                    assertTrue(spec.path("cooldownPeriod").asInt() >= 3600, tree + ": trainer cooldown");
                }
            }
        }
        for (GenericKubernetesResource s : custom("overlays/gpu-prod", "ScaledObject")) {
            assertEquals(0, spec(s).path("minReplicaCount").asInt(), "GPU pools scale to zero");
        }
    }

    @Test
    void requestTopicsHaveAtLeastAsManyPartitionsAsTheirMaxReplicas() {
        Map<String, Integer> gpuPartitions = custom("overlays/gpu-prod", "KafkaTopic").stream().collect(Collectors.toMap(
                t -> spec(t).path("topicName").asText(), t -> spec(t).path("partitions").asInt()));
        int cpuPartitions = cpuDevPartitions();
        for (String overlay : OVERLAYS) {
            for (GenericKubernetesResource s : custom(overlay, "ScaledObject")) {
                for (JsonNode trigger : spec(s).path("triggers")) {
                    String topic = trigger.path("metadata").path("topic").asText();
                    int partitions = overlay.endsWith("gpu-prod") ? gpuPartitions.get(topic) : cpuPartitions;
                    assertTrue(partitions >= spec(s).path("maxReplicaCount").asInt(),
                            overlay + ": " + topic + " has " + partitions + " partitions for more replicas");
                }
            }
        }
    }

    @Test
    void requestAndResultTopicsAreKeptForeverEverywhereTheyAreCreated() throws IOException {
        Map<String, JsonNode> gpu = custom("overlays/gpu-prod", "KafkaTopic").stream().collect(Collectors.toMap(
                t -> spec(t).path("topicName").asText(), t -> spec(t)));
        assertEquals(Set.copyOf(Topics.ALL), gpu.keySet(), "gpu-prod KafkaTopics");
        gpu.forEach((topic, spec) -> {
            long retention = spec.path("config").path("retention.ms").asLong();
            assertEquals(Topics.retentionMs(topic), retention, topic + " retention.ms");
            assertTrue(spec.path("replicas").asInt() >= 3, topic);
        });
        String cpuJob = containers(ofKind("overlays/cpu-dev", Job.class).stream()
                .filter(j -> j.getMetadata().getName().equals("booth-topics")).findFirst().orElseThrow()
                .getSpec().getTemplate()).get(0).getArgs().get(0);
        assertTopicScript("cpu-dev topics Job", cpuJob);
        assertTopicScript("compose.yaml", Files.readString(HOME.resolve("deploy/compose.yaml")));
    }

    @Test
    void gpuProdRunsWorkersOnGpuNodesInFloat16FromTheGpuImage() {
        for (String worker : List.of("trainer-service", "sampler-service")) {
            PodTemplateSpec pod = deployment("overlays/gpu-prod", worker).getSpec().getTemplate();
            Container c = pod.getSpec().getContainers().get(0);
            assertEquals("true", pod.getSpec().getNodeSelector().get("booth.ai/gpu"), worker);
            assertTrue(pod.getSpec().getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())), worker);
            assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"), worker);
            assertEquals("gpu", env(c, "BOOTH_ENGINE_DEVICE"), worker);
            assertEquals("float16", env(c, "BOOTH_ENGINE_DTYPE"), worker);
            assertTrue(c.getImage().startsWith("booth/" + worker + "-gpu:"), c.getImage());
            PodTemplateSpec cpu = deployment("overlays/cpu-dev", worker).getSpec().getTemplate();
            assertEquals("cpu", env(cpu.getSpec().getContainers().get(0), "BOOTH_ENGINE_DEVICE"), worker);
            assertTrue(cpu.getSpec().getNodeSelector() == null || cpu.getSpec().getNodeSelector().isEmpty(), worker);
        }
    }

    @Test
    void theGpuImageRunsDjlOfflineOnTheCuda128LibtorchAsTheManifestsUser() throws IOException {
        String dockerfile = Files.readString(HOME.resolve("deploy/docker/worker-gpu.Dockerfile"));
        assertTrue(dockerfile.contains("ARG PYTORCH_IMAGE=pytorch/pytorch:2.7.1-cuda12.8-"), "official PyTorch CUDA 12.8 image");
        for (String env : List.of("PYTORCH_LIBRARY_PATH=/opt/libtorch", "PYTORCH_VERSION=2.7.1", "PYTORCH_FLAVOR=cu128",
                "DJL_OFFLINE=true")) {
            assertTrue(dockerfile.contains(env), "worker-gpu.Dockerfile sets " + env);
        }
        assertTrue(Pattern.compile("(?m)^USER 185$").matcher(dockerfile).find(), "runs as uid 185");
        for (String worker : List.of("trainer-service", "sampler-service")) {
            PodTemplateSpec pod = deployment("overlays/gpu-prod", worker).getSpec().getTemplate();
            assertEquals(185L, pod.getSpec().getSecurityContext().getRunAsUser(), worker + " runs as the image's user");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** [group.id, topic] of an incoming channel in a service's application.properties. */
    static String[] channel(String service, String channel) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(HOME.resolve(service + "/src/main/resources/application.properties"))) {
            p.load(in);
        }
        String prefix = "mp.messaging.incoming." + channel + ".";
        String group = p.getProperty(prefix + "group.id");
        String topic = p.getProperty(prefix + "topic");
        assertNotNull(group, service + " " + channel + " group.id");
        assertNotNull(topic, service + " " + channel + " topic");
        return new String[] {group, topic};
    }

    static int cpuDevPartitions() {
        String job = RENDERED_TEXT.get("overlays/cpu-dev");
        Matcher m = Pattern.compile("--partitions (\\d+)").matcher(job);
        assertTrue(m.find(), "cpu-dev topics Job sets partitions");
        int partitions = Integer.parseInt(m.group(1));
        assertFalse(m.find(), "one partition count in the topics Job");
        return partitions;
    }

    /** A shell script creating topics: every topic of Topics.ALL, all but the expiring ones with retention -1. */
    static void assertTopicScript(String where, String script) {
        for (String topic : Topics.ALL) {
            assertTrue(script.contains(topic), where + " does not create " + topic);
        }
        assertTrue(Pattern.compile("--config \"?retention\\.ms=\\$\\$?2").matcher(script).find()
                        && Pattern.compile("create \"\\$\\$?t\" -1\\s").matcher(script).find(),
                where + ": the topics of the loop are not created with retention.ms=-1");
        for (String topic : EXPIRING_TOPICS) {
            assertTrue(Pattern.compile(Pattern.quote(topic) + "\\s+" + Topics.retentionMs(topic) + "\\s").matcher(script).find(),
                    where + ": " + topic + " does not get retention.ms " + Topics.retentionMs(topic));
        }
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).reduce((a, b) -> b)
                .map(EnvVar::getValue).orElse(null);
    }

    static JsonNode spec(GenericKubernetesResource r) {
        return YAML.valueToTree(r.getAdditionalProperties().get("spec"));
    }

    static List<GenericKubernetesResource> custom(String tree, String kind) {
        return RENDERED.get(tree).stream().filter(d -> d.getKind().equals(kind))
                .map(GenericKubernetesResource.class::cast).toList();
    }

    static <T> List<T> ofKind(String tree, Class<T> type) {
        return RENDERED.get(tree).stream().filter(type::isInstance).map(type::cast).toList();
    }

    static Deployment deployment(String tree, String name) {
        return ofKind(tree, Deployment.class).stream().filter(d -> d.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(tree + ": no Deployment " + name));
    }

    static List<Container> containers(PodTemplateSpec pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        all.addAll(pod.getSpec().getInitContainers());
        return all;
    }

    static boolean selectsAll(LabelSelector selector) {
        return (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            throw new AssertionError("matchExpressions are not used in Booth's manifests: " + selector);
        }
        Map<String, String> match = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        return match.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    interface PodCheck {
        void check(String where, PodTemplateSpec pod);
    }

    /** Deployments and StatefulSets: the long-running workloads. */
    static void forEachWorkload(String tree, PodCheck check) {
        for (HasMetadata doc : RENDERED.get(tree)) {
            if (doc instanceof Deployment d) {
                check.check("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate());
            } else if (doc instanceof StatefulSet s) {
                check.check("StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate());
            }
        }
    }

    /** Every pod template of every tree: workloads and Jobs. */
    static void forEachPodTemplate(PodCheck check) {
        RENDERED.forEach((tree, docs) -> {
            forEachWorkload(tree, (where, pod) -> check.check(tree + ": " + where, pod));
            for (HasMetadata doc : docs) {
                if (doc instanceof Job j) {
                    check.check(tree + ": Job/" + j.getMetadata().getName(), j.getSpec().getTemplate());
                }
            }
        });
    }

    static List<Path> envExamples() throws IOException {
        try (Stream<Path> files = Files.walk(K8S.resolve("overlays"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".env.example")).sorted().toList();
        }
    }

    /** Each overlay's *.env from its *.env.example, with test values where the example leaves them empty. */
    static void writeTestEnvFiles(Path tree) throws IOException {
        try (Stream<Path> files = Files.walk(tree.resolve("overlays"))) {
            for (Path example : files.filter(f -> f.getFileName().toString().endsWith(".env.example")).toList()) {
                List<String> lines = new ArrayList<>();
                for (String line : Files.readAllLines(example)) {
                    if (line.startsWith("BOOTH_S3_ACCESS_KEY=") || line.startsWith("BOOTH_S3_SECRET_KEY=")) {
                        line = line + TEST_SECRET + (line.contains("ACCESS") ? "-access" : "-secret");
                    } else if (line.startsWith("BOOTH_GATEWAY_MODELS_ADMINS=")) {
                        line = "BOOTH_GATEWAY_MODELS_ADMINS=" + TEST_ADMIN;
                    } else if (line.endsWith("=")) {
                        line = line + "https://test.invalid";
                    }
                    lines.add(line);
                }
                String name = example.getFileName().toString();
                Files.write(example.resolveSibling(name.substring(0, name.length() - ".example".length())), lines);
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().endsWith(".env")) {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static String kustomize(Path dir) throws Exception {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
        byte[] err;
        String out;
        try (InputStream stdout = p.getInputStream(); InputStream stderr = p.getErrorStream()) {
            var errRead = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread t = new Thread(() -> {
                try {
                    errRead.complete(stderr.readAllBytes());
                } catch (IOException e) {
                    errRead.completeExceptionally(e);
                }
            });
            t.start();
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            err = errRead.get(60, TimeUnit.SECONDS);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " did not finish");
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ":\n" + new String(err, StandardCharsets.UTF_8));
        return out;
    }

    static List<HasMetadata> parse(String tree, String text) throws IOException {
        List<HasMetadata> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(text)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node == null || node.isNull() || node.isEmpty()) {
                    continue;
                }
                String kind = node.path("kind").asText();
                Object parsed = CUSTOM_KINDS.containsKey(kind)
                        ? YAML.treeToValue(node, GenericKubernetesResource.class)
                        : YAML.treeToValue(node, KubernetesResource.class);
                assertTrue(parsed instanceof HasMetadata, tree + ": not a resource: " + node);
                docs.add((HasMetadata) parsed);
            }
        }
        return docs;
    }

    static boolean commandExists(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    /** Fails on any field the typed model did not know (fabric8 keeps those in additionalProperties). */
    static void assertNoUnknownFields(Object root, String where) {
        walk(root, where, new IdentityHashMap<>());
    }

    private static void walk(Object o, String path, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                walk(x, path + "[" + i++ + "]", seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method method : o.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
                    || !method.getName().startsWith("get") || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = method.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (method.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    fail(path + ": fields unknown to " + o.getClass().getSimpleName() + ": " + extra.keySet());
                }
                continue;
            }
            walk(value, path + "." + method.getName().substring(3), seen);
        }
    }
}
