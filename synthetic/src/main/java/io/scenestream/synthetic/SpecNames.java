package io.scenestream.synthetic;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Looks up what a data specification names: the camera rig, the rooms, the look. */
final class SpecNames {

    private SpecNames() {}

    /**
     * The one of {@code all} whose name is {@code name} (case-insensitive); otherwise an
     * IllegalArgumentException such as "unknown look 'film'; known: [rendered, photo]".
     */
    static <T> T lookup(String what, String name, List<T> all, Function<T, String> nameOf) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (T t : all) {
            if (nameOf.apply(t).equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown " + what + " '" + name + "'; known: " + all.stream().map(nameOf).toList());
    }
}
