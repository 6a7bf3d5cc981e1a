package io.scenestream.model.weights;

import java.util.List;

/**
 * A set of weights does not fit a model: names the model expects are missing, names the model does
 * not have are present, or shapes differ. Nothing was loaded when this is thrown.
 */
public class IncompatibleWeightsException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final int SHOWN = 25;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> wrongShape;

    public IncompatibleWeightsException(
            String source, List<String> missing, List<String> unexpected, List<String> wrongShape) {
        super(describe(source, missing, unexpected, wrongShape));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.wrongShape = List.copyOf(wrongShape);
    }

    /** Parameter names the model has and the weights lack. */
    public List<String> getMissing() {
        return missing;
    }

    /** Names in the weights that the model does not have. */
    public List<String> getUnexpected() {
        return unexpected;
    }

    /** "name: expected (shape), found (shape)" for each shape mismatch. */
    public List<String> getWrongShape() {
        return wrongShape;
    }

    private static String describe(
            String source, List<String> missing, List<String> unexpected, List<String> wrongShape) {
        StringBuilder sb =
                new StringBuilder("weights in ").append(source).append(" do not fit the model:");
        section(sb, "missing", missing);
        section(sb, "unexpected", unexpected);
        section(sb, "wrong shape", wrongShape);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String what, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(items.size()).append(' ').append(what).append(':');
        for (int i = 0; i < Math.min(SHOWN, items.size()); i++) {
            sb.append("\n    ").append(items.get(i));
        }
        if (items.size() > SHOWN) {
            sb.append("\n    ... and ").append(items.size() - SHOWN).append(" more");
        }
    }
}
