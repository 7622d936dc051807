package io.sluice.examples.ordered;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The accounts' state, shared by every worker: in a real system, a database. Each account remembers the
 * sequence of the last event applied, so applying is idempotent: an event delivered again (at-least-once,
 * after its partition moved to another worker) is recognised and skipped.
 */
final class Ledger {
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong bounced = new AtomicLong();

    private static final class Account {
        long balance;
        int lastSequence;
    }

    /** Applies the event if it is the account's next one. */
    void apply(AccountEvents.Event event) {
        Account account = accounts.computeIfAbsent(event.account(), id -> new Account());
        synchronized (account) { // one account's events may briefly reach two workers while its partition moves
            if (event.sequence() <= account.lastSequence) {
                skipped.incrementAndGet(); // applied already: a redelivery
                return;
            }
            if (event.sequence() > account.lastSequence + 1) {
                gaps.incrementAndGet(); // an earlier event is missing: this would be an ordering bug
            }
            if (event.type() == AccountEvents.Type.DEPOSIT) {
                account.balance += event.amount();
            } else if (event.amount() <= account.balance) {
                account.balance -= event.amount();
            } else {
                bounced.incrementAndGet(); // only possible if it came before an earlier deposit
            }
            account.lastSequence = event.sequence();
            applied.incrementAndGet();
        }
    }

    Map<String, Long> balances() {
        Map<String, Long> balances = new TreeMap<>();
        accounts.forEach((id, account) -> {
            synchronized (account) {
                balances.put(id, account.balance);
            }
        });
        return balances;
    }

    /** Events applied (each once). */
    long applied() {
        return applied.get();
    }

    /** Events delivered again after they were applied, and skipped. */
    long skipped() {
        return skipped.get();
    }

    /** Events that came before an earlier event of their account: 0 when per-key order holds. */
    long gaps() {
        return gaps.get();
    }

    /** Withdrawals refused for lack of funds: 0 when per-key order holds. */
    long bounced() {
        return bounced.get();
    }
}
