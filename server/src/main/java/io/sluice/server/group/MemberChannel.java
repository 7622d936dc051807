package io.sluice.server.group;

import io.sluice.server.error.SluiceException;
import io.sluice.server.log.TopicPartition;
import java.util.List;

/**
 * How the coordinator talks to one member's stream. The coordinator calls these on its own thread, in order;
 * an implementation only queues the work for the stream's thread, never blocks, and keeps the order.
 */
public interface MemberChannel {
    /** The stream joined; always the first call. */
    void joined(Membership membership);

    /** The member now owns these partitions (at this member epoch); start reading them. */
    void assigned(long epoch, List<TopicPartition> partitions);

    /** The member must give these up: stop sending their records, and tell the client. */
    void revoked(long epoch, List<TopicPartition> partitions);

    /** Ask the client to prove it is alive. */
    void keepalive(long id);

    /** The member was removed or replaced (or could not join): end the stream with this error. */
    void removed(SluiceException reason);
}
