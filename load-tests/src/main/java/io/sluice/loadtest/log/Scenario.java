package io.sluice.loadtest.log;

/** One measured configuration, written {@code async-8} or {@code fsync-1}: durability and partition count. */
record Scenario(boolean fsync, int partitions) {
    static Scenario parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 2 || !(parts[0].equals("async") || parts[0].equals("fsync"))) {
            throw new IllegalArgumentException("a scenario is async-N or fsync-N, not '" + text + "'");
        }
        return new Scenario(parts[0].equals("fsync"), Integer.parseInt(parts[1]));
    }

    @Override
    public String toString() {
        return (fsync ? "fsync" : "async") + "-" + partitions;
    }
}
