package io.sluice.client;

/** Where a consumer group stands. */
public enum GroupState {
    /** No active member; only committed offsets. */
    EMPTY,
    /** Members, and every partition with its target owner. */
    STABLE,
    /** Members, and some partitions waiting for a revoke to finish before they move. */
    RECONCILING;

    static GroupState from(io.sluice.proto.v1.GroupState state) {
        return switch (state) {
            case GROUP_STATE_STABLE -> STABLE;
            case GROUP_STATE_RECONCILING -> RECONCILING;
            case GROUP_STATE_EMPTY, GROUP_STATE_UNSPECIFIED, UNRECOGNIZED -> EMPTY;
        };
    }
}
