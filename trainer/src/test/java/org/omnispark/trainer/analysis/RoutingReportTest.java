package org.omnispark.trainer.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingReportTest {

    private static RoutingReport fixtureReport() {
        RoutingStatistics s = RoutingFixtures.newStats();
        s.add(RoutingFixtures.TOP, RoutingFixtures.VALID);
        return s.report();
    }

    @Test
    void jsonHasSnakeCaseFieldsWithShapesAndValues() throws Exception {
        RoutingReport r = fixtureReport();
        JsonNode n = new ObjectMapper().readTree(r.toJson());
        assertEquals(3, n.get("layers").asInt());
        assertEquals(3, n.get("experts").asInt());
        assertEquals(6, n.get("tokens").asLong());
        // shapes: usage [L][E], conditional [L][L][E][E], agreement / nmi [L][L], entropy / cv [L]
        assertEquals(3, n.get("usage").size());
        assertEquals(3, n.get("usage").get(0).size());
        assertEquals(3, n.get("conditional").get(2).get(1).get(0).size());
        assertEquals(3, n.get("agreement").get(1).size());
        assertEquals(3, n.get("nmi").size());
        assertEquals(3, n.get("entropy").size());
        assertEquals(3, n.get("cv").size());
        // conditional[1][0][1] = (0, .5, .5) and the empty row [1][0][2] is zeros (see RoutingStatisticsTest)
        assertEquals(0.5, n.get("conditional").get(1).get(0).get(1).get(2).asDouble(), 0);
        assertEquals(0.0, n.get("conditional").get(1).get(0).get(2).get(0).asDouble(), 0);
        assertEquals(4, n.get("usage_counts").get(0).get(1).asLong());
        assertEquals(4 / 6.0, n.get("agreement").get(0).get(1).asDouble(), 1e-15);
        assertEquals(Math.log(3), n.get("max_entropy").asDouble(), 1e-15);
        String note = n.get("notes").get("conditional").asText();
        assertTrue(note.contains("all zero"), "the JSON must say that empty conditional rows are zero: " + note);
    }

    @Test
    void jsonRoundTrip(@TempDir Path dir) throws Exception {
        RoutingReport r = fixtureReport();
        Path file = dir.resolve("sub/routing.json");
        r.writeJson(file);
        RoutingReport back = RoutingReport.fromJson(Files.readString(file));
        assertEquals(r.tokens(), back.tokens());
        assertArrayEquals(r.usageCounts()[1], back.usageCounts()[1]);
        assertArrayEquals(r.nmi()[0], back.nmi()[0], 0, "doubles survive the JSON text exactly");
        assertArrayEquals(r.conditional(1, 0)[1], back.conditional(1, 0)[1], 0);
        assertEquals(r.toJson(), back.toJson(), "second serialization is identical");
        assertThrows(IllegalArgumentException.class, () -> RoutingReport.fromJson("{\"layers\": 3}"));
    }
}
