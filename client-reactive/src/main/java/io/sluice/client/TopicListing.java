package io.sluice.client;

/** A topic's name and partition count, as listed. */
public record TopicListing(String name, int partitions) {
}
