package io.scenestream.kafka.serde;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * Reads one string field of a Protocol Buffers record without parsing or copying the rest (other
 * fields, large byte payloads included, are skipped): what a stream is routed or filtered by before
 * a record is fully read.
 */
final class ProtoFields {

    private ProtoFields() {}

    /**
     * The value of string field {@code field} of {@code data}: the last one, as parsing would take
     * it; empty when the record has none; null when the record cannot be read that far.
     */
    static String lastString(byte[] data, int field) {
        if (data == null) {
            return null;
        }
        int wanted = (field << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
        CodedInputStream in = CodedInputStream.newInstance(data);
        String value = "";
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == wanted) {
                    value = in.readStringRequireUtf8();
                } else if (!in.skipField(tag)) {
                    break;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return value;
    }
}
