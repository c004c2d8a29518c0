package org.omnispark.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What travels with a submission in {@code --files} or {@code --jars}, from every source (the launcher, the cluster
 * file's {@code spark.files}/{@code spark.jars}, the user's options), in one list. On the cluster every entry becomes
 * {@code ./NAME} in the containers' working folder, so two different files with one name cannot both travel: that is
 * refused, naming both. The same file twice is sent once.
 */
final class ShipList {

    /** One entry and who asked for it. */
    record Item(String location, String source) {}

    private final String option;
    private final Map<String, Item> byName = new LinkedHashMap<>();

    /** @param option --files or --jars, for messages */
    ShipList(String option) {
        this.option = option;
    }

    /**
     * @param location a path or URI (a {@code #alias} fragment names it on YARN)
     * @param source who asked for it
     * @throws LaunchException when another file with the same name is already in the list
     */
    void add(String location, String source) {
        String name = name(location);
        Item old = byName.get(name);
        if (old == null) {
            byName.put(name, new Item(location, source));
        } else if (!old.location().equals(location)) {
            throw new LaunchException(option + " would send two different files named " + name + ": "
                    + old.location() + " (" + old.source() + ") and " + location + " (" + source + "); on the "
                    + "cluster both would be ./" + name + ": rename one, or send only one");
        }
    }

    /** @return the locations in the order added */
    List<String> locations() {
        List<String> out = new ArrayList<>();
        byName.values().forEach(i -> out.add(i.location()));
        return out;
    }

    /** @return the entries in the order added */
    List<Item> items() {
        return new ArrayList<>(byName.values());
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** @param location a path or URI @return the name it has in the containers' working folder */
    static String name(String location) {
        int hash = location.lastIndexOf('#');
        if (hash >= 0 && hash < location.length() - 1) {
            return location.substring(hash + 1);
        }
        String path = hash >= 0 ? location.substring(0, hash) : location;
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
