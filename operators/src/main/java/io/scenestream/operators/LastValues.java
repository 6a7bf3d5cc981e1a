package io.scenestream.operators;

import org.apache.flink.metrics.MetricGroup;

/**
 * An operator's gauges of last values (the last batch's size, the last round's loss...): each is
 * registered once under its metric name, set from whichever thread computes it and read by the
 * metric reporters.
 */
final class LastValues {

    /** One gauge's last value. */
    static final class Value {
        private volatile double value;

        void set(double v) {
            value = v;
        }

        double get() {
            return value;
        }
    }

    private final MetricGroup group;

    LastValues(MetricGroup group) {
        this.group = group;
    }

    /** A gauge named {@code name}, 0 until set. */
    Value gauge(String name) {
        Value v = new Value();
        group.gauge(name, v::get);
        return v;
    }
}
