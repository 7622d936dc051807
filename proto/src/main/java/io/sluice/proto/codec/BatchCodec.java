package io.sluice.proto.codec;

import com.google.protobuf.ByteString;
import io.sluice.proto.v1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import com.github.luben.zstd.Zstd;
import org.xerial.snappy.Snappy;

/**
 * The codecs of RecordBatch.records, in formats every language has a library for: gzip (RFC 1952),
 * the LZ4 frame format, the zstd frame format and Snappy's raw block format. The producer compresses,
 * the broker stores and serves the bytes as they are, the consumer decompresses.
 */
public final class BatchCodec {
    /** Refuse to inflate a batch beyond this, whatever its header claims: a bound against decompression bombs. */
    public static final int MAX_DECOMPRESSED_BYTES = 256 << 20;

    private BatchCodec() {
    }

    public static ByteString compress(Compression codec, ByteString records) {
        try {
            return switch (codec) {
                case COMPRESSION_NONE -> records;
                case COMPRESSION_GZIP -> stream(records, out -> new GZIPOutputStream(out, 8192));
                // 64 KiB blocks: the default 4 MiB block buffer would be allocated for every batch.
                case COMPRESSION_LZ4 -> stream(records, out -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB));
                case COMPRESSION_ZSTD -> ByteString.copyFrom(Zstd.compress(records.toByteArray(), 3));
                case COMPRESSION_SNAPPY -> ByteString.copyFrom(Snappy.compress(records.toByteArray()));
                case UNRECOGNIZED -> throw new IllegalArgumentException("unknown compression codec");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decompresses; throws {@link CorruptBatchException} when the bytes are not valid for the codec or
     * would inflate beyond {@link #MAX_DECOMPRESSED_BYTES}.
     */
    public static ByteString decompress(Compression codec, ByteString compressed) {
        try {
            return switch (codec) {
                case COMPRESSION_NONE -> compressed;
                case COMPRESSION_GZIP -> inflate(new GZIPInputStream(compressed.newInput(), 8192));
                case COMPRESSION_LZ4 -> inflate(new LZ4FrameInputStream(compressed.newInput()));
                case COMPRESSION_ZSTD -> zstd(compressed);
                case COMPRESSION_SNAPPY -> snappy(compressed);
                case UNRECOGNIZED -> throw new CorruptBatchException("unknown compression codec");
            };
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptBatchException c) {
                throw c;
            }
            throw new CorruptBatchException("cannot decompress " + codec + " batch: " + e.getMessage());
        }
    }

    private static ByteString zstd(ByteString compressed) {
        byte[] in = compressed.toByteArray();
        long size = Zstd.getFrameContentSize(in);
        if (size < 0 || size > MAX_DECOMPRESSED_BYTES) {
            // Unknown content size (streamed frame) or too large: decode through the bounded stream path.
            try {
                return inflate(new com.github.luben.zstd.ZstdInputStream(compressed.newInput()));
            } catch (IOException e) {
                throw new CorruptBatchException("cannot decompress zstd batch: " + e.getMessage());
            }
        }
        return ByteString.copyFrom(Zstd.decompress(in, (int) size));
    }

    private static ByteString snappy(ByteString compressed) throws IOException {
        byte[] in = compressed.toByteArray();
        if (!Snappy.isValidCompressedBuffer(in)) {
            throw new CorruptBatchException("cannot decompress snappy batch: not a valid snappy block");
        }
        if (Snappy.uncompressedLength(in) > MAX_DECOMPRESSED_BYTES) {
            throw new CorruptBatchException("snappy batch would inflate beyond " + MAX_DECOMPRESSED_BYTES + " bytes");
        }
        return ByteString.copyFrom(Snappy.uncompress(in));
    }

    private interface StreamWrapper {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static ByteString stream(ByteString records, StreamWrapper codec) throws IOException {
        ByteString.Output out = ByteString.newOutput(Math.max(64, records.size() / 2));
        try (OutputStream compressing = codec.wrap(out)) {
            records.writeTo(compressing);
        }
        return out.toByteString();
    }

    private static ByteString inflate(InputStream in) throws IOException {
        try (in) {
            ByteString.Output out = ByteString.newOutput();
            byte[] buffer = new byte[16 << 10];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > MAX_DECOMPRESSED_BYTES) {
                    throw new CorruptBatchException("batch would inflate beyond " + MAX_DECOMPRESSED_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteString();
        }
    }
}
