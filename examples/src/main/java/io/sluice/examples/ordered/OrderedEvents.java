package io.sluice.examples.ordered;

import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SluiceClient;
import io.sluice.examples.common.ExampleMain;
import io.sluice.examples.common.Groups;
import io.sluice.examples.common.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Ordered events. Deposits and withdrawals of many accounts are produced keyed by account, so all events of
 * an account land on one partition, in order; a consumer group applies them to the accounts' balances.
 * Halfway through, another worker joins and partitions move between workers: an account's events may then
 * be delivered again to the new owner (at-least-once), which the ledger recognises by their sequence and
 * skips. At the end every account's balance is checked against the one computed from the events directly:
 * no event applied out of order, none missing, none applied twice.
 *
 * <p>Run it: {@code bin/sluice-example ordered-events [--bootstrap host:port]}.
 */
public final class OrderedEvents {
    /**
     * @param accounts   accounts
     * @param perAccount events per account
     * @param partitions partitions of the events topic
     * @param workers    workers at the start; one more joins halfway
     * @param perSecond  events each worker applies a second
     * @param produceFor how long the events take to arrive
     */
    public record Settings(int accounts, int perAccount, int partitions, int workers, int perSecond,
                           Duration produceFor) {
        public static Settings defaults() {
            return new Settings(50, 100, 6, 2, 500, Duration.ofSeconds(4));
        }
    }

    /**
     * The outcome.
     *
     * @param moved partitions taken from the first workers once the new one joined
     */
    public record Result(int events, long applied, long skipped, long gaps, long bounced, int moved,
                         Map<String, Long> balances, Map<String, Long> expected) implements ExampleMain.Checked {
        @Override
        public boolean passed() {
            return applied == events && gaps == 0 && bounced == 0 && balances.equals(expected);
        }
    }

    public static void main(String[] args) {
        ExampleMain.run("ordered-events", args, bootstrap -> run(bootstrap, Settings.defaults()));
    }

    public static Result run(String bootstrap, Settings s) {
        List<AccountEvents.Event> events = AccountEvents.generate(s.accounts(), s.perAccount());
        Map<String, Long> expected = AccountEvents.balances(events);
        String topic = Names.unique("account-events");
        String group = Names.unique("ledger");
        System.out.printf("%d events of %d accounts over %d s; %d workers applying %d events/s each, one more joins halfway.%n",
                events.size(), s.accounts(), s.produceFor().toSeconds(), s.workers(), s.perSecond());

        Ledger ledger = new Ledger();
        List<AccountWorker> workers = new ArrayList<>();
        try (SluiceClient client = SluiceClient.connect(bootstrap)) {
            client.admin().createTopic(topic, s.partitions()).block(Duration.ofSeconds(10));
            System.out.println("  topic " + topic + ", group " + group);
            for (int i = 0; i < s.workers(); i++) {
                workers.add(new AccountWorker(client, name(i), topic, group, s.perSecond(), ledger));
            }
            Groups.awaitSettled(client.admin(), group, s.workers(), Duration.ofSeconds(30));

            // Keyed by account: an account's events all go to one partition, which keeps them in order.
            int slices = 20;
            long start = System.nanoTime();
            Disposable producing = client.producer(ProducerOptions.strings())
                    .send(Flux.fromIterable(events)
                            .buffer(Math.max(1, events.size() / slices))
                            .delayElements(s.produceFor().dividedBy(slices))
                            .flatMapIterable(slice -> slice)
                            .map(event -> ProducerRecord.of(topic, event.account(), event.value())))
                    .subscribe();

            boolean joined = false;
            int movedBefore = 0;
            while (ledger.applied() < events.size() && System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
                sleep(Duration.ofMillis(500));
                double seconds = (System.nanoTime() - start) / 1e9;
                if (!joined && seconds >= s.produceFor().toMillis() / 2000.0) {
                    joined = true;
                    movedBefore = workers.stream().mapToInt(AccountWorker::revokedCount).sum();
                    System.out.printf("  %4.1f s  worker %s joins%n", seconds, name(s.workers()));
                    workers.add(new AccountWorker(client, name(s.workers()), topic, group, s.perSecond(), ledger));
                }
                System.out.printf("  %4.1f s  applied %5d  skipped %3d  out of order %d  %s%n", seconds, ledger.applied(),
                        ledger.skipped(), ledger.gaps() + ledger.bounced(), workers.stream()
                                .map(w -> w.name() + " " + w.partitions()).collect(Collectors.joining(" ")));
            }
            int moved = workers.stream().mapToInt(AccountWorker::revokedCount).sum() - movedBefore;
            producing.dispose();
            workers.forEach(AccountWorker::close); // each commits what it applied and leaves the group

            Result result = new Result(events.size(), ledger.applied(), ledger.skipped(), ledger.gaps(), ledger.bounced(),
                    moved, ledger.balances(), expected);
            long matching = expected.entrySet().stream()
                    .filter(e -> e.getValue().equals(result.balances().get(e.getKey()))).count();
            System.out.printf("  %d events: %d applied, %d redelivered and skipped, %d out of order, %d bounced;"
                            + " %d partitions moved; balances: %d of %d accounts as expected%n", result.events(),
                    result.applied(), result.skipped(), result.gaps(), result.bounced(), result.moved(), matching,
                    expected.size());
            return result;
        } finally {
            workers.forEach(AccountWorker::close);
        }
    }

    private static String name(int index) {
        return String.valueOf((char) ('A' + index));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
