package ai.booth.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free ports for servers that must know their port before they bind (Kafka advertises it, services are told theirs).
 * All sockets stay open until every port is picked: picked one at a time, the system may hand out one port twice.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** The given ports, with each 0 replaced by a distinct free port. */
    public static int[] freeIfZero(int... ports) {
        int[] chosen = ports.clone();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < chosen.length; i++) {
                if (chosen[i] == 0) {
                    ServerSocket socket = new ServerSocket(0);
                    held.add(socket);
                    chosen[i] = socket.getLocalPort();
                }
            }
            return chosen;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket that was never used
                }
            }
        }
    }

    /** {@code count} distinct free ports. */
    public static int[] any(int count) {
        return freeIfZero(new int[count]);
    }
}
