package io.sluice.client;

import io.sluice.proto.v1.Compression;

/** How the producer compresses each batch. */
public enum BatchCompression {
    NONE(Compression.COMPRESSION_NONE),
    GZIP(Compression.COMPRESSION_GZIP),
    LZ4(Compression.COMPRESSION_LZ4),
    ZSTD(Compression.COMPRESSION_ZSTD),
    SNAPPY(Compression.COMPRESSION_SNAPPY);

    final Compression proto;

    BatchCompression(Compression proto) {
        this.proto = proto;
    }
}
