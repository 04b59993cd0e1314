package ai.booth.service.handoff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The jobs of the simulation and what they leave: an outcome store with the workers' rule (a job whose outcome
 * exists is answered from it, not run again), and a record of every run, to tell a job that ran on two workers at
 * once or ran to completion twice. A job is two steps of 5 ms; every 25th takes a second, long enough
 * for a worker that joins to be handed its partition mid-run (without the handoff it would start it alongside).
 */
final class SimulatedJobs {

    private static final long STEP_MILLIS = 5;

    private final Map<String, String> outcomes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger handedOver = new AtomicInteger();

    static String id(int i) {
        return String.format("job-%04d", i);
    }

    private static int steps(String id) {
        return Integer.parseInt(id.substring(4)) % 25 == 0 ? 200 : 2;
    }

    /**
     * Runs a job unless its outcome exists; true when it reached its outcome (ack it), false when it stopped at a
     * step boundary ({@code stop}: handed over or shutting down) or died ({@code crashed}).
     */
    boolean run(String id, String worker, BooleanSupplier stop, BooleanSupplier crashed) {
        if (outcomes.containsKey(id)) {
            return true;
        }
        if (!running.add(id)) {
            violations.add(id + " started on " + worker + " while it ran on another worker");
        }
        try {
            for (int step = 0; step < steps(id); step++) {
                if (crashed.getAsBoolean()) {
                    return false;
                }
                if (stop.getAsBoolean()) {
                    handedOver.incrementAndGet();
                    return false;
                }
                Thread.sleep(STEP_MILLIS);
            }
            completions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            String first = outcomes.putIfAbsent(id, worker);
            if (first != null) {
                violations.add(id + " got a second outcome from " + worker + " (first from " + first + ")");
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            running.remove(id);
        }
    }

    int outcomes() {
        return outcomes.size();
    }

    Set<String> withOutcome() {
        return Set.copyOf(outcomes.keySet());
    }

    Map<String, Integer> completedMoreThanOnce() {
        Map<String, Integer> twice = new java.util.TreeMap<>();
        completions.forEach((id, n) -> {
            if (n.get() > 1) {
                twice.put(id, n.get());
            }
        });
        return twice;
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    /** How many runs stopped at a step boundary (handed over in a rebalance, or their worker stopping). */
    int stoppedAtBoundary() {
        return handedOver.get();
    }
}
