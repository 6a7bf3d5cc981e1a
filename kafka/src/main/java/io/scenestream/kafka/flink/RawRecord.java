package io.scenestream.kafka.flink;

/**
 * A Kafka record as read, before any parsing, with where it came from, so that a record that cannot
 * be used can be sent to the dead-letter topic whole. A Flink POJO.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;

    /** Record timestamp, ms since the epoch. */
    public long timestamp;

    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }
}
