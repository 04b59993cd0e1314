package ai.booth.gateway.job;

import ai.booth.gateway.http.Problem;
import ai.booth.gateway.http.ProblemException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewHistoryTest {

    private static final TopicPartition TRAININGS = new TopicPartition("booth.training.completed", 0);

    @Test
    void whileTheHistoryIsReplayingAnswersAre503WithTheRecordsLeftThenNothingStopsThem() {
        ViewProgress progress = new ViewProgress();
        progress.target(Map.of(TRAININGS, new long[]{0, 40}));
        progress.handled(TRAININGS.topic(), 0, 9);
        ViewHistory history = new ViewHistory(progress, null, null);

        ProblemException e = assertThrows(ProblemException.class,
                () -> history.require("tell whether training 't1' exists"));
        Problem problem = e.problem("/api/v1/trainings/t1");
        assertEquals(503, problem.status());
        assertTrue(problem.type().endsWith("history-replaying"), problem.type());
        assertTrue(problem.detail().contains("(30 records left), so it cannot tell whether training 't1' exists"),
                problem.detail());

        progress.handled(TRAININGS.topic(), 0, 39);
        assertDoesNotThrow(() -> history.require("tell whether training 't1' exists"));
    }

    @Test
    void aBrokerThatCannotSayWhereTheHistoryEndsIs503Unavailable() {
        ViewHistory history = new ViewHistory(new ViewProgress(), null, null); // no admin: the broker cannot answer
        Problem problem = assertThrows(ProblemException.class, () -> history.require("start jobs")).problem("/");
        assertEquals(503, problem.status());
        assertTrue(problem.type().endsWith("history-unavailable"), problem.type());
        assertTrue(problem.detail().contains("cannot start jobs"), problem.detail());
    }
}
