package io.sluice.examples.ordered;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Generated account events: deposits and withdrawals that never overdraw, when applied in order. */
final class AccountEvents {
    private AccountEvents() {
    }

    enum Type { DEPOSIT, WITHDRAW }

    /** One event; {@code sequence} counts an account's events from 1. */
    record Event(String account, int sequence, Type type, long amount) {
        String value() {
            return sequence + "," + type + "," + amount;
        }

        static Event parse(String account, String value) {
            String[] fields = value.split(",");
            return new Event(account, Integer.parseInt(fields[0]), Type.valueOf(fields[1]), Long.parseLong(fields[2]));
        }
    }

    /**
     * {@code perAccount} events for each of {@code accounts} accounts, interleaved at random across accounts
     * but in sequence order within each: the order the events happen in.
     */
    static List<Event> generate(int accounts, int perAccount) {
        Random random = new Random(7);
        List<Deque<Event>> byAccount = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            String account = String.format("acct-%03d", a);
            Deque<Event> events = new ArrayDeque<>();
            long balance = 0;
            for (int seq = 1; seq <= perAccount; seq++) {
                // A withdrawal takes up to the whole balance: applied before an earlier deposit, it would bounce.
                if (balance > 0 && random.nextInt(10) < 4) {
                    long amount = 1 + random.nextInt((int) Math.min(balance, 500));
                    events.add(new Event(account, seq, Type.WITHDRAW, amount));
                    balance -= amount;
                } else {
                    long amount = 1 + random.nextInt(100);
                    events.add(new Event(account, seq, Type.DEPOSIT, amount));
                    balance += amount;
                }
            }
            byAccount.add(events);
        }
        List<Event> interleaved = new ArrayList<>(accounts * perAccount);
        while (!byAccount.isEmpty()) {
            int pick = random.nextInt(byAccount.size());
            interleaved.add(byAccount.get(pick).poll());
            if (byAccount.get(pick).isEmpty()) {
                byAccount.remove(pick);
            }
        }
        return interleaved;
    }

    /** Each account's balance after all its events, computed here without the broker: the check. */
    static Map<String, Long> balances(List<Event> events) {
        Map<String, Long> balances = new TreeMap<>();
        for (Event event : events) {
            long delta = event.type() == Type.DEPOSIT ? event.amount() : -event.amount();
            balances.merge(event.account(), delta, Long::sum);
        }
        return balances;
    }
}
