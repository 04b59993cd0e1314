package ai.booth.gateway.job;

import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.ProblemException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only literal addresses and a scripted resolver: nothing here resolves a name over the network or connects. */
class CallbackPolicyTest {

    /** Literal IPs resolve to themselves; names are looked up in a table, never in DNS. */
    private static CallbackPolicy.Resolver table(Map<String, String> names) {
        return host -> {
            String address = names.get(host);
            if (address == null && !host.matches("[0-9a-fA-F.:]+")) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(address != null ? address : host)};
        };
    }

    private static String refusal(CallbackPolicy policy, String url) {
        Checks checks = new Checks();
        policy.check(checks, "callbackUrl", url);
        try {
            checks.done();
            return null;
        } catch (ProblemException e) {
            assertEquals(400, e.status());
            assertEquals("callbackUrl", e.problem("/").errors().get(0).field());
            return e.problem("/").errors().get(0).message();
        }
    }

    @Test
    void internalAddressesAreRefusedInEveryForm() {
        CallbackPolicy policy = new CallbackPolicy(List.of(), table(Map.of()));
        for (String url : List.of("http://127.0.0.1/", "http://127.9.9.9:8080/x", "http://10.0.0.1/",
                "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest",
                "http://169.254.1.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/",
                "http://255.255.255.255/", "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fd00::1]/",
                "http://[fc00::1]/", "http://[ff02::1]/", "http://[fd00:ec2::254]/", "http://[::ffff:10.0.0.1]/",
                "http://[::ffff:a9fe:a9fe]/", "http://[::127.0.0.1]/", "http://[64:ff9b::a00:1]/",
                "http://[2002:a9fe:a9fe::1]/", "https://2130706433/")) {
            String why = refusal(policy, url);
            assertNotNull(why, url + " must be refused");
            assertTrue(why.startsWith("is refused"), url + ": " + why);
        }
    }

    @Test
    void theMetadataAddressIsNamedAsSuch() {
        assertTrue(refusal(new CallbackPolicy(List.of(), table(Map.of())), "http://169.254.169.254/")
                .contains("metadata"));
    }

    @Test
    void publicAddressesAndNamesThatResolveToThemPass() throws Exception {
        CallbackPolicy policy = new CallbackPolicy(List.of(), table(Map.of("hooks.example.com", "93.184.216.34")));
        assertNull(refusal(policy, "https://hooks.example.com/booth?x=1"));
        assertNull(refusal(policy, "http://8.8.8.8/"));
        assertNull(refusal(policy, "http://[2606:4700::1111]/"));
        assertNull(refusal(policy, "http://172.32.0.1/"), "just outside 172.16/12");
        assertEquals(List.of(InetAddress.getByName("93.184.216.34")),
                policy.permitted(URI.create("https://hooks.example.com/booth")));
    }

    @Test
    void aNameThatResolvesToAnInternalAddressIsRefusedNamingTheAddress() {
        CallbackPolicy policy = new CallbackPolicy(List.of(), table(Map.of("minio.internal", "10.1.2.3",
                "localhost", "127.0.0.1")));
        assertTrue(refusal(policy, "http://minio.internal:9000/bucket").contains("10.1.2.3"));
        assertTrue(refusal(policy, "http://localhost/").contains("loopback"));
        assertTrue(refusal(policy, "http://nowhere.invalid/").contains("does not resolve"));
    }

    @Test
    void syntaxStillComesFirst() {
        CallbackPolicy policy = new CallbackPolicy(List.of(), table(Map.of()));
        assertTrue(refusal(policy, "ftp://8.8.8.8/").contains("http or https"));
        assertTrue(refusal(policy, "http:///nohost").contains("http or https"));
        assertTrue(refusal(policy, "https://0x7f.1/").contains("http or https"), "no host a URI accepts");
        assertTrue(refusal(policy, "https://8.8.8.8/" + "a".repeat(3000)).contains("at most 2048"));
        assertNull(refusal(policy, null));
    }

    @Test
    void theAllowListLetsOnPremReceiversThroughByCidrOrHost() {
        CallbackPolicy policy = new CallbackPolicy(List.of("10.20.0.0/16", " 127.0.0.1 ", "fd00:1::/32",
                "hooks.corp.internal"), table(Map.of("hooks.corp.internal", "192.168.7.7")));
        assertNull(refusal(policy, "http://10.20.3.4/"));
        assertNull(refusal(policy, "http://127.0.0.1:8080/hook"));
        assertNull(refusal(policy, "http://[fd00:1:2::3]/"));
        assertNull(refusal(policy, "http://hooks.corp.internal/"));
        assertNotNull(refusal(policy, "http://10.21.0.1/"));
        assertNotNull(refusal(policy, "http://127.0.0.2/"));
        assertNotNull(refusal(policy, "http://169.254.169.254/"));
    }

    @Test
    void aBadAllowEntryIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> new CallbackPolicy(List.of("10.0.0.0/33"),
                table(Map.of())));
        assertThrows(IllegalArgumentException.class, () -> new CallbackPolicy(List.of("corp/16"),
                table(Map.of())));
    }

    @Test
    void aNameThatRebindsToAnInternalAddressAfterTheRequestIsRefusedAtDelivery() throws Exception {
        Deque<String> answers = new ArrayDeque<>(List.of("93.184.216.34", "127.0.0.1"));
        CallbackPolicy policy = new CallbackPolicy(List.of(), host -> new InetAddress[] {
                InetAddress.getByName(answers.size() > 1 ? answers.pop() : answers.peek())});
        URI url = URI.create("https://rebind.example.com/hook");
        assertNull(refusal(policy, url.toString()), "public when the job is requested");
        CallbackPolicy.Refused refused = assertThrows(CallbackPolicy.Refused.class, () -> policy.permitted(url));
        assertTrue(refused.getMessage().contains("127.0.0.1"), refused.getMessage());
    }
}
