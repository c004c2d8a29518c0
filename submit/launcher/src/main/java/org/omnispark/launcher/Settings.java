package org.omnispark.launcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Spark properties of one submission, each with where it came from, merged by three rules:
 *
 * <ul>
 *   <li>the cluster file first, then the user's own options ({@code OMNISPARK_SUBMIT_OPTS}): the user's value wins,
 *       and the launcher says so (a note on standard error), never silently;
 *   <li>the same property twice among the user's options with two values is refused;
 *   <li>what the launcher itself needs ({@link #require}: GPUs, a barrier stage's settings) is added when nobody set
 *       it, accepted when it is already set to the same value, and refused, naming both sources and the way out,
 *       when it is set to another value.
 * </ul>
 */
final class Settings {

    /** Where a value came from. */
    enum Layer {
        CLUSTER_FILE, USER, LAUNCHER
    }

    /**
     * One property's value.
     *
     * @param value the value
     * @param source where it was set, for messages ("my.conf line 4", "OMNISPARK_SUBMIT_OPTS")
     * @param layer the kind of source
     */
    record Setting(String value, String source, Layer layer) {}

    private final Map<String, Setting> map = new LinkedHashMap<>();
    private final List<String> notes;

    /** @param notes where the notes on overridden values go */
    Settings(List<String> notes) {
        this.notes = notes;
    }

    /**
     * A value from the cluster file or the user's options.
     *
     * @throws LaunchException for a value of the wrong type, or a property the user set twice differently
     */
    void put(String key, String value, String source, Layer layer) {
        String problem = ClusterFile.checkValue(key, value);
        if (problem != null) {
            throw new LaunchException(source + ": " + problem);
        }
        Setting old = map.get(key);
        if (old != null && !old.value().equals(value)) {
            if (old.layer() == layer) {
                throw new LaunchException(key + " is set twice, to '" + old.value() + "' (" + old.source() + ") and to '"
                        + value + "' (" + source + "): keep one");
            }
            notes.add(source + " sets " + key + "=" + value + " over " + old.source() + " (" + old.value() + ")");
        }
        map.put(key, new Setting(value, old != null && old.value().equals(value) ? old.source() : source, layer));
    }

    /**
     * A value the launcher needs.
     *
     * @param key the property
     * @param value the value it needs
     * @param why who needs it ("OMNISPARK_GPUS_PER_EXECUTOR=2"), the start of the error
     * @param remedy what the user can do when another value is set
     * @throws LaunchException when the property is set to another value
     */
    void require(String key, String value, String why, String remedy) {
        Setting old = map.get(key);
        if (old == null) {
            map.put(key, new Setting(value, why, Layer.LAUNCHER));
        } else if (!old.value().equals(value)) {
            throw new LaunchException(why + " needs " + key + "=" + value + ", but " + old.source() + " sets " + key
                    + "=" + old.value() + ": " + remedy);
        }
    }

    /** A value the launcher adds when nobody set the property. */
    void orDefault(String key, String value, String why) {
        map.putIfAbsent(key, new Setting(value, why, Layer.LAUNCHER));
    }

    /** @return the value, or null */
    String get(String key) {
        Setting s = map.get(key);
        return s == null ? null : s.value();
    }

    /** @return the setting, or null */
    Setting setting(String key) {
        return map.get(key);
    }

    /** @return the integer value, or null when unset */
    Integer getInt(String key) {
        String v = get(key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v.trim());
        } catch (NumberFormatException e) {
            Setting s = map.get(key);
            throw new LaunchException(s.source() + ": " + key + " must be a whole number, got '" + v + "'");
        }
    }

    /** @return the setting removed, or null */
    Setting remove(String key) {
        return map.remove(key);
    }

    /** @return every property in the order set */
    Map<String, Setting> all() {
        return Collections.unmodifiableMap(map);
    }

    /** @return the keys in the order set */
    List<String> keys() {
        return new ArrayList<>(map.keySet());
    }
}
