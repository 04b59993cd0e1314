package ai.booth.gateway.job;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewProgressTest {

    private static final TopicPartition REQUESTED_0 =
            new TopicPartition("booth.generation.requested", 0);
    private static final TopicPartition REQUESTED_1 =
            new TopicPartition("booth.generation.requested", 1);
    private static final TopicPartition COMPLETED_0 =
            new TopicPartition("booth.generation.completed", 0);

    @Test
    void theViewsAreBehindUntilEveryPartitionHandledTheRecordBeforeItsEndOffset() {
        ViewProgress progress = new ViewProgress();
        progress.target(Map.of(REQUESTED_0, new long[]{0, 3}, REQUESTED_1, new long[]{0, 1},
                COMPLETED_0, new long[]{0, 2}));
        assertEquals(Map.of(REQUESTED_0, 3L, REQUESTED_1, 1L, COMPLETED_0, 2L), progress.behind());

        progress.handled(REQUESTED_0.topic(), 0, 0);
        progress.handled(REQUESTED_0.topic(), 0, 2);
        progress.handled(REQUESTED_1.topic(), 1, 0);
        assertEquals(Map.of(COMPLETED_0, 2L), progress.behind(), "the other channel's partition is still behind");

        progress.handled(COMPLETED_0.topic(), 0, 1);
        assertTrue(progress.behind().isEmpty());
    }

    @Test
    void emptyOrExpiredPartitionsNeedNothingAndLaterRecordsAreNews() {
        ViewProgress progress = new ViewProgress();
        progress.target(Map.of(REQUESTED_0, new long[]{0, 0}, COMPLETED_0, new long[]{5, 5}));
        assertTrue(progress.behind().isEmpty(), "nothing to replay: ready at once");
        progress.target(Map.of(REQUESTED_0, new long[]{0, 9}));
        assertTrue(progress.behind().isEmpty(), "the target is set once: records after it do not hold readiness back");
    }

    @Test
    void onceCaughtUpTheViewsStayCaughtUp() {
        ViewProgress progress = new ViewProgress();
        assertFalse(progress.hasTarget());
        progress.target(Map.of(REQUESTED_0, new long[]{2, 4}));
        assertTrue(progress.hasTarget());
        assertEquals(Map.of(REQUESTED_0, 2L), progress.behind(), "from the first offset still kept");
        progress.handled(REQUESTED_0.topic(), 0, 3);
        assertTrue(progress.behind().isEmpty());
        progress.handled(REQUESTED_0.topic(), 0, 1); // a late, lower offset changes nothing
        assertTrue(progress.behind().isEmpty());
    }

    @Test
    void recordsPublishedBeforeGivenOffsetsAreReadOnceEveryPartitionHandledTheOneBeforeItsEnd() {
        ViewProgress progress = new ViewProgress();
        Map<TopicPartition, long[]> now = Map.of(REQUESTED_0, new long[]{0, 2}, REQUESTED_1, new long[]{4, 4});
        assertFalse(progress.reached(now));
        progress.handled(REQUESTED_0.topic(), 0, 0);
        assertFalse(progress.reached(now), "offset 1 is not read yet");
        progress.handled(REQUESTED_0.topic(), 0, 1);
        assertTrue(progress.reached(now), "an empty partition needs nothing");
        assertFalse(progress.reached(Map.of(COMPLETED_0, new long[]{0, 1})), "another topic's record is not read");
    }
}
