package io.scenestream.kafka.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that cannot be used, with the typed reason why; the stream sends it to the dead-letter
 * topic.
 */
public class BadRecordException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** Why a record was refused. */
    public enum Reason {
        /** Not a record of this type: truncated or garbage bytes. */
        UNPARSABLE,
        /** Larger than the configured limit. */
        OVERSIZED,
        /** A required field is empty. */
        MISSING_FIELD,
        /** Width or height zero or over the limit, or the pixels disagree with them. */
        BAD_DIMENSIONS,
        /** An encoding this version does not know. */
        UNKNOWN_ENCODING,
        /** The payload cannot be decoded as its encoding says. */
        UNDECODABLE,
        /** The payload is an image of another encoding than the one the record declares. */
        ENCODING_MISMATCH,
        /** A checksum or signature does not match. */
        INTEGRITY
    }

    private final Reason reason;

    public BadRecordException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public BadRecordException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** Why the record was refused. */
    public Reason reason() {
        return reason;
    }
}
