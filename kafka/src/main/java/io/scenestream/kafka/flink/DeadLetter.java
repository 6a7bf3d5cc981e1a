package io.scenestream.kafka.flink;

/**
 * A record the job could not use: where it came from, why (a {@code BadRecordException.Reason}
 * name), a message, and the original bytes. A Flink POJO; written to the dead-letter topic.
 */
public class DeadLetter {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public String reason;
    public String message;
    public byte[] key;
    public byte[] value;

    public DeadLetter() {}

    public DeadLetter(RawRecord r, String reason, String message) {
        this.topic = r.topic;
        this.partition = r.partition;
        this.offset = r.offset;
        this.timestamp = r.timestamp;
        this.reason = reason;
        this.message = message;
        this.key = r.key;
        this.value = r.value;
    }
}
