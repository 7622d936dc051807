package io.sluice.server.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Reads the client id a client names itself with (gRPC header {@code sluice-client-id}) into the call's
 * context, where the services find it. Quotas per client id are keyed on it; a call without the header
 * has the id "" (all such clients share it).
 */
public final class ClientIds implements ServerInterceptor {
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("sluice-client-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> CLIENT_ID = Context.keyWithDefault("sluice-client-id", "");
    static final int MAX_LENGTH = 255;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String id = headers.get(HEADER);
        if (id == null) {
            return next.startCall(call, headers);
        }
        if (id.length() > MAX_LENGTH) {
            call.close(Status.INVALID_ARGUMENT.withDescription("Header sluice-client-id is " + id.length()
                    + " characters long; at most " + MAX_LENGTH + " are allowed"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return Contexts.interceptCall(Context.current().withValue(CLIENT_ID, id), call, headers, next);
    }

    /** The client id of the call being started (read it where the service method is invoked). */
    static String current() {
        return CLIENT_ID.get();
    }
}
