package io.sluice.proto.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Compression;
import io.sluice.proto.v1.Record;
import io.sluice.proto.v1.RecordSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BatchCodecTest {
    private static final ByteString RECORDS = records();

    private static ByteString records() {
        RecordSet.Builder set = RecordSet.newBuilder();
        for (int i = 0; i < 500; i++) {
            set.addRecords(Record.newBuilder().setKey(ByteString.copyFromUtf8("key-" + (i % 10)))
                    .setValue(ByteString.copyFromUtf8("a fairly repetitive value number " + i)).setTimestampMs(1_000 + i));
        }
        return set.build().toByteString();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
    void everyCodecRoundTripsAndCompressesRepetitiveRecords(Compression codec) {
        ByteString compressed = BatchCodec.compress(codec, RECORDS);
        if (codec != Compression.COMPRESSION_NONE) {
            assertThat(compressed.size()).isLessThan(RECORDS.size() / 2);
        }
        assertThat(BatchCodec.decompress(codec, compressed)).isEqualTo(RECORDS);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"COMPRESSION_GZIP", "COMPRESSION_LZ4", "COMPRESSION_ZSTD", "COMPRESSION_SNAPPY"})
    void garbageIsACorruptBatchNotACrash(Compression codec) {
        assertThatThrownBy(() -> BatchCodec.decompress(codec, ByteString.copyFromUtf8("certainly not compressed")))
                .isInstanceOf(CorruptBatchException.class)
                .hasMessageContaining("decompress");
    }
}
