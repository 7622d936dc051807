package io.sluice.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Ctrl-C for a group consumer: instead of dying with records printed but not committed, it ends the
 * subscription (which commits and leaves the group) and waits, briefly, for the command to close its client.
 */
final class GroupExit {
    private static final long WAIT_SECONDS = 10;

    private final Sinks.Empty<Void> requested = Sinks.empty();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onShutdown, "sluice-consume-exit");

    private GroupExit() {
    }

    static GroupExit install() {
        GroupExit exit = new GroupExit();
        Runtime.getRuntime().addShutdownHook(exit.hook);
        return exit;
    }

    /** Completes when the process is asked to exit. */
    Mono<Void> requested() {
        return requested.asMono();
    }

    /** The command finished (its client is closed): nothing left to wait for. */
    void done() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or ran: it returns now that the command is done.
        }
    }

    private void onShutdown() {
        requested.tryEmitEmpty();
        try {
            done.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
