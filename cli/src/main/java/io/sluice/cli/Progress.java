package io.sluice.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** A once-a-second "N records" line on stderr, only when stderr is a terminal. */
final class Progress implements AutoCloseable {
    private final AtomicLong records = new AtomicLong();
    private final Disposable ticker;
    private final Io io;

    Progress(Io io, String verb) {
        this.io = io;
        this.ticker = io.interactive()
                ? Flux.interval(Duration.ofSeconds(1)).subscribe(t -> io.err().printf("\r%s %,d records...", verb, records.get()))
                : null;
    }

    void add(long n) {
        records.addAndGet(n);
    }

    long records() {
        return records.get();
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.dispose();
            io.err().print("\r\033[K");
        }
    }
}
