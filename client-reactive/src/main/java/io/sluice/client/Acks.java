package io.sluice.client;

/** How much acknowledgement the producer waits for. */
public enum Acks {
    /** Fire and forget: results carry offset -1 and broker errors go unseen. */
    NONE(io.sluice.proto.v1.Acks.ACKS_NONE),
    /** Appended on the partition leader, per the topic's durability setting. The default. */
    LEADER(io.sluice.proto.v1.Acks.ACKS_LEADER),
    /** On all in-sync replicas; the same as LEADER on a single broker. */
    ALL(io.sluice.proto.v1.Acks.ACKS_ALL);

    final io.sluice.proto.v1.Acks proto;

    Acks(io.sluice.proto.v1.Acks proto) {
        this.proto = proto;
    }
}
