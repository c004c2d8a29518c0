package org.omnispark.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Defaults, validation and the map / JSON / Java-serialization round trips of {@link FbankOptions}. */
class FbankOptionsTest {

    @Test
    void defaultsAreKaldisExceptDitherAndMelBins() {
        FbankOptions o = FbankOptions.defaults();
        assertEquals(16000.0, o.sampleFrequency());
        assertEquals(25.0, o.frameLengthMs());
        assertEquals(10.0, o.frameShiftMs());
        assertEquals(0.0, o.dither(), "OmniSpark: deterministic");
        assertEquals(0.97, o.preemphasisCoefficient());
        assertTrue(o.removeDcOffset());
        assertEquals(WindowType.POVEY, o.windowType());
        assertTrue(o.roundToPowerOfTwo());
        assertTrue(o.snipEdges());
        assertEquals(80, o.numMelBins());
        assertEquals(20.0, o.lowFreq());
        assertEquals(0.0, o.highFreq());
        assertEquals(0.0, o.energyFloor());
        assertEquals(false, o.useEnergy());
        assertTrue(o.rawEnergy());
        assertTrue(o.useLogFbank());
        assertTrue(o.usePower());
        assertEquals(32768.0, o.inputScale());
        assertEquals(0.42, o.blackmanCoeff());
        // 16000 * 0.001 * 25 = 400 samples, padded to 512; shift 160; high 0 -> Nyquist 8000
        assertEquals(400, o.windowSize());
        assertEquals(160, o.windowShift());
        assertEquals(512, o.paddedWindowSize());
        assertEquals(8000.0, o.effectiveHighFreq());
        assertEquals(80, o.dim());
    }

    @Test
    void derivedSizes() {
        FbankOptions o = FbankOptions.builder().optSampleFrequency(8000).optHighFreq(-400).optUseEnergy(true).build();
        assertEquals(200, o.windowSize(), "8000 * 0.001 * 25");
        assertEquals(256, o.paddedWindowSize(), "next power of two of 200");
        assertEquals(3600.0, o.effectiveHighFreq(), "4000 - 400");
        assertEquals(81, o.dim(), "80 + energy");
        assertEquals(512, FbankOptions.builder().optFrameLengthMs(32).build().paddedWindowSize(), "512 stays");
        assertEquals(400, FbankOptions.builder().optRoundToPowerOfTwo(false).build().paddedWindowSize());
    }

    @Test
    void mapRoundTripKeepsEveryOption() {
        FbankOptions o = FbankOptions.builder().optSampleFrequency(8000).optFrameLengthMs(20).optFrameShiftMs(5)
                .optDither(1.0).optPreemphasisCoefficient(0.5).optRemoveDcOffset(false)
                .optWindowType(WindowType.BLACKMAN).optRoundToPowerOfTwo(false).optSnipEdges(false)
                .optNumMelBins(23).optLowFreq(64).optHighFreq(-100).optEnergyFloor(1.0).optUseEnergy(true)
                .optRawEnergy(false).optUseLogFbank(false).optUsePower(false).optInputScale(1.0)
                .optBlackmanCoeff(0.4).build();
        Map<String, Object> map = o.toMap();
        assertEquals(FbankOptions.KEYS, List.copyOf(map.keySet()), "every key, in order");
        assertEquals("blackman", map.get("window_type"));
        assertEquals(o, FbankOptions.fromMap(map));
        assertEquals(o, o.toBuilder().build());
    }

    @Test
    void jsonRoundTripAsStoredWithTheData() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        FbankOptions o = FbankOptions.builder().optNumMelBins(40).optWindowType(WindowType.HAMMING).build();
        String json = mapper.writeValueAsString(o.toMap());
        Map<String, Object> back = mapper.readValue(json, new TypeReference<Map<String, Object>>() { });
        // JSON turns 16000.0 into an Integer or Double and 40 into an Integer: fromMap accepts any Number.
        assertEquals(o, FbankOptions.fromMap(back), json);
    }

    @Test
    void javaSerializationRoundTrip() throws Exception {
        FbankOptions o = FbankOptions.builder().optWindowType(WindowType.HANNING).optDither(0.5).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(o, in.readObject());
        }
    }

    @Test
    void fromMapNamesAnUnknownKeyAndTheValidOnes() {
        Map<String, Object> map = new HashMap<>(FbankOptions.defaults().toMap());
        map.put("frame_len", 25.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FbankOptions.fromMap(map));
        assertTrue(e.getMessage().contains("'frame_len'") && e.getMessage().contains("frame_length_ms"),
                e.getMessage());
    }

    @Test
    void fromMapFillsAbsentKeysWithDefaultsAndChecksTypes() {
        assertEquals(FbankOptions.builder().optNumMelBins(23).build(), FbankOptions.fromMap(Map.of("num_mel_bins", 23)));
        assertThrows(IllegalArgumentException.class, () -> FbankOptions.fromMap(Map.of("num_mel_bins", 23.5)));
        assertThrows(IllegalArgumentException.class, () -> FbankOptions.fromMap(Map.of("snip_edges", "yes")));
        assertThrows(IllegalArgumentException.class, () -> FbankOptions.fromMap(Map.of("dither", "1.0")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FbankOptions.fromMap(Map.of("window_type", "gauss")));
        assertTrue(e.getMessage().contains("povey"), e.getMessage());
    }

    @Test
    void invalidCombinationsAreRejectedWithAHint() {
        assertInvalid("low_freq", FbankOptions.builder().optLowFreq(8000));
        assertInvalid("high_freq", FbankOptions.builder().optHighFreq(9000));
        assertInvalid("high_freq", FbankOptions.builder().optLowFreq(3000).optHighFreq(-5000));
        assertInvalid("preemphasis_coefficient", FbankOptions.builder().optPreemphasisCoefficient(1.5));
        assertInvalid("num_mel_bins", FbankOptions.builder().optNumMelBins(2));
        assertInvalid("dither", FbankOptions.builder().optDither(-1));
        assertInvalid("energy_floor", FbankOptions.builder().optEnergyFloor(-1));
        assertInvalid("input_scale", FbankOptions.builder().optInputScale(0));
        assertInvalid("sample_frequency", FbankOptions.builder().optSampleFrequency(Double.NaN));
        assertInvalid("frame_shift_ms", FbankOptions.builder().optFrameShiftMs(0.01));
        assertInvalid("frame_length_ms", FbankOptions.builder().optFrameLengthMs(0.05));
        // 16000 * 0.001 * 25.0625 = 401 samples: odd, and no power-of-two padding
        assertInvalid("round_to_power_of_two",
                FbankOptions.builder().optFrameLengthMs(25.0625).optRoundToPowerOfTwo(false));
        assertInvalid("window_type", FbankOptions.builder().optWindowType(null));
    }

    private static void assertInvalid(String expectedInMessage, FbankOptions.Builder builder) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains(expectedInMessage), "message should name " + expectedInMessage + ": "
                + e.getMessage());
    }
}
