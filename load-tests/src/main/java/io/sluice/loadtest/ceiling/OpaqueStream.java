package io.sluice.loadtest.ceiling;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A bidi gRPC method that carries opaque byte arrays, with no protobuf and no broker logic: the server
 * answers every message with a 1-byte ack. It measures what the transport alone can carry.
 */
final class OpaqueStream {
    static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("sluice.bench.Opaque/Stream")
            .setRequestMarshaller(new BytesMarshaller())
            .setResponseMarshaller(new BytesMarshaller())
            .build();

    private static final byte[] ACK = {1};

    private OpaqueStream() {
    }

    static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder("sluice.bench.Opaque")
                .addMethod(METHOD, ServerCalls.asyncBidiStreamingCall(OpaqueStream::echoAcks))
                .build();
    }

    private static StreamObserver<byte[]> echoAcks(StreamObserver<byte[]> responses) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] message) {
                responses.onNext(ACK);
            }

            @Override
            public void onError(Throwable t) {
                // The client went away: nothing to clean up.
            }

            @Override
            public void onCompleted() {
                responses.onCompleted();
            }
        };
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
