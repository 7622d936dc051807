package io.sluice.client;

/** What the producer does with a batch when the broker's credit is used up. */
public enum CreditExhausted {
    /** Hold the batch until the broker grants more credit (the default): the producer slows to the broker. */
    WAIT,
    /** Fail the send with a {@link LimitExceededException} naming the broker's throttle reason. */
    ERROR,
    /** Drop the batch: it is not sent, its records get no results, and the drop callback is told. */
    DROP
}
