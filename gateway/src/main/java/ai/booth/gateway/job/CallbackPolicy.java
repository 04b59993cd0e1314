package ai.booth.gateway.job;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.Checks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where webhooks may go. A {@code callbackUrl} is an absolute http(s) URL whose host resolves only to public
 * addresses: loopback, private (RFC 1918, unique-local), link-local (with the cloud metadata address
 * 169.254.169.254), carrier-grade NAT, multicast, unspecified and reserved addresses are refused, in IPv4 and IPv6
 * alike, IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) by the address they carry. On-prem
 * receivers are let through by {@code booth.gateway.webhooks.allow}: CIDRs ({@code 10.20.0.0/16},
 * {@code fd00::/8}) or host names. The check runs when the job is requested (400 naming the field) and again at
 * every delivery, whose connection then goes to exactly the addresses checked (see {@link Webhooks}), so a DNS
 * answer that changes between check and call (rebinding) cannot reach an internal address.
 */
@ApplicationScoped
public class CallbackPolicy {

    /** Resolves a host name; literal addresses resolve to themselves without DNS. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL the policy refuses, and why. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private record Cidr(byte[] network, int bits) {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((bytes[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Cidr> allowedNetworks = new ArrayList<>();
    private final List<String> allowedHosts = new ArrayList<>();
    private final Resolver resolver;

    @Inject
    public CallbackPolicy(GatewayConfig config) {
        this(config.webhooks().allow().orElse(List.of()), InetAddress::getAllByName);
    }

    CallbackPolicy(List<String> allow, Resolver resolver) {
        this.resolver = resolver;
        for (String entry : allow) {
            String text = entry.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.contains("/")) {
                allowedNetworks.add(cidr(text));
            } else if (isLiteral(text)) {
                allowedNetworks.add(cidr(text + (text.contains(":") ? "/128" : "/32")));
            } else {
                allowedHosts.add(text.toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Validates a {@code callbackUrl} field of a request (absent is fine): syntax, then where it leads. */
    public void check(Checks checks, String field, String value) {
        if (value == null) {
            return;
        }
        if (value.length() > 2048) {
            checks.length(field, value, 2048);
            return;
        }
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            checks.fail(field, "is not a URL: " + e.getMessage());
            return;
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            checks.fail(field, "must be an absolute http or https URL, got '" + value + "'");
            return;
        }
        try {
            permitted(uri);
        } catch (Refused e) {
            checks.fail(field, e.getMessage());
        }
    }

    /**
     * The addresses a callback to {@code url} may connect to: all those its host resolves to now, each checked.
     * Throws when the host does not resolve or any address is refused.
     */
    List<InetAddress> permitted(URI url) throws Refused {
        String host = url.getHost();
        if (host == null) {
            throw new Refused("is refused: it has no host");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new Refused("is refused: host '" + bare + "' does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("is refused: host '" + bare + "' does not resolve");
        }
        if (allowedHosts.contains(bare.toLowerCase(Locale.ROOT))) {
            return List.of(addresses);
        }
        for (InetAddress address : addresses) {
            if (allowedNetworks.stream().anyMatch(cidr -> cidr.contains(address))) {
                continue;
            }
            String why = internal(address);
            if (why != null) {
                throw new Refused("is refused: host '" + bare + "' resolves to " + address.getHostAddress() + ", "
                        + why + "; webhooks go to public addresses only (an operator can allow on-prem receivers"
                        + " with booth.gateway.webhooks.allow)");
            }
        }
        return List.of(addresses);
    }

    /** Why a webhook must not go to this address, or null for a public one. */
    static String internal(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return internal4(b);
        }
        if (!(address instanceof Inet6Address)) {
            return "not an IP address";
        }
        boolean zeroTo80 = allZero(b, 0, 10);
        if (zeroTo80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return described("an IPv4-mapped", internal4(Arrays.copyOfRange(b, 12, 16)));
        }
        if (allZero(b, 0, 16)) {
            return "the unspecified address";
        }
        if (allZero(b, 0, 15) && b[15] == 1) {
            return "a loopback address";
        }
        if (allZero(b, 0, 12)) {
            return described("an IPv4-compatible", internal4(Arrays.copyOfRange(b, 12, 16)));
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0xff) {
            return "a multicast address";
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return "a link-local address";
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return "a site-local address";
        }
        if ((first & 0xfe) == 0xfc) {
            return "a private (unique-local) address";
        }
        if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
            return described("a NAT64", internal4(Arrays.copyOfRange(b, 12, 16)));
        }
        if (first == 0x20 && second == 0x02) {
            return described("a 6to4", internal4(Arrays.copyOfRange(b, 2, 6)));
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0) {
            return "a Teredo tunnel address";
        }
        if (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return "a documentation address";
        }
        return null;
    }

    private static String internal4(byte[] b) {
        int a = b[0] & 0xff;
        int c = b[1] & 0xff;
        if (a == 0) {
            return "the unspecified (this-network) address";
        }
        if (a == 127) {
            return "a loopback address";
        }
        if (a == 10 || (a == 172 && c >= 16 && c <= 31) || (a == 192 && c == 168)) {
            return "a private address";
        }
        if (a == 169 && c == 254) {
            return (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254 ? "the cloud metadata address"
                    : "a link-local address";
        }
        if (a == 100 && (c & 0xc0) == 64) {
            return "a shared (carrier-grade NAT) address";
        }
        if (a == 192 && c == 0 && (b[2] & 0xff) == 0) {
            return "an IETF protocol address";
        }
        if (a == 198 && (c == 18 || c == 19)) {
            return "a benchmarking address";
        }
        if ((a == 192 && c == 0 && (b[2] & 0xff) == 2) || (a == 198 && c == 51 && (b[2] & 0xff) == 100)
                || (a == 203 && c == 0 && (b[2] & 0xff) == 113)) {
            return "a documentation address";
        }
        if (a >= 224 && a <= 239) {
            return "a multicast address";
        }
        if (a >= 240) {
            return "a reserved or broadcast address";
        }
        return null;
    }

    private static String described(String form, String why) {
        return why == null ? null : form + " form of " + why;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLiteral(String text) {
        return text.contains(":") || text.matches("[0-9.]+");
    }

    private static Cidr cidr(String text) {
        int slash = text.indexOf('/');
        String address = text.substring(0, slash);
        if (!isLiteral(address)) {
            throw new IllegalArgumentException("booth.gateway.webhooks.allow: '" + text + "' is not a CIDR");
        }
        try {
            byte[] network = InetAddress.getByName(address).getAddress(); // a literal: no DNS
            int bits = Integer.parseInt(text.substring(slash + 1));
            if (bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("booth.gateway.webhooks.allow: '" + text + "' has a prefix"
                        + " length outside 0-" + network.length * 8);
            }
            return new Cidr(network, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("booth.gateway.webhooks.allow: '" + text + "' is not a CIDR", e);
        }
    }
}
