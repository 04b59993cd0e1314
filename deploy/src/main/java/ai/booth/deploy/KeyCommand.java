package ai.booth.deploy;

import ai.booth.infra.BoothHome;
import ai.booth.keys.ApiKey;
import ai.booth.keys.ApiKeyStore;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code ./booth key create --owner NAME [--name TEXT] [--tier TIER] | list | revoke ID}: API keys of the local
 * stack, in {@code $BOOTH_DATA/gateway/keys.tsv}. A running gateway sees changes at once. A new key is printed once.
 */
public final class KeyCommand {

    static final String USAGE = "usage: ./booth key create --owner NAME [--name TEXT] [--tier standard|unlimited]"
            + " | ./booth key list | ./booth key revoke ID";

    public static void main(String[] args) {
        StackSettings settings = StackSettings.fromEnvironment(BoothHome.root(), System.getenv());
        System.exit(run(new ApiKeyStore(settings.keysFile()), List.of(args), System.out, System.err));
    }

    /** Runs one command; answers the exit code (2 for bad arguments). */
    static int run(ApiKeyStore keys, List<String> args, PrintStream out, PrintStream err) {
        try {
            String command = args.isEmpty() ? "" : args.get(0);
            switch (command) {
                case "create" -> {
                    ApiKeyStore.Created created = keys.create(option(args, "--owner", null),
                            option(args, "--name", "cli"), option(args, "--tier", "standard"));
                    out.println(created.keyText());
                    err.println("API key " + created.key().id() + " for owner " + created.key().ownerId()
                            + " (tier " + created.key().tier() + "); it is shown only now. Webhook secret: "
                            + created.key().webhookSecret());
                }
                case "list" -> {
                    for (ApiKey key : keys.list()) {
                        out.printf("%s  owner %-16s tier %-10s created %s  %s%n", key.id(), key.ownerId(), key.tier(),
                                key.created(), key.name());
                    }
                }
                case "revoke" -> {
                    if (args.size() != 2) {
                        throw new IllegalArgumentException("revoke takes one key id (see ./booth key list)");
                    }
                    if (!keys.revoke(args.get(1))) {
                        throw new IllegalArgumentException("no API key with id '" + args.get(1) + "'");
                    }
                    out.println("revoked " + args.get(1));
                }
                default -> throw new IllegalArgumentException("unknown command '" + command + "'");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("booth key: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        if (at < 0) {
            if (fallback == null) {
                throw new IllegalArgumentException(name + " is required");
            }
            return fallback;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args.get(at + 1);
    }

    private KeyCommand() {
    }
}
