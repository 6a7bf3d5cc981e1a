package io.scenestream.model.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The free-form JSON values of a manifest's training map, in the one Java form they take both
 * before writing and after reading: unmodifiable maps (string keys, order kept) and lists, String,
 * Boolean, Long (integral numbers), Double (other finite numbers) and null.
 */
final class JsonValues {

    private JsonValues() {}

    /** {@code map} in normal form; {@code path} names it in error messages. */
    static Map<String, Object> normaliseMap(Map<?, ?> map, String path) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(
                        path + " has a key that is not a string: " + e.getKey());
            }
            out.put(key, normalise(e.getValue(), path + "." + key));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object normalise(Object v, String path) {
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : finite(b.doubleValue());
        }
        if (v instanceof Float f) {
            // 0.1f stays 0.1, not 0.10000000149011612
            return finite(Double.parseDouble(f.toString()));
        }
        if (v instanceof BigDecimal d) {
            return finite(d.doubleValue());
        }
        if (v instanceof Number n) {
            return finite(n.doubleValue());
        }
        if (v instanceof CharSequence || v instanceof Character) {
            return v.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof Map<?, ?> m) {
            return normaliseMap(m, path);
        }
        List<Object> list = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            int i = 0;
            for (Object o : c) {
                list.add(normalise(o, path + "[" + i++ + "]"));
            }
        } else if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                list.add(normalise(Array.get(v, i), path + "[" + i + "]"));
            }
        } else {
            throw new IllegalArgumentException(
                    path
                            + " is a "
                            + v.getClass().getName()
                            + "; training values must be strings, numbers, booleans, null, lists or maps");
        }
        return Collections.unmodifiableList(list);
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** A normalised value as JSON. */
    static JsonElement toJson(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        if (v instanceof String s) {
            return new JsonPrimitive(s);
        }
        if (v instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (v instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (v instanceof Map<?, ?> m) {
            JsonObject o = new JsonObject();
            m.forEach((k, x) -> o.add((String) k, toJson(x)));
            return o;
        }
        if (v instanceof List<?> l) {
            JsonArray a = new JsonArray();
            l.forEach(x -> a.add(toJson(x)));
            return a;
        }
        throw new IllegalStateException("not a normalised JSON value: " + v.getClass());
    }

    /** JSON as a normalised value: integral literals become Long, other numbers Double. */
    static Object fromJson(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                out.put(m.getKey(), fromJson(m.getValue()));
            }
            return Collections.unmodifiableMap(out);
        }
        if (e.isJsonArray()) {
            List<Object> out = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                out.add(fromJson(x));
            }
            return Collections.unmodifiableList(out);
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isString()) {
            return p.getAsString();
        }
        String literal = p.getAsString();
        if (literal.matches("-?\\d+")) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLarge) {
                return finite(Double.parseDouble(literal));
            }
        }
        return finite(Double.parseDouble(literal));
    }
}
