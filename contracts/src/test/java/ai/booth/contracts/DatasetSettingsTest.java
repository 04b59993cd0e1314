package ai.booth.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetSettingsTest {

    @Test
    void absentFieldsTakeTheDefaults() {
        assertEquals(DatasetSettings.DEFAULT, DatasetSettings.of(null, null, null, null));
        assertEquals(new DatasetSettings("centre", 768, true, false), DatasetSettings.of(" Center ", 768, true, false));
        assertEquals(List.of(), DatasetSettings.DEFAULT.problems());
    }

    @Test
    void problemsNameEachBadField() {
        DatasetSettings bad = new DatasetSettings("fill", 500, false, true);
        List<String> problems = bad.problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("cropMode") && problems.get(0).contains("'fill'"), problems.get(0));
        assertTrue(problems.get(1).contains("multiple of 8") && problems.get(1).contains("500"), problems.get(1));
        assertEquals(List.of(), new DatasetSettings("pad", 1024, false, true).problems());
        assertTrue(new DatasetSettings("pad", 4096, false, true).problems().get(0).contains("4096"));
        var error = assertThrows(IllegalArgumentException.class, bad::validated);
        assertTrue(error.getMessage().contains("cropMode") && error.getMessage().contains("resolution"));
    }

    @Test
    void datasetKeysFollowTheLayout() {
        assertEquals("o/ds/processed/v3/00.png", Buckets.datasetProcessedKey("o", "ds", 3, "00.png"));
        assertEquals("o/ds/report.json", Buckets.datasetReportKey("o", "ds"));
        assertThrows(IllegalArgumentException.class, () -> Buckets.datasetProcessedPrefix("o", "ds", 0));
    }
}
