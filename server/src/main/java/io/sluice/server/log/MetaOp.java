package io.sluice.server.log;

import io.sluice.server.storage.WriteOp;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.rocksdb.WriteBatch;

/** A metadata change applied through the log writer, so it is ordered with the appends around it. */
final class MetaOp implements WriteOp {
    private final Consumer<WriteBatch> writes;
    private final boolean sync;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    MetaOp(Consumer<WriteBatch> writes, boolean sync) {
        this.writes = writes;
        this.sync = sync;
    }

    @Override
    public void apply(WriteBatch batch) {
        writes.accept(batch);
    }

    @Override
    public boolean sync() {
        return sync;
    }

    @Override
    public int weight() {
        return 256;
    }

    @Override
    public void committed() {
        done.complete(null);
    }

    @Override
    public void failed(RuntimeException cause) {
        done.completeExceptionally(cause);
    }
}
