package org.omnispark.data.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;

/**
 * Loads YAML configs into immutable, validated records. Keys are snake_case; an unknown key is an error that names
 * the key and lists the valid ones. {@code key.sub=value} overrides (from the command line) are applied to the YAML
 * tree before binding; their values are parsed as YAML, so {@code speed_perturb=[0.9,1.1]} is a list.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));
    private static final ObjectMapper JSON = configure(new ObjectMapper());
    /** As YAML, but a number must be written as one, and an integer without a fraction (stored options). */
    private static final ObjectMapper STRICT_NUMBERS = strictNumbers(configure(new ObjectMapper()));

    private ConfigLoader() {
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .findAndRegisterModules();
    }

    private static ObjectMapper strictNumbers(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float)) {
            mapper.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        return mapper;
    }

    /** The mapper used for JSON outputs (dataset manifests, reports), with the same naming. */
    public static ObjectMapper json() {
        return JSON;
    }

    /**
     * Loads a config.
     *
     * @param yaml the YAML file, or null for defaults only
     * @param overrides {@code dotted.key=value} overrides applied in order
     * @param type the record type
     */
    public static <T> T load(Path yaml, List<String> overrides, Class<T> type) {
        String text;
        try {
            text = yaml == null ? null : Files.readString(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config " + yaml + ": " + e.getMessage(), e);
        }
        return parse(text, yaml == null ? null : yaml.toString(), overrides, type);
    }

    /**
     * Loads a config from any file system.
     *
     * @param storage the storage that reads it
     * @param yaml the YAML file (a {@code file:} location for a local file), or null for defaults only
     * @param overrides {@code dotted.key=value} overrides applied in order
     * @param type the record type
     */
    public static <T> T load(Storage storage, Location yaml, List<String> overrides, Class<T> type) {
        String text;
        try {
            text = yaml == null ? null : storage.readString(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config " + yaml + ": " + e.getMessage()
                    + "; check the path (a path without a scheme is a local file)", e);
        }
        return parse(text, yaml == null ? null : yaml.toString(), overrides, type);
    }

    private static <T> T parse(String text, String where, List<String> overrides, Class<T> type) {
        ObjectNode tree;
        try {
            JsonNode node = text == null ? null : YAML.readTree(text);
            tree = node == null || node.isMissingNode() || node.isNull()
                    ? JsonNodeFactory.instance.objectNode() : requireObject(node, where);
        } catch (IOException e) {
            throw new IllegalArgumentException("config " + where + " is not valid YAML: " + e.getMessage(), e);
        }
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        return bind(tree, type, where == null ? "the defaults" : where);
    }

    /** Binds a tree to a record type with the strict rules; {@code where} names the source for errors. */
    public static <T> T bind(JsonNode tree, Class<T> type, String where) {
        return bind(YAML, tree, type, where);
    }

    /**
     * As {@link #bind(JsonNode, Class, String)}, and numbers must be numbers: no text for a number, no fraction for an
     * integer (for options stored with data and read back, such as the fbank options).
     */
    public static <T> T bindStrictNumbers(JsonNode tree, Class<T> type, String where) {
        return bind(STRICT_NUMBERS, tree, type, where);
    }

    private static <T> T bind(ObjectMapper mapper, JsonNode tree, Class<T> type, String where) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String valid = e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException("unknown config key '" + path(e) + "' in " + where
                    + "; valid keys there: " + valid, e);
        } catch (JsonMappingException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String msg = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException("invalid config value at '" + path(e) + "' in " + where + ": " + msg,
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("override '" + override + "' must look like key.sub=value");
        }
        String[] keys = override.substring(0, eq).trim().split("\\.");
        JsonNode value;
        try {
            value = YAML.readTree(override.substring(eq + 1));
        } catch (IOException e) {
            throw new IllegalArgumentException("override '" + override + "' has a value that is not valid YAML", e);
        }
        if (value == null || value.isMissingNode()) {
            value = JsonNodeFactory.instance.nullNode();
        }
        ObjectNode node = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode child = node.get(keys[i]);
            if (child == null || !child.isObject()) {
                child = node.putObject(keys[i]);
            }
            node = (ObjectNode) child;
        }
        node.set(keys[keys.length - 1], value);
    }

    private static ObjectNode requireObject(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("config " + where + " must be a YAML mapping at the top level");
        }
        return (ObjectNode) node;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
